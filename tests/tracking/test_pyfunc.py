"""The registered champion the MLflow way: optional fields, named classes, served over REST."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tumorclf.tracking.ui import free_port, stop, wait_until_closed, wait_until_listening

from ..http import call as _call

SPARSE = {"age": 19, "sex": "M", "level": "T12-L2", "calcification": "punctate", "dural_tail": "-"}


@pytest.fixture(scope="module")
def registered(tiny_trains):
    """The session's tiny store and its latest train, whose champion the alias names."""
    uri, _, outcomes = tiny_trains
    return uri, outcomes[-1]


@pytest.fixture
def store(registered, monkeypatch):
    uri, outcome = registered
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return uri, outcome


def _expected(case):
    import tumorclf

    return tumorclf.load("models:/tumorclf@champion").predict_proba(case)


def test_the_signature_makes_every_field_optional(store):
    from mlflow.models import get_model_info

    info = get_model_info("models:/tumorclf@champion")
    inputs = {spec.name: spec for spec in info.signature.inputs.inputs}
    assert {"age", "sex", "level", "compartment", "dural_tail", "t2_signal"} <= set(inputs)
    assert not any(spec.required for spec in inputs.values())
    assert str(inputs["compartment"].type).endswith("string")
    import mlflow.pyfunc

    example = mlflow.pyfunc.load_model("models:/tumorclf@champion").input_example
    assert 1 <= len(example.columns) < 15  # a real case as a report gives it: sparse


def test_the_logged_model_holds_no_pickle_and_no_bytecode(store):
    """Logged from code: loading runs the package's pyfunc_model.py, never unpickles a model
    object."""
    from pathlib import Path

    import mlflow

    local = Path(mlflow.artifacts.download_artifacts("models:/tumorclf@champion"))
    files = [p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file()]
    assert not [f for f in files if f.endswith((".pkl", ".pickle", ".cloudpickle"))], files
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]
    assert any(f.endswith("pyfunc_model.py") for f in files)


def test_pyfunc_answers_named_class_probabilities_equal_to_the_python_api(store):
    import mlflow.pyfunc

    model = mlflow.pyfunc.load_model("models:/tumorclf@champion")
    answer = model.predict(pd.DataFrame([SPARSE]))
    expected = _expected(SPARSE)
    columns = [f"p_{c}" for c in expected.columns]
    assert list(answer.columns[: len(columns)]) == columns
    np.testing.assert_allclose(answer[columns].to_numpy(), expected.to_numpy(), rtol=0, atol=1e-9)
    assert answer.loc[0, "diagnosis"] == expected.idxmax(axis=1).iloc[0]
    import tumorclf

    champion = tumorclf.load("models:/tumorclf@champion")
    assert answer.loc[0, "differential_set"] == "; ".join(champion.predict_set(SPARSE)[0])
    assert bool(answer.loc[0, "mcs_alert"]) == bool(champion.mcs_alerts(SPARSE)[0])
    clinical = model.predict(pd.DataFrame([SPARSE]), params={"prior": "clinical"})
    assert not np.allclose(clinical[columns].to_numpy(), answer[columns].to_numpy())
    assert bool(clinical.loc[0, "mcs_alert"]) == bool(
        champion.mcs_alerts(SPARSE, prior="clinical")[0]
    )
    shorter = model.predict(pd.DataFrame([SPARSE]), params={"coverage": 0.6})
    assert shorter.loc[0, "differential_set"] == "; ".join(
        champion.predict_set(SPARSE, coverage=0.6)[0]
    )
    assert len(shorter.loc[0, "differential_set"]) < len(answer.loc[0, "differential_set"])


def test_pyfunc_reads_the_schema_1_1_fields_as_the_python_api_does(store):
    import mlflow.pyfunc

    model = mlflow.pyfunc.load_model("models:/tumorclf@champion")
    case = {
        "age": 34,
        "level": "L2",
        "named_site": "filum_terminale",
        "haemorrhage": "true",
        "syndrome": "none",
        "t1_signal": "iso",
        "size": "2.8 cm",
    }
    answer = model.predict(pd.DataFrame([case]))
    expected = _expected(case)
    columns = [f"p_{c}" for c in expected.columns]
    np.testing.assert_allclose(answer[columns].to_numpy(), expected.to_numpy(), rtol=0, atol=1e-9)
    sized = model.predict(
        pd.DataFrame([{**case, "size": 28}])
    )  # a number of millimetres: the same bin
    np.testing.assert_allclose(
        sized[columns].to_numpy(), answer[columns].to_numpy(), rtol=0, atol=1e-12
    )
    without = model.predict(pd.DataFrame([{k: v for k, v in case.items() if k != "named_site"}]))
    assert not np.allclose(
        without[columns].to_numpy(), answer[columns].to_numpy()
    )  # the new field is read


