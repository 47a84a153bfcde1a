"""``tumorclf train`` as a library call: evaluate, choose, save, record.

:func:`train` reads top to bottom as the experiment it runs: it checks the
config; updates the literature priors with the real cases (on every real
fold and on all of them, :mod:`tumorclf.training.real_cv`); draws the
synthetic sample from the updated priors; evaluates every candidate and
reference (:mod:`tumorclf.training.evaluation`) and scores them on the
vignettes; picks the champion by the selection metric on real-case grouped
CV (:mod:`tumorclf.training.selection`) and calibrates its sets and alert
(:mod:`tumorclf.training.calibration`); records everything in MLflow (one
parent run, one child per candidate, :mod:`tumorclf.training.recording`);
saves the champion atomically under ``models/runs/<run id>/`` with its
:class:`~tumorclf.prediction.manifest.Manifest`, registers it with the alias
``champion`` and only then points ``models/champion.json`` at it. If
anything fails or the run is interrupted, the MLflow runs are marked FAILED
or KILLED and the previous champion stays as it was.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from tumorclf import stages
from tumorclf.case_io import read_cases_csv
from tumorclf.model.priors import Priors, load_priors
from tumorclf.model.readings import READINGS
from tumorclf.paths import project_path, resolve_tracking_uri
from tumorclf.persistence.artifacts import promote_champion, save_model, sweep
from tumorclf.persistence.atomic import signals_deferred
from tumorclf.prediction.manifest import Manifest
from tumorclf.schema import SCHEMA_VERSION, validate
from tumorclf.synthetic import CaseGenerator
from tumorclf.tracking.runs import (
    Tracker,
    git_commit,
    mlflow_seconds,
    reset_timer,
)
from tumorclf.tracking.store import ui_command
from tumorclf.training.calibration import ChampionCalibration, calibrate_champion
from tumorclf.training.candidates import (
    ORACLE,
    candidates_from_config,
    check_candidate,
    has_readings,
    reading_taught_by,
    reuses_prior_update,
)
from tumorclf.training.config import ConfigError, flatten
from tumorclf.training.evaluation import CandidateReport, FoldResult, evaluate, prior_updates
from tumorclf.training.metrics import REAL_HEADLINE
from tumorclf.training.real_cv import PriorUpdate, groups_of
from tumorclf.training.recording import (
    Drawing,
    record_artifacts,
    record_candidates,
    record_champion,
    record_datasets,
)
from tumorclf.training.selection import choose_champion, selection_column
from tumorclf.training.vignettes import add_vignette_figures, load_vignettes


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
    coverage: dict[str, Any] = field(
        default_factory=dict
    )  # the champion's coverage-set and MCS-alert figures
    selection_guard: str = ""  # which candidates could be champion, and why

    @property
    def ui_command(self) -> str:
        return ui_command(self.tracking_uri)


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
    models_dir = (
        Path(models_dir) if models_dir is not None else project_path(config["output"]["models_dir"])
    )
    uri = resolve_tracking_uri(tracking_uri, config["mlflow"]["tracking_uri"])
    sweep(models_dir)
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    on_stage("updating the priors with real cases")
    priors, real = read_inputs(config)
    classes = sorted(priors.classes)
    stages.reached("updating_priors")
    overall, fold_updates = prior_updates(priors, real, config, on_task_done)
    generator, literature = overall.generator, CaseGenerator(priors)

    on_stage("drawing synthetic cases")
    stages.reached("sampling")
    synthetic = generator.sample(
        config["synthetic"]["n"],
        balance=config["synthetic"]["balance"],
        random_state=config["seed"],
        missingness=config["synthetic"]["missingness"],
    )

    on_stage("connecting to MLflow")
    tracker = Tracker(uri, config["mlflow"]["experiment"])
    parent = tracker.start_parent(
        f"train {label}",
        _parent_tags(config, priors, label),
        description=_description(config, label, real),
    )
    status = "FAILED"
    try:
        tracker.log(
            parent,
            params={
                **flatten(config),
                **{f"prior_update.chosen.{k}": v for k, v in overall.best_params.items()},
            },
        )
        on_stage("evaluating")
        reports = evaluate(
            candidates_from_config(config, generator, literature),
            synthetic,
            real,
            generator,
            config,
            fold_updates,
            on_task_done=on_task_done,
            overall=overall,
        )
        vignettes = None
        if config["data"].get("vignettes"):
            on_stage("scoring the vignettes")
            vignettes = load_vignettes(
                project_path(config["data"]["vignettes"]), generator.classes_
            )[0]
            add_vignette_figures(reports, vignettes, classes, generator, literature, real)
        champion, guard_note = choose_champion(reports, config["selection"])
        calibration = calibrate_champion(champion, real, classes, config["coverage"], vignettes)

        on_stage("recording")
        stages.reached("recording")
        with tempfile.TemporaryDirectory() as tmp:
            drawing = Drawing(
                Path(tmp), reports, config, synthetic, real, classes, vignettes
            )  # drawn meanwhile
            child_ids = record_candidates(tracker, reports, config)
            manifest = champion_manifest(
                champion,
                calibration,
                config,
                priors,
                generator,
                overall,
                real,
                {
                    "tracking_uri": uri,
                    "experiment_id": tracker.experiment_id,
                    "parent_run_id": parent,
                    "run_id": child_ids[champion.name],
                },
            )
            _carry_evidence(champion.model)
            model_path = save_model(champion.model, manifest.to_dict(), models_dir, parent)
            version = record_champion(
                tracker,
                child_ids[champion.name],
                model_path,
                generator.classes_,
                real,
                config["mlflow"]["registered_model"],
            )
            tracker.log(
                parent,
                metrics=_champion_metrics(champion, reports, config),
                tags={
                    "champion": champion.name,
                    "registered_version": version,
                    "selection_guard": config["selection"].get("guard", "mcs_top3_vs_literature"),
                    "selection_guard_result": guard_note,
                },
            )
            record_datasets(tracker, parent, synthetic, real)
            rows = record_artifacts(
                tracker,
                parent,
                reports,
                child_ids,
                drawing,
                config,
                [overall, *fold_updates],
                project_path(config["data"]["priors"]),
            )
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
        parent_run_id=parent,
        experiment_id=tracker.experiment_id,
        tracking_uri=uri,
        champion=champion.name,
        champion_path=model_path,
        registered_version=version,
        reports=reports,
        rows=rows,
        selection_metric=selection_column(config["selection"]),
        wall_seconds=time.perf_counter() - start,
        mlflow_seconds=mlflow_seconds(),
        coverage=calibration.figures if calibration else {},
        selection_guard=guard_note,
    )


# -- before the work ------------------------------------------------------------------


def check_before_work(config: Mapping[str, Any]) -> None:
    """Problems that must stop a train before any data is drawn."""
    problems = [
        p for name, spec in config["candidates"].items() for p in check_candidate(name, spec)
    ]
    if config["selection"]["metric"] == "oracle_ratio" and not config["references"].get(
        "bayes_oracle"
    ):
        problems.append("selection.metric oracle_ratio needs references.bayes_oracle: true")
    for key in ("real_cases", "priors", "vignettes"):
        if config["data"].get(key) is not None and not project_path(config["data"][key]).exists():
            problems.append(f"data.{key}: {project_path(config['data'][key])} does not exist")
    if problems:
        raise ConfigError("\n  ".join(["the experiment config has problems:", *problems]))


def count_tasks(config: Mapping[str, Any], n_real: int = 0) -> int:
    """Tasks a train runs, for progress: the prior updates; per candidate and reference its
    synthetic folds and its tuning (with its final fit); the real folds of those a real fold
    fits."""
    n_candidates = sum(not reuses_prior_update(spec) for spec in config["candidates"].values())
    references = config["references"]
    n_references = sum(bool(v) for v in references.values())
    outer = config["cv"]["folds"] * config["cv"]["repeats"]
    real_folds = config["real_cv"]["folds"]
    fitted_on_real = n_candidates + n_references - bool(references.get("bayes_oracle"))
    return (
        (real_folds + 1) + (n_candidates + n_references) * (outer + 1) + fitted_on_real * real_folds
    )


def read_inputs(config: Mapping[str, Any]) -> tuple[Priors, pd.DataFrame]:
    """The literature priors and the validated real cases the config names."""
    priors = load_priors(project_path(config["data"]["priors"]))
    real = read_cases_csv(project_path(config["data"]["real_cases"]))
    return priors, validate(real, classes=priors.classes).reset_index(drop=True)


def data_fingerprint(real_path: Path, priors_sha: str, config: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(real_path.read_bytes())
    digest.update(priors_sha.encode())
    digest.update(yaml.safe_dump({k: config[k] for k in ("seed", "synthetic", "fill_in")}).encode())
    return digest.hexdigest()


# -- what the record says ------------------------------------------------------------------


def _parent_tags(config: Mapping[str, Any], priors: Priors, label: str) -> dict[str, str]:
    from tumorclf import __version__

    return {
        "git_commit": git_commit(),
        "priors_sha256": priors.sha256,
        "data_fingerprint": data_fingerprint(
            project_path(config["data"]["real_cases"]), priors.sha256, config
        ),
        "tumorclf_version": __version__,
        "overrides": label,
        "selection_metric": selection_column(config["selection"]),
    }


def _description(config: Mapping[str, Any], label: str, real: pd.DataFrame) -> str:
    return (
        f"tumorclf train ({label}): {len(config['candidates'])} candidates, chosen by "
        f"{selection_column(config['selection'])} on {config['real_cv']['folds']}-fold CV over "
        f"{len(real)} real cases grouped by their {len(set(groups_of(real)))} sources; "
        f"{config['cv']['folds']}x{config['cv']['repeats']} stratified CV on "
        f"{config['synthetic']['n']:,} synthetic cases from the updated priors as a diagnostic."
    )


def champion_manifest(
    champion: CandidateReport,
    calibration: ChampionCalibration | None,
    config: Mapping[str, Any],
    priors: Priors,
    generator: CaseGenerator,
    overall: PriorUpdate,
    real: pd.DataFrame,
    mlflow_ids: Mapping[str, str],
) -> Manifest:
    """The champion's :class:`~tumorclf.prediction.manifest.Manifest`: its classes and priors, the
    readings it offers, how it did, and what it was calibrated with (on its training prior's scale,
    as entered)."""
    return Manifest(
        candidate=champion.name,
        classes=tuple(str(c) for c in champion.model.classes_),
        display_order=tuple(generator.classes_),
        clinical_prior=dict(
            zip(generator.classes_, map(float, generator.clinical_prior_), strict=True)
        ),
        training_prior={str(c): float(p) for c, p in (champion.training_prior or {}).items()},
        schema_version=SCHEMA_VERSION,
        readings=READINGS
        if has_readings(champion.model)
        else (reading_taught_by(config["fill_in"]["missingness"]),),
        sets=calibration.sets if calibration else None,
        alert=calibration.alert if calibration else None,
        alert_calibration=calibration.alert_calibration if calibration else None,
        recalibration=calibration.recalibration if calibration else None,
        metrics={k: v for k, v in champion.metrics.items() if np.isfinite(v)},
        best_params={k: _plain(v) for k, v in champion.best_params.items()},
        prior_update={"n_real_cases": len(real), **overall.best_params},
        fill_in_missingness=config["fill_in"]["missingness"],
        priors_sha256=priors.sha256,
        data_fingerprint=data_fingerprint(
            project_path(config["data"]["real_cases"]), priors.sha256, config
        ),
        mlflow=dict(mlflow_ids),
    )


def _champion_metrics(
    champion: CandidateReport, reports: Sequence[CandidateReport], config: Mapping[str, Any]
) -> dict[str, float]:
    """The parent run's headline: the champion's selection figure, its real-case figures and the
    oracle's."""
    column = selection_column(config["selection"])
    oracle = next((r for r in reports if r.name == ORACLE), None)
    return {
        f"champion_{column}": champion.metrics[column],
        **{
            f"champion_real_{m}_mean": champion.metrics[f"real_{m}_mean"]
            for m in REAL_HEADLINE
            if f"real_{m}_mean" in champion.metrics
        },
        **(
            {"champion_oracle_ratio": champion.metrics["cv_oracle_ratio_mean"]}
            if "cv_oracle_ratio_mean" in champion.metrics
            else {}
        ),
        **(
            {"oracle_cv_log_loss_mean": oracle.metrics["cv_log_loss_mean"]}
            if oracle and not oracle.failed
            else {}
        ),
    }


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _carry_evidence(model: Any) -> None:
    """What stands behind the champion's rates, computed once and saved in its artifact, so the
    page shows it without reading the series file at request time."""
    final = model
    while hasattr(final, "steps"):
        final = final.steps[-1][1]
    if hasattr(final, "evidence"):
        final.evidence()


__all__ = [
    "TrainOutcome",
    "champion_manifest",
    "check_before_work",
    "count_tasks",
    "read_inputs",
    "train",
]
