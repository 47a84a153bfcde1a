"""Read back what ``tumorclf train`` recorded: the comparison of candidates across trains."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def comparison_rows(
    tracking_uri: str, experiment: str, last: int = 3, columns: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """One row per candidate run of the last ``last`` trains, newest train first, best real log loss
    first.

    Each row has the train, the candidate, whether it is a reference or the
    champion, its status, and the metrics named in ``columns``.

    Raises
    ------
    LookupError
        If the store has no such experiment (the message lists the ones it has).
    """
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri)
    found = client.get_experiment_by_name(experiment)
    if found is None:
        names = ", ".join(e.name for e in client.search_experiments()) or "none"
        raise LookupError(
            f"no experiment {experiment!r} in {tracking_uri}; experiments there: {names}"
        )
    runs = client.search_runs(
        [found.experiment_id], order_by=["attributes.start_time DESC"], max_results=5000
    )
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags][:last]
    rows = []
    for parent in parents:
        children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
        for child in sorted(
            children, key=lambda r: r.data.metrics.get("real_log_loss_mean", float("inf"))
        ):
            rows.append(
                {
                    "train": parent.info.run_name,
                    "train_run_id": parent.info.run_id,
                    "started": parent.info.start_time,
                    "candidate": child.data.tags.get("candidate", child.info.run_name),
                    "run_name": child.info.run_name,
                    "reference": child.data.tags.get("reference") == "true",
                    "champion": parent.data.tags.get("champion")
                    == child.data.tags.get("candidate"),
                    "selection_guard": parent.data.tags.get("selection_guard_result", ""),
                    "status": child.info.status,
                    **{name: child.data.metrics.get(name) for name in columns},
                }
            )
    return rows