def test_pyfunc_reads_booleans_as_python_numpy_and_pandas_give_them(store):
    """A bool column, the schema's strings and missing values all read alike; ages in any numeric
    dtype."""
    import mlflow.pyfunc

    model = mlflow.pyfunc.load_model("models:/tumorclf@champion")
    strings = pd.DataFrame(
        [
            {"age": 19, "dural_tail": "no", "dumbbell": "yes", "level": "T12-L2"},
            {"age": 40, "dural_tail": "yes", "dumbbell": "no", "level": "T6"},
        ]
    )
    typed = pd.DataFrame(
        {
            "age": np.array([19, 40], dtype=np.int64),
            "dural_tail": [False, True],
            "dumbbell": np.array([True, False]),
            "level": ["T12-L2", "T6"],
        }
    )
    nullable = typed.astype({"age": "Int64", "dural_tail": "boolean"})
    columns = [c for c in model.predict(strings).columns if c.startswith("p_")]
    expected = model.predict(strings)[columns].to_numpy()
    for frame in (typed, nullable):
        np.testing.assert_allclose(
            model.predict(frame)[columns].to_numpy(), expected, rtol=0, atol=1e-12
        )
    missing = pd.DataFrame(
        {"age": [19.0, 40.0], "dural_tail": [False, None], "level": ["T12-L2", "T6"]}
    )
    without = model.predict(pd.DataFrame([{"age": 40, "level": "T6"}]))[columns].to_numpy()
    np.testing.assert_allclose(
        model.predict(missing).loc[[1], columns].to_numpy(), without, rtol=0, atol=1e-12
    )


def test_pyfunc_refuses_a_bad_case_with_the_schemas_message(store):
    import mlflow.pyfunc
    from mlflow.exceptions import MlflowException

    model = mlflow.pyfunc.load_model("models:/tumorclf@champion")
    with pytest.raises(MlflowException, match="field 'sex': 'Q' is not one of the allowed values"):
        model.predict(pd.DataFrame([{"sex": "Q"}]))
    with pytest.raises(MlflowException, match="'prior' param must be one of"):
        model.predict(pd.DataFrame([SPARSE]), params={"prior": "skewed"})
    with pytest.raises(MlflowException, match="coverage must be a number between 0 and 1"):
        model.predict(pd.DataFrame([SPARSE]), params={"coverage": 1.5})


def test_the_served_champion_answers_over_rest_as_the_python_api_does(store, tmp_path):
    uri, _ = store
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mlflow",
                "models",
                "serve",
                "-m",
                "models:/tumorclf@champion",
                "--env-manager",
                "local",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # the server runs uvicorn from this environment, as an activated one would find it
            env={
                **os.environ,
                "MLFLOW_TRACKING_URI": uri,
                "PATH": os.pathsep.join(
                    [os.path.dirname(sys.executable), os.environ.get("PATH", "")]
                ),
            },
        )
    try:
        if not wait_until_listening(process, "127.0.0.1", port, timeout=180):
            pytest.fail(
                f"mlflow models serve did not start:\n{log.read_text(encoding='utf-8')[-3000:]}"
            )
        status, body = _call(
            f"http://127.0.0.1:{port}/invocations", {"dataframe_records": [SPARSE]}
        )
        assert status == 200, body
        answer = pd.DataFrame(json.loads(body)["predictions"])
        expected = _expected(SPARSE)
        columns = [f"p_{c}" for c in expected.columns]
        np.testing.assert_allclose(
            answer[columns].to_numpy(), expected.to_numpy(), rtol=0, atol=1e-9
        )
        typed = {
            "age": 19,
            "level": "T12-L2",
            "calcification": "punctate",
            "dural_tail": False,
            "dumbbell": True,
        }
        status, body = _call(f"http://127.0.0.1:{port}/invocations", {"dataframe_records": [typed]})
        assert status == 200, body  # JSON booleans, as a REST client sends them
        answer = pd.DataFrame(json.loads(body)["predictions"])
        np.testing.assert_allclose(
            answer[columns].to_numpy(), _expected(typed).to_numpy(), rtol=0, atol=1e-9
        )
        status, body = _call(
            f"http://127.0.0.1:{port}/invocations", {"dataframe_records": [{"sex": "Q"}]}
        )
        assert 400 <= status < 500, (status, body)
        assert "field 'sex'" in body and "Traceback" not in body
    finally:
        stop(process)
    assert wait_until_closed("127.0.0.1", port, timeout=60)
