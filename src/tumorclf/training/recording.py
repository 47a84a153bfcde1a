"""A train's record in MLflow: one child run per candidate with its plots and tables, the parent's
artifacts, and the champion logged as a model.

The plots of the candidates are drawn by the joblib workers the evaluation
used (:class:`Drawing`) while this process records the runs and the
champion; every MLflow call stays in this process.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from importlib.metadata import version as version_of
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from joblib import Parallel, delayed

from tumorclf.case_io import as_text_frame, to_csv_frame
from tumorclf.model.readings import READINGS
from tumorclf.schema import FIELDS
from tumorclf.tracking.runs import Tracker
from tumorclf.training import plots
from tumorclf.training.candidates import has_readings, reading_taught_by
from tumorclf.training.config import flatten
from tumorclf.training.evaluation import CandidateReport
from tumorclf.training.metrics import COMPARISON_COLUMNS
from tumorclf.training.real_cv import PriorUpdate

#: What serving the champion needs, pinned to this environment's versions when it is logged.
PREDICTION_REQUIREMENTS = ("mlflow", "scikit-learn", "numpy", "scipy", "pandas", "skops")


def summary_rows(reports: Sequence[CandidateReport]) -> list[dict[str, Any]]:
    """One row per candidate: real-case figures first, then the synthetic diagnostics."""
    return [
        {
            "candidate": r.name,
            "reference": r.reference,
            "status": "FAILED" if r.failed else "ok",
            **{name: r.metrics.get(name) for name in COMPARISON_COLUMNS},
            "fit_seconds": r.fit_seconds,
            "best_params": ", ".join(
                f"{k.rsplit('__', 1)[-1]}={v}" for k, v in r.best_params.items()
            ),
        }
        for r in reports
    ]


def per_class_report(y: np.ndarray, proba: np.ndarray, classes: Sequence[str]) -> pd.DataFrame:
    predicted = proba.argmax(axis=1)
    rows = []
    for j, name in enumerate(classes):
        truth, said = y == j, predicted == j
        tp = (truth & said).sum()
        precision = tp / said.sum() if said.sum() else np.nan
        recall = tp / truth.sum() if truth.sum() else np.nan
        rows.append(
            {
                "class": name,
                "support": int(truth.sum()),
                "precision": precision,
                "recall": recall,
                "f1": 2 * precision * recall / (precision + recall)
                if precision + recall
                else np.nan,
                "mean_probability_when_true": proba[truth, j].mean() if truth.any() else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _run_name(report: CandidateReport, spec: Mapping[str, Any] | None) -> str:
    if spec is None:
        return f"{report.name} (reference)"
    chosen = ", ".join(f"{k.rsplit('__', 1)[-1]}={v}" for k, v in report.best_params.items())
    return f"{report.name} [{spec['encoding']}{', ' + chosen if chosen else ''}]"


def artifact_jobs(
    folder: Path,
    report: CandidateReport,
    y_syn: np.ndarray,
    real: pd.DataFrame,
    classes: Sequence[str],
    vignettes: pd.DataFrame | None = None,
) -> list[Any]:
    """Write one candidate's tables into ``folder`` now, and return its plots as delayed calls (one
    a plot, so that they spread over the workers): real cases first, then the synthetic CV, the
    vignettes and what the model leans on."""
    folder.mkdir(parents=True)
    jobs = []

    def add(prefix: str, y: np.ndarray, proba: np.ndarray, title: str) -> None:
        per_class_report(y, proba, classes).to_csv(
            folder / f"{prefix}per_class_report.csv", index=False
        )
        for name, draw in (
            ("confusion_matrix", plots.confusion_matrix_png),
            ("roc_one_vs_rest", plots.roc_png),
            ("reliability", plots.reliability_png),
        ):
            jobs.append(delayed(draw)(y, proba, classes, folder / f"{prefix}{name}.png", title))

    index, fold, proba = report.pooled("real")
    if len(index):
        y_real = real["diagnosis"].astype(str).to_numpy(dtype=object)[index]
        add(
            "real_",
            np.searchsorted(np.asarray(classes), y_real),
            proba,
            f"{report.name}, {len(index)} real cases",
        )
        predictions = pd.DataFrame(proba, columns=[f"p_{c}" for c in classes])
        predictions.insert(0, "fold", fold)
        predictions.insert(0, "diagnosis", y_real)
        predictions.insert(
            0, "id", real["id"].to_numpy(dtype=object)[index] if "id" in real else index
        )
        predictions.to_csv(folder / "real_predictions.csv", index=False)
    index, _, proba = report.pooled("synthetic")
    if len(index):
        add(
            "synthetic_",
            np.searchsorted(np.asarray(classes), y_syn[index]),
            proba,
            f"{report.name}, synthetic CV",
        )
    if report.vignette_proba is not None and vignettes is not None:
        table = pd.DataFrame(report.vignette_proba, columns=[f"p_{c}" for c in classes])
        table.insert(0, "diagnosis", vignettes["diagnosis"].astype(str).to_numpy())
        table.insert(0, "id", vignettes["id"].to_numpy(dtype=object))
        table.to_csv(folder / "vignette_predictions.csv", index=False)
    if report.model is not None:
        jobs.append(
            delayed(plots.importance_png)(
                report.model, folder / "feature_importance.png", report.name
            )
        )
    return jobs


def _params(
    report: CandidateReport, spec: Mapping[str, Any] | None, config: Mapping[str, Any]
) -> dict[str, Any]:
    """A child run's parameters: the candidate as configured and as tuned, and the experiment's
    settings."""
    params = {f"candidate.{k}": v for k, v in flatten(spec).items()} if spec else {}
    params.update({f"chosen.{k.rsplit('__', 1)[-1]}": v for k, v in report.best_params.items()})
    readings = (
        ",".join(READINGS)
        if report.model is not None and has_readings(report.model)
        else reading_taught_by(config["fill_in"]["missingness"])
    )
    params.update(
        {
            "seed": config["seed"],
            "synthetic.n": config["synthetic"]["n"],
            "cv.folds": config["cv"]["folds"],
            "cv.repeats": config["cv"]["repeats"],
            "real_cv.folds": config["real_cv"]["folds"],
            "fill_in.n": config["fill_in"]["n"],
            "fill_in.missingness": config["fill_in"]["missingness"],
            "fill_in.real_rows": config["fill_in"]["real_rows"],
            "synthetic.missingness": config["synthetic"]["missingness"],
            "readings": readings,
        }
    )
    return params


class Drawing:
    """The candidates' plots and tables, put in a folder each under ``workdir``: the tables are
    written at once, the plots handed to the workers, which draw them while the train goes on
    recording (:meth:`finish` waits)."""

    def __init__(
        self,
        workdir: Path,
        reports: Sequence[CandidateReport],
        config: Mapping[str, Any],
        synthetic: pd.DataFrame,
        real: pd.DataFrame,
        classes: Sequence[str],
        vignettes: pd.DataFrame | None,
    ) -> None:
        y_syn = synthetic["diagnosis"].astype(str).to_numpy(dtype=object)
        jobs = [
            job
            for r in reports
            if not r.failed
            for job in artifact_jobs(workdir / r.name, r, y_syn, real, classes, vignettes)
        ]
        local = (
            config["parallel"].get("backend", "local") == "local"
        )  # the plots are drawn here, not on a cluster
        self.workdir = workdir
        self._drawn = Parallel(
            n_jobs=config["parallel"]["n_jobs"] if local else 1,
            pre_dispatch="all",
            return_as="generator_unordered",
        )(jobs)

    def finish(self) -> None:
        """Wait until every plot is drawn (a plot that failed raises here)."""
        for _ in self._drawn:
            pass


def record_candidates(
    tracker: Tracker, reports: Sequence[CandidateReport], config: Mapping[str, Any]
) -> dict[str, str]:
    """One child run per candidate with its parameters and metrics (FAILED, with its error, for a
    failed one); returns the run ids by candidate."""
    child_ids = {}
    for report in reports:
        spec = config["candidates"].get(report.name)
        run_id = tracker.start_child(
            _run_name(report, spec),
            {
                "candidate": report.name,
                "reference": str(report.reference).lower(),
                "model_family": spec["model"] if spec else report.name,
            },
        )
        tracker.log(run_id, params=_params(report, spec, config), metrics=report.metrics)
        if report.failed:
            tracker.log(run_id, tags={"error": report.error[-4000:]})
            tracker.finish(run_id, "FAILED")
        child_ids[report.name] = run_id
    return child_ids


def record_artifacts(
    tracker: Tracker,
    parent: str,
    reports: Sequence[CandidateReport],
    child_ids: Mapping[str, str],
    drawing: Drawing,
    config: Mapping[str, Any],
    updates: Sequence[PriorUpdate],
    priors_path: Path,
) -> list[dict[str, Any]]:
    """Each candidate's plots and tables in its run (once drawn), and the parent's comparison, prior
    updates, config and priors file; returns the comparison rows."""
    drawing.finish()
    for report in reports:
        if not report.failed:
            tracker.log_artifacts(child_ids[report.name], drawing.workdir / report.name)
    rows = summary_rows(reports)
    parent_dir = drawing.workdir / "_parent"
    parent_dir.mkdir()
    pd.DataFrame(rows).to_csv(parent_dir / "comparison.csv", index=False)
    plots.comparison_png(rows, parent_dir / "comparison.png")
    prior_update_table(updates).to_csv(parent_dir / "prior_updates.csv", index=False)
    (parent_dir / "config.yaml").write_text(
        yaml.safe_dump(dict(config), sort_keys=False), encoding="utf-8"
    )
    (parent_dir / "priors.yaml").write_bytes(priors_path.read_bytes())
    tracker.log_artifacts(parent, parent_dir)
    return rows


def record_champion(
    tracker: Tracker,
    run_id: str,
    model_path: Path,
    classes: Sequence[str],
    real: pd.DataFrame,
    registered_name: str,
) -> str:
    """The champion's manifest as an artifact of its run, and its folder logged and registered as an
    MLflow pyfunc; returns the registered version."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "tumorclf_manifest.json"
        copy.write_bytes((model_path.parent / "manifest.json").read_bytes())
        tracker.log_artifacts(run_id, Path(tmp))
    requirements = [f"{p}=={version_of(p)}" for p in PREDICTION_REQUIREMENTS]
    return tracker.log_model(
        run_id,
        model_path.parent,
        list(classes),
        sparse_example(real),
        registered_name,
        requirements,
    )


