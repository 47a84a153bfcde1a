"""Default ``tumorclf train``: wall time, MLflow's share, and the champion against the oracle.

Targets (issue 3), on a 2-core machine:
* the default train in at most 60 s wall, MLflow logging included, MLflow at most 15% of it;
* on a fresh synthetic test set of 20,000 cases, the champion's log loss at
  most 1.03 x the oracle's and its balanced accuracy at least 0.98 x the oracle's.

The train goes into a temporary store and models folder, so the project's
own are untouched. This script measures and prints; it asserts nothing.

    python benchmarks/bench_train.py [--test-n 20000] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

TARGETS = {"train_wall_s": ("<=", 60), "train_mlflow_share": ("<=", 0.15),
           "log_loss_ratio_to_oracle": ("<=", 1.03), "balanced_accuracy_ratio_to_oracle": (">=", 0.98)}


def measure(overrides: list[str] | None = None, test_n: int = 20_000, test_seed: int = 987_654,
            models_dir: Path | None = None) -> dict[str, Any]:
    """Train into a temporary store (and ``models_dir`` if given, else a temporary one); score the champion."""
    from tumorclf.artifacts import load_model
    from tumorclf.synthetic import load_generator
    from tumorclf.training.config import load_config
    from tumorclf.training.metrics import classification_metrics
    from tumorclf.training.run import train

    config = load_config(overrides=overrides or [])
    with tempfile.TemporaryDirectory() as tmp:
        models = models_dir or Path(tmp) / "models"
        outcome = train(config, tracking_uri=f"sqlite:///{Path(tmp) / 'mlflow.db'}", models_dir=models,
                        label="benchmark")
        model, _ = load_model(models)

    generator = load_generator()
    test = generator.sample(test_n, balance=config["synthetic"]["balance"], random_state=test_seed)
    classes = [str(c) for c in model.classes_]
    y = np.searchsorted(np.asarray(classes), test["diagnosis"].astype(str).to_numpy())
    features = test.drop(columns=["diagnosis", "source"])
    champion = classification_metrics(y, model.predict_proba(features), classes)
    order = [list(generator.classes_).index(c) for c in classes]
    oracle = classification_metrics(
        y, generator.posterior_array(features, config["synthetic"]["balance"])[:, order], classes)
    figures: dict[str, Any] = {
        "train_wall_s": outcome.wall_seconds,
        "train_mlflow_s": outcome.mlflow_seconds,
        "train_mlflow_share": outcome.mlflow_seconds / outcome.wall_seconds,
        "champion": outcome.champion,
        "champion_test_log_loss": champion["log_loss"],
        "oracle_test_log_loss": oracle["log_loss"],
        "log_loss_ratio_to_oracle": champion["log_loss"] / oracle["log_loss"],
        "champion_test_balanced_accuracy": champion["balanced_accuracy"],
        "oracle_test_balanced_accuracy": oracle["balanced_accuracy"],
        "balanced_accuracy_ratio_to_oracle": champion["balanced_accuracy"] / oracle["balanced_accuracy"],
    }
    for row in outcome.rows:
        figures[f"cv_oracle_ratio.{row['candidate']}"] = row["oracle_ratio_mean"]
        figures[f"real_top3_acc.{row['candidate']}"] = row["real_top3_acc"]
        figures[f"real_log_loss.{row['candidate']}"] = row["real_log_loss"]
    return figures


def main() -> None:
    from _report import context, print_figures

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test-n", type=int, default=20_000, help="fresh synthetic cases to score")
    parser.add_argument("--test-seed", type=int, default=987_654, help="seed of the fresh test set")
    parser.add_argument("--set", action="append", default=[], help="config override, as for tumorclf train")
    args = parser.parse_args()
    info = context()
    print(info["date"], info["machine"])
    print_figures("train", measure(args.set, args.test_n, args.test_seed), TARGETS)


if __name__ == "__main__":
    main()
