"""``tumorclf train`` as a library call: evaluate, choose, save, record.

:func:`train` runs the whole experiment of a config: it checks the config,
updates the literature priors with the real cases (on every real fold and
on all of them), draws the synthetic sample from the updated priors,
evaluates every candidate and reference (:mod:`tumorclf.training.evaluation`),
picks the champion by the selection metric on real-case grouped CV, saves
it atomically under ``models/runs/<run id>/``, records
everything in MLflow (one parent run, one child per candidate, the champion
logged and registered with the alias ``champion``) and only then points
``models/champion.json`` at the new model. If anything fails or the run is
interrupted, the MLflow runs are marked FAILED or KILLED and the previous
champion stays as it was.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version as version_of
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from tumorclf import stages
from tumorclf.case_io import as_text_frame, read_cases_csv, to_csv_frame
from tumorclf.paths import project_root
from tumorclf.persistence.artifacts import (
    promote_champion,
    save_model,
    sweep,
)
from tumorclf.persistence.atomic import signals_deferred
from tumorclf.schema import SCHEMA_VERSION, validate
from tumorclf.synthetic import CaseGenerator, load_priors
from tumorclf.tracking.runs import Tracker, git_commit, mlflow_seconds, reset_timer
from tumorclf.tracking.store import resolve_tracking_uri, ui_command
from tumorclf.training import plots
from tumorclf.training.candidates import check_candidate, reuses_prior_update
from tumorclf.training.config import ConfigError, flatten
from tumorclf.training.evaluation import (
    LITERATURE,
    ORACLE,
    SEED_RULE,
    CandidateReport,
    FoldResult,
    candidates_from_config,
    evaluate,
    prior_updates,
    reading_taught_by,
)
from tumorclf.training.metrics import COMPARISON_COLUMNS, LOWER_IS_BETTER, REAL_HEADLINE
from tumorclf.synthetic.findings import READINGS
from tumorclf.training.fill_in import has_readings
from tumorclf.training.real_cv import PriorUpdate, groups_of
from tumorclf.training.references import OracleClassifier, SeedRuleClassifier
from tumorclf.training.vignettes import load_vignettes, score_vignettes

#: What serving the champion needs, pinned to this environment's versions when it is logged.
PREDICTION_REQUIREMENTS = ("mlflow", "scikit-learn", "numpy", "scipy", "pandas", "skops")


@dataclass
class TrainOutcome:
    """What a train produced, for the CLI's summary and for tests."""

    parent_run_id: str
    experiment_id: str
    tracking_uri: str
    champion: str
    champion_path: Path
    registered_version: str
    reports: list[CandidateReport]
    rows: list[dict[str, Any]]
    selection_metric: str
    wall_seconds: float
    mlflow_seconds: float
    coverage: dict[str, Any] = field(default_factory=dict)  # the champion's coverage-set and MCS-alert figures
    selection_guard: str = ""  # which candidates could be champion, and why

    @property
    def ui_command(self) -> str:
        return ui_command(self.tracking_uri)