def record_datasets(
    tracker: Tracker, parent: str, synthetic: pd.DataFrame, real: pd.DataFrame
) -> None:
    """The synthetic sample and the real cases as MLflow datasets of the parent run, with their
    digests."""
    for name, frame in (("synthetic_cv", synthetic), ("real_cases", real)):
        tracker.log_dataset(parent, to_csv_frame(frame).astype(str), name, "training")


def sparse_example(real: pd.DataFrame) -> pd.DataFrame:
    """A real case as a report gives it: only its reported schema fields, age a number, the rest
    text."""
    fields = as_text_frame(real[[c for c in real.columns if c in FIELDS]])
    reported = fields.ne("")
    row = int(
        reported.sum(axis=1).sub(6).abs().idxmin()
    )  # about six findings: sparse, yet informative
    example = fields.loc[[row], reported.loc[row]].reset_index(drop=True)
    if "age" in example:
        example["age"] = example["age"].astype(float)
    return example


def prior_update_table(updates: Sequence[PriorUpdate]) -> pd.DataFrame:
    """The settings each fold's inner grouped CV chose for the prior update (fold -1: all cases)."""
    return pd.DataFrame(
        [
            {
                "fold": u.fold,
                "n_train": len(u.train_index),
                "n_test": len(u.test_index),
                **u.best_params,
                "seconds": round(u.seconds, 3),
            }
            for u in updates
        ]
    )


__all__ = [
    "PREDICTION_REQUIREMENTS",
    "Drawing",
    "artifact_jobs",
    "per_class_report",
    "prior_update_table",
    "record_artifacts",
    "record_candidates",
    "record_champion",
    "record_datasets",
    "sparse_example",
    "summary_rows",
]