def _resolve(path: str | Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else (project_root() or Path.cwd()) / path


def count_tasks(config: Mapping[str, Any], n_real: int = 0) -> int:
    """Tasks a train runs: prior updates, synthetic and real folds, final fits (for progress)."""
    n_candidates = sum(not reuses_prior_update(spec) for spec in config["candidates"].values())
    references = config["references"]
    n_references = sum(bool(v) for v in references.values())
    outer = config["cv"]["folds"] * config["cv"]["repeats"]
    real_folds = config["real_cv"]["folds"]
    fitted_on_real = n_candidates + n_references - bool(references.get("bayes_oracle"))
    return (real_folds + 1) + (n_candidates + n_references) * (outer + 1) + fitted_on_real * real_folds + n_candidates


def check_before_work(config: Mapping[str, Any]) -> None:
    """Problems that must stop a train before any data is drawn."""
    problems = [p for name, spec in config["candidates"].items() for p in check_candidate(name, spec)]
    if config["selection"]["metric"] == "oracle_ratio" and not config["references"].get("bayes_oracle"):
        problems.append("selection.metric oracle_ratio needs references.bayes_oracle: true")
    for key in ("real_cases", "priors", "vignettes"):
        if config["data"].get(key) is not None and not _resolve(config["data"][key]).exists():
            problems.append(f"data.{key}: {_resolve(config['data'][key])} does not exist")
    if problems:
        raise ConfigError("\n  ".join(["the experiment config has problems:", *problems]))


def data_fingerprint(real_path: Path, priors_sha: str, config: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(real_path.read_bytes())
    digest.update(priors_sha.encode())
    digest.update(yaml.safe_dump({k: config[k] for k in ("seed", "synthetic", "fill_in")}).encode())
    return digest.hexdigest()


def selection_column(selection: Mapping[str, Any]) -> str:
    """The metric that picks the champion: ``real_log_loss_mean`` (real cases read as entered) by default."""
    if selection.get("cases", "real") != "real":
        return f"cv_{selection['metric']}_mean"
    prefix = "real_published" if selection.get("reading", "as_entered") == "as_published" else "real"
    return f"{prefix}_{selection['metric']}_mean"


def _selection_key(report: CandidateReport, selection: Mapping[str, Any]) -> float:
    value = report.metrics.get(selection_column(selection), np.nan)
    value = np.inf if not np.isfinite(value) else value
    return value if selection["metric"] in LOWER_IS_BETTER else -value


#: Selection guards: which candidates may be champion before the metric chooses among them.
GUARDS = ("mcs_top3_vs_literature", "none")


def guarded_candidates(eligible: Sequence[CandidateReport], reports: Sequence[CandidateReport],
                       selection: Mapping[str, Any]) -> tuple[list[CandidateReport], str]:
    """The candidates the selection metric may choose among, and a sentence saying why.

    ``selection.guard: mcs_top3_vs_literature`` (default) keeps those whose
    real-case MCS top-3 sensitivity (in the selection's reading) is not below
    the literature model's: a champion may not buy a lower log loss by ranking
    MCS lower than the published figures alone do. If none qualifies, all do,
    and the sentence says so.
    """
    guard = selection.get("guard", "mcs_top3_vs_literature")
    if guard == "none" or selection.get("cases", "real") != "real":
        return list(eligible), "no guard"
    prefix = "real_published" if selection.get("reading", "as_entered") == "as_published" else "real"
    column = f"{prefix}_mcs_top3_sensitivity_mean"
    literature = next((r for r in reports if r.name == LITERATURE and not r.failed), None)
    floor = literature.metrics.get(column, np.nan) if literature is not None else np.nan
    if not np.isfinite(floor):
        return list(eligible), "no guard (the literature model has no MCS figure)"
    kept = [r for r in eligible if r.metrics.get(column, -np.inf) >= floor - 1e-12]
    if not kept:
        return list(eligible), f"no candidate ranks MCS in the top 3 as often as the literature ({floor:.2f}): all kept"
    left = sorted(r.name for r in eligible if r not in kept)
    return kept, (f"MCS in the top 3 at least as often as the literature ({floor:.2f})"
                  + (f"; left out: {', '.join(left)}" if left else ""))


def summary_rows(reports: Sequence[CandidateReport]) -> list[dict[str, Any]]:
    """One row per candidate: real-case figures first, then the synthetic diagnostics."""
    return [{
        "candidate": r.name,
        "reference": r.reference,
        "status": "FAILED" if r.failed else "ok",
        **{name: r.metrics.get(name) for name in COMPARISON_COLUMNS},
        "fit_seconds": r.fit_seconds,
        "best_params": ", ".join(f"{k.rsplit('__', 1)[-1]}={v}" for k, v in r.best_params.items()),
    } for r in reports]


def pooled(report: CandidateReport, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every scored row of one kind of fold ("real", "synthetic"): its index, fold and probabilities."""
    folds = [f for f in report.folds if f.kind == kind and f.error is None and f.proba is not None]
    if not folds:
        return np.array([], dtype=int), np.array([], dtype=int), np.empty((0, 0))
    index = np.concatenate([f.test_index for f in folds])
    fold = np.concatenate([np.full(len(f.test_index), f.fold) for f in folds])
    return index, fold, np.vstack([f.proba for f in folds])


def per_class_report(y: np.ndarray, proba: np.ndarray, classes: Sequence[str]) -> pd.DataFrame:
    predicted = proba.argmax(axis=1)
    rows = []
    for j, name in enumerate(classes):
        truth, said = y == j, predicted == j
        tp = (truth & said).sum()
        precision = tp / said.sum() if said.sum() else np.nan
        recall = tp / truth.sum() if truth.sum() else np.nan
        rows.append({
            "class": name, "support": int(truth.sum()), "precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else np.nan,
            "mean_probability_when_true": proba[truth, j].mean() if truth.any() else np.nan,
        })
    return pd.DataFrame(rows)


def _run_name(report: CandidateReport, spec: Mapping[str, Any] | None) -> str:
    if spec is None:
        return f"{report.name} (reference)"
    chosen = ", ".join(f"{k.rsplit('__', 1)[-1]}={v}" for k, v in report.best_params.items())
    return f"{report.name} [{spec['encoding']}{', ' + chosen if chosen else ''}]"


def _plots(folder: Path, prefix: str, y: np.ndarray, proba: np.ndarray, classes: Sequence[str], title: str) -> None:
    per_class_report(y, proba, classes).to_csv(folder / f"{prefix}per_class_report.csv", index=False)
    plots.confusion_matrix_png(y, proba, classes, folder / f"{prefix}confusion_matrix.png", title)
    plots.roc_png(y, proba, classes, folder / f"{prefix}roc_one_vs_rest.png", title)
    plots.reliability_png(y, proba, classes, folder / f"{prefix}reliability.png", title)


def _log_candidate(tracker: Tracker, report: CandidateReport, config: Mapping[str, Any],
                   y_syn: np.ndarray, real: pd.DataFrame, classes: Sequence[str], workdir: Path,
                   vignettes: pd.DataFrame | None = None) -> str:
    spec = config["candidates"].get(report.name)
    run_id = tracker.start_child(_run_name(report, spec), {
        "candidate": report.name, "reference": str(report.reference).lower(),
        "model_family": spec["model"] if spec else report.name,
    })
    params = {f"candidate.{k}": v for k, v in flatten(spec).items()} if spec else {}
    params.update({f"chosen.{k.rsplit('__', 1)[-1]}": v for k, v in report.best_params.items()})
    params.update({"seed": config["seed"], "synthetic.n": config["synthetic"]["n"],
                   "cv.folds": config["cv"]["folds"], "cv.repeats": config["cv"]["repeats"],
                   "real_cv.folds": config["real_cv"]["folds"], "fill_in.n": config["fill_in"]["n"],
                   "fill_in.missingness": config["fill_in"]["missingness"],
                   "fill_in.real_rows": config["fill_in"]["real_rows"],
                   "synthetic.missingness": config["synthetic"]["missingness"],
                   "readings": ",".join(READINGS) if report.model is not None and has_readings(report.model)
                   else reading_taught_by(config["fill_in"]["missingness"])})
    tracker.log(run_id, params=params, metrics=report.metrics)
    if report.failed:
        tracker.log(run_id, tags={"error": report.error[-4000:]})
        tracker.finish(run_id, "FAILED")
        return run_id
    folder = workdir / report.name
    folder.mkdir(parents=True)
    index, fold, proba = pooled(report, "real")
    if len(index):
        y_real = real["diagnosis"].astype(str).to_numpy(dtype=object)[index]
        _plots(folder, "real_", np.searchsorted(np.asarray(classes), y_real), proba, classes,
               f"{report.name}, {len(index)} real cases")
        predictions = pd.DataFrame(proba, columns=[f"p_{c}" for c in classes])
        predictions.insert(0, "fold", fold)
        predictions.insert(0, "diagnosis", y_real)
        predictions.insert(0, "id", real["id"].to_numpy(dtype=object)[index] if "id" in real else index)
        predictions.to_csv(folder / "real_predictions.csv", index=False)
    index, _, proba = pooled(report, "synthetic")
    if len(index):
        _plots(folder, "synthetic_", np.searchsorted(np.asarray(classes), y_syn[index]), proba, classes,
               f"{report.name}, synthetic CV")
    if report.vignette_proba is not None and vignettes is not None:
        table = pd.DataFrame(report.vignette_proba, columns=[f"p_{c}" for c in classes])
        table.insert(0, "diagnosis", vignettes["diagnosis"].astype(str).to_numpy())
        table.insert(0, "id", vignettes["id"].to_numpy(dtype=object))
        table.to_csv(folder / "vignette_predictions.csv", index=False)
    if report.model is not None:
        plots.importance_png(report.model, folder / "feature_importance.png", report.name)
    tracker.log_artifacts(run_id, folder)
    return run_id


def train(
    config: Mapping[str, Any],
    *,
    tracking_uri: str | None = None,
    models_dir: str | Path | None = None,
    label: str = "default",
    on_task_done: Callable[[FoldResult], None] = lambda result: None,
    on_stage: Callable[[str], None] = lambda stage: None,
) -> TrainOutcome:
    """Run the experiment of ``config`` end to end; see the module docstring."""
    start = time.perf_counter()
    reset_timer()
    check_before_work(config)
    models_dir = Path(models_dir) if models_dir is not None else _resolve(config["output"]["models_dir"])
    uri = resolve_tracking_uri(tracking_uri, config["mlflow"]["tracking_uri"])
    sweep(models_dir)
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    on_stage("updating the priors with real cases")
    priors_path = _resolve(config["data"]["priors"])
    real_path = _resolve(config["data"]["real_cases"])
    priors = load_priors(priors_path)
    literature = CaseGenerator(priors)
    classes = sorted(priors.classes)
    real = validate(read_cases_csv(real_path), classes=priors.classes).reset_index(drop=True)
    stages.reached("updating_priors")
    overall, fold_updates = prior_updates(priors, real, config, on_task_done)
    updates = [overall, *fold_updates]
    generator = overall.generator
    on_stage("drawing synthetic cases")
    stages.reached("sampling")
    synthetic = generator.sample(config["synthetic"]["n"], balance=config["synthetic"]["balance"],
                                 random_state=config["seed"], missingness=config["synthetic"]["missingness"])
    fingerprint = data_fingerprint(real_path, priors.sha256, config)

    on_stage("connecting to MLflow")
    tracker = Tracker(uri, config["mlflow"]["experiment"])
    from tumorclf import __version__

    n_sources = len(set(groups_of(real)))
    parent = tracker.start_parent(f"train {label}", {
        "git_commit": git_commit(), "priors_sha256": priors.sha256,
        "data_fingerprint": fingerprint, "tumorclf_version": __version__, "overrides": label,
        "selection_metric": selection_column(config["selection"]),
    }, description=(
        f"tumorclf train ({label}): {len(config['candidates'])} candidates, chosen by "
        f"{selection_column(config['selection'])} on {config['real_cv']['folds']}-fold CV over {len(real)} "
        f"real cases grouped by their {n_sources} sources; {config['cv']['folds']}x{config['cv']['repeats']} "
        f"stratified CV on {config['synthetic']['n']:,} synthetic cases from the updated priors as a diagnostic."
    ))
    status = "FAILED"
    try:
        tracker.log(parent, params={
            **flatten(config),
            **{f"prior_update.chosen.{k}": v for k, v in overall.best_params.items()},
        })
        on_stage("evaluating")
        reports = evaluate(candidates_from_config(config, generator, literature), synthetic, real, generator,
                           config, fold_updates, on_task_done=on_task_done, overall=overall)
        vignettes = (load_vignettes(_resolve(config["data"]["vignettes"]), generator.classes_)[0]
                     if config["data"].get("vignettes") else None)
        if vignettes is not None:
            on_stage("scoring the vignettes")
            add_vignette_figures(reports, vignettes, classes, generator, literature, real)
        eligible = [r for r in reports if not r.reference and not r.failed and r.model is not None]
        if not eligible:
            raise RuntimeError("every candidate failed; see the FAILED child runs for their errors")
        guarded, guard_note = guarded_candidates(eligible, reports, config["selection"])
        champion = min(guarded, key=lambda r: _selection_key(r, config["selection"]))
        calibration = _calibrate_coverage(champion, real, classes, config["coverage"], vignettes)

        on_stage("recording")
        stages.reached("recording")
        y_syn = synthetic["diagnosis"].astype(str).to_numpy(dtype=object)
        rows = summary_rows(reports)
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            child_ids = {r.name: _log_candidate(tracker, r, config, y_syn, real, classes, workdir, vignettes)
                         for r in reports}
            parent_dir = workdir / "_parent"
            parent_dir.mkdir()
            pd.DataFrame(rows).to_csv(parent_dir / "comparison.csv", index=False)
            plots.comparison_png(rows, parent_dir / "comparison.png")
            _prior_update_table(updates).to_csv(parent_dir / "prior_updates.csv", index=False)
            (parent_dir / "config.yaml").write_text(yaml.safe_dump(dict(config), sort_keys=False), encoding="utf-8")
            (parent_dir / "priors.yaml").write_bytes(priors_path.read_bytes())
            tracker.log_artifacts(parent, parent_dir)

        manifest = {
            "candidate": champion.name,
            "classes": [str(c) for c in champion.model.classes_],
            "display_order": list(generator.classes_),
            "clinical_prior": dict(zip(generator.classes_, map(float, generator.clinical_prior_))),
            "training_prior": _training_prior(champion),
            "schema_version": SCHEMA_VERSION,
            "priors_sha256": priors.sha256,
            "prior_update": {"n_real_cases": len(real), **overall.best_params},
            "readings": list(READINGS) if has_readings(champion.model) else [
                reading_taught_by(config["fill_in"]["missingness"])],
            "fill_in_missingness": config["fill_in"]["missingness"],
            "data_fingerprint": fingerprint,
            "metrics": {k: v for k, v in champion.metrics.items() if np.isfinite(v)},
            # calibrated on the champion's out-of-fold real cases, read as entered, on its training prior's scale
            **(calibration.to_manifest() if calibration else {}),
            "best_params": {k: _plain(v) for k, v in champion.best_params.items()},
            "mlflow": {"tracking_uri": uri, "experiment_id": tracker.experiment_id,
                       "parent_run_id": parent, "run_id": child_ids[champion.name]},
        }
        model_path = save_model(champion.model, manifest, models_dir, parent)
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "tumorclf_manifest.json"
            copy.write_bytes((model_path.parent / "manifest.json").read_bytes())
            tracker.log_artifacts(child_ids[champion.name], Path(tmp))
        requirements = [f"{p}=={version_of(p)}" for p in PREDICTION_REQUIREMENTS]
        version = tracker.log_model(child_ids[champion.name], model_path.parent, list(generator.classes_),
                                    sparse_example(real), config["mlflow"]["registered_model"], requirements)
        oracle = next((r for r in reports if r.name == ORACLE), None)
        column = selection_column(config["selection"])
        tracker.log(parent, metrics={
            f"champion_{column}": champion.metrics[column],
            **{f"champion_real_{m}_mean": champion.metrics[f"real_{m}_mean"] for m in REAL_HEADLINE
               if f"real_{m}_mean" in champion.metrics},
            **({"champion_oracle_ratio": champion.metrics["cv_oracle_ratio_mean"]}
               if "cv_oracle_ratio_mean" in champion.metrics else {}),
            **({"oracle_cv_log_loss_mean": oracle.metrics["cv_log_loss_mean"]} if oracle and not oracle.failed else {}),
        }, tags={"champion": champion.name, "registered_version": version,
                 "selection_guard": config["selection"].get("guard", "mcs_top3_vs_literature"),
                 "selection_guard_result": guard_note})
        for name, frame in (("synthetic_cv", synthetic), ("real_cases", real)):
            tracker.log_dataset(parent, to_csv_frame(frame).astype(str), name, "training")
        # The commit: nothing before it changes what counts as the champion, and
        # Ctrl-C or SIGTERM wait until it is whole.
        try:
            with signals_deferred():
                stages.reached("commit")
                tracker.finish_open("FINISHED")
                tracker.set_alias(config["mlflow"]["registered_model"], version)
                promote_champion(models_dir, parent)
        except KeyboardInterrupt:
            pass  # it arrived during the commit, which is whole: nothing is left to stop
        status = "FINISHED"
    except KeyboardInterrupt:
        status = "KILLED"
        raise
    finally:
        tracker.finish_open(status)
    return TrainOutcome(
        parent_run_id=parent, experiment_id=tracker.experiment_id, tracking_uri=uri,
        champion=champion.name, champion_path=model_path, registered_version=version, reports=reports,
        rows=rows, selection_metric=selection_column(config["selection"]), wall_seconds=time.perf_counter() - start,
        mlflow_seconds=mlflow_seconds(), coverage=calibration.figures if calibration else {}, selection_guard=guard_note,
    )


@dataclass
class ChampionCalibration:
    """What training calibrates on the champion's out-of-fold real cases, and how it did."""

    sets: Any  # tumorclf.conformal.CoverageSets
    alert: Any  # tumorclf.conformal.MCSAlert, or None without MCS cases
    alert_calibration: Any  # tumorclf.conformal.AlertCalibration: to choose the alert again under a user's prior
    recalibration: Any  # tumorclf.training.recalibration.Recalibration
    figures: dict[str, Any]

    def to_manifest(self) -> dict[str, Any]:
        """The manifest's entries (on the training prior's scale, as entered)."""
        out = {"coverage": self.sets.to_manifest(), "recalibration": self.recalibration.to_manifest()}
        if self.alert is not None:
            out["mcs_alert"] = {**self.alert.to_manifest(), "calibration": self.alert_calibration.to_manifest()}
        return out


def _calibrate_coverage(champion: CandidateReport, real: pd.DataFrame, classes: Sequence[str],
                        settings: Mapping[str, Any], vignettes: pd.DataFrame | None = None
                        ) -> ChampionCalibration | None:
    """Calibration on the champion's out-of-fold real-case predictions (as entered): a temperature, kept only
    if cross-fitting it lowers the held-out log loss; then the coverage sets and MCS alert, on the
    probabilities as the champion will give them, and what they do on the fully reported vignettes.
    Their figures join its metrics (so they are logged)."""
    from tumorclf.conformal import ALERT_CLASS, AlertCalibration
    from tumorclf.training.coverage import calibrate, complete_report_figures
    from tumorclf.training.recalibration import apply_temperature, recalibrate

    index, fold, proba = pooled(champion, "real")
    if not len(index):
        return None
    y = np.searchsorted(np.asarray(classes), real["diagnosis"].astype(str).to_numpy(dtype=object)[index])
    recalibration = recalibrate(proba, y, fold)
    if recalibration.applied:
        proba = apply_temperature(proba, recalibration.temperature)
    sets, alert, figures = calibrate(proba, y, fold, classes, alpha=settings["alpha"], target=settings["mcs_target"])
    figures.update({"recalibration_temperature": recalibration.temperature,
                    "recalibration_applied": float(recalibration.applied),
                    "real_log_loss_before_recalibration": recalibration.log_loss_before,
                    "real_log_loss_recalibrated": recalibration.log_loss_after})
    if vignettes is not None and champion.vignette_proba is not None:  # uniform prior: the training prior's scale
        complete = champion.vignette_proba
        if recalibration.applied:
            complete = apply_temperature(complete, recalibration.temperature)
        truth = np.searchsorted(np.asarray(classes), vignettes["diagnosis"].astype(str).to_numpy(dtype=object))
        figures.update(complete_report_figures(sets, alert, complete, truth, classes))
    champion.metrics.update(figures)
    alert_calibration = None if alert is None else AlertCalibration(
        tuple(classes), proba, y == list(classes).index(ALERT_CLASS), float(settings["mcs_target"]))
    return ChampionCalibration(sets, alert, alert_calibration, recalibration, figures)


def add_vignette_figures(reports: Sequence[CandidateReport], vignettes: pd.DataFrame, classes: Sequence[str],
                         generator: Any, literature: Any, real: pd.DataFrame) -> None:
    """Score every candidate's final model and every reference on the vignettes (as entered, uniform prior).

    The references are fitted as they are scored on real cases: the literature
    and the updated priors' exact posteriors, and the seed rule on every real case.
    """
    y_real = real["diagnosis"].astype(str).to_numpy(dtype=object)
    X_real = real.drop(columns=["diagnosis"])
    reference_models = {
        ORACLE: OracleClassifier(generator, prior="uniform"),
        LITERATURE: OracleClassifier(literature, prior="uniform"),
        SEED_RULE: SeedRuleClassifier(),
    }
    for report in reports:
        if report.failed:
            continue
        if report.reference:
            model = reference_models.get(report.name)
            if model is None:
                continue
            model.fit(X_real, y_real)
            prior = _class_shares(y_real) if report.name == SEED_RULE else None
        else:
            if report.model is None:
                continue
            model, prior = report.model, _training_prior(report)
        proba, figures = score_vignettes(model, vignettes, classes, prior)
        report.vignette_proba = proba
        report.metrics.update({f"vignette_{k}": v for k, v in figures.items()})


def sparse_example(real: pd.DataFrame) -> pd.DataFrame:
    """A real case as a report gives it: only its reported fields, age a number, the rest text."""
    fields = as_text_frame(real.drop(columns=["diagnosis", "source", "id", "quote", "remarks"], errors="ignore"))
    reported = fields.ne("")
    row = int(reported.sum(axis=1).sub(6).abs().idxmin())  # about six findings: sparse, yet informative
    example = fields.loc[[row], reported.loc[row]].reset_index(drop=True)
    if "age" in example:
        example["age"] = example["age"].astype(float)
    return example


def _prior_update_table(updates: Sequence[PriorUpdate]) -> pd.DataFrame:
    """The settings each fold's inner grouped CV chose for the prior update (fold -1: all cases)."""
    return pd.DataFrame([{"fold": u.fold, "n_train": len(u.train_index), "n_test": len(u.test_index),
                          **u.best_params, "seconds": round(u.seconds, 3)} for u in updates])


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _training_prior(report: CandidateReport) -> dict[str, float]:
    """The class prior a final model's probabilities are under: its own, or its training rows' shares."""
    model = report.model
    own = getattr(model[-1] if hasattr(model, "steps") else model, "training_prior_", None)
    if own is not None:
        return {str(c): float(p) for c, p in own.items()}
    return {str(c): float((report.training_shares or {}).get(str(c), 0.0)) for c in model.classes_}


def _class_shares(labels: np.ndarray) -> dict[str, float]:
    values, counts = np.unique(np.asarray(labels, dtype=str), return_counts=True)
    return {str(v): float(k / counts.sum()) for v, k in zip(values, counts)}


__all__ = ["TrainOutcome", "check_before_work", "count_tasks", "train"]
