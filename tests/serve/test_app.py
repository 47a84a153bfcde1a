"""The page and its JSON API: the same answers as the Python API, bad input as 422, bounded
requests."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tumorclf.schema.vocabulary import FIELDS

from ..conftest import SEED_CASE
from ..http import call as _call


def test_the_page_is_served_whole_with_nothing_from_outside(server):
    status, body = _call(server + "/")
    assert status == 200 and "Read the report" in body and "/api/predict" in body
    assert (
        "http://" not in body and "https://" not in body
    )  # no script, style or font from elsewhere


@pytest.mark.parametrize("prior", ["training", "clinical", "uniform"])
def test_predict_answers_what_predict_case_answers(server, classifier, prior):
    case = {**SEED_CASE, "syndrome": "none", "size": "4.9 cm"}
    status, body = _call(server + "/api/predict", {"case": case, "prior": prior})
    assert status == 200, body
    answer = json.loads(body)
    expected = classifier.predict_case(case, prior=prior)
    assert (
        answer["diagnosis"] == expected.diagnosis and answer["explanation"] == expected.explanation
    )
    for name, p in expected.probabilities.items():
        assert abs(answer["probabilities"][name] - p) <= 1e-9
    assert answer["differential_set"] == list(expected.differential_set)
    assert answer["alert"]["raised"] == expected.alert.raised and answer["alert"][
        "sentence"
    ] == str(expected.alert)
    assert answer["prior"] == prior and answer["reading"] == "as_entered"
    assert "flow_voids" in answer["not_given"] and "level" not in answer["not_given"]


def test_a_set_can_be_asked_at_another_coverage(server, classifier):
    status, body = _call(server + "/api/predict", {"case": SEED_CASE, "coverage": 0.7})
    assert status == 200, body
    answer = json.loads(body)
    expected = classifier.predict_case(SEED_CASE, coverage=0.7)
    assert answer["set_coverage"] == 0.7 and answer["differential_set"] == list(
        expected.differential_set
    )
    status, body = _call(server + "/api/predict", {"case": SEED_CASE, "coverage": 1.2})
    assert status == 422 and "coverage" in json.loads(body)["detail"]


def test_extract_answers_what_the_extractor_reads(server):
    from tumorclf.extract import extract_case

    text = (
        "A 34-year-old man. MRI: a 2.8 cm intradural extramedullary mass at L2 arising from the "
        "filum terminale, with a hemosiderin cap. No dural tail."
    )
    status, body = _call(server + "/api/extract", {"text": text})
    assert status == 200, body
    answer = json.loads(body)
    found = extract_case(text)
    assert answer["case"] == found.case
    for name, span in answer["spans"].items():
        assert text[span["start"] : span["end"]] == span["text"] == found.spans[name].text


def test_extract_answers_the_words_not_used_with_why(server):
    text = "FINDINGS:\n- Level: T13\n- Dural tail: absent\nIMPRESSION: likely schwannoma"
    status, body = _call(server + "/api/extract", {"text": text})
    assert status == 200, body
    answer = json.loads(body)
    assert answer["case"] == {"dural_tail": False}
    reasons = {u["text"]: u["reason"] for u in answer["unused"]}
    assert reasons == {
        "T13": "T13 is not a vertebral level (the T1-T12 levels are)",
        "likely schwannoma": "an opinion, not a finding",
    }
    for u in answer["unused"]:
        assert text[u["start"] : u["end"]] == u["text"]


@pytest.mark.parametrize(
    ("path", "payload", "words"),
    [
        ("/api/predict", {"case": {"sex": "Q"}}, "Sex: 'Q' is not one of the allowed values"),
        ("/api/predict", {"case": {"age": 240}}, "Age must be in years, from 0 to 100"),
        ("/api/predict", {"case": {"tumour_colour": "blue"}}, "tumour_colour"),
        ("/api/predict", {"case": {"level": "T" * 65}}, "case.level"),
        ("/api/predict", {"case": {}, "prior": "skewed"}, "prior"),
        ("/api/predict", {"case": {}, "patient_name": "x"}, "patient_name"),
        ("/api/extract", {"text": "   "}, "State at least one finding"),
        ("/api/predict", {"case": {}}, "State at least one finding"),
        ("/api/extract", {"text": "x" * 20_001}, "text"),
    ],
)
def test_bad_input_is_a_422_with_the_schemas_message_and_no_traceback(server, path, payload, words):
    status, body = _call(server + path, payload)
    assert status == 422, body
    assert words in json.loads(body)["detail"] and "Traceback" not in body


def test_a_request_over_the_size_bound_is_refused_before_it_is_read(server):
    from tumorclf.serve import MAX_BODY_BYTES

    status, body = _call(
        server + "/api/extract", raw=json.dumps({"text": "a" * (MAX_BODY_BYTES + 10)}).encode()
    )
    assert status == 413 and "larger than" in body


def test_the_openapi_schema_describes_both_calls(server):
    status, body = _call(server + "/openapi.json")
    paths = json.loads(body)["paths"]
    assert status == 200 and {"/api/predict", "/api/extract", "/api/model"} <= set(paths)


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=70),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
_cases = st.dictionaries(
    st.one_of(st.sampled_from([*FIELDS, "level", "diagnosis", "id"]), st.text(max_size=45)),
    _values,
    max_size=8,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=_cases, prior=st.sampled_from(["training", "clinical", "uniform", "odd"]))
def test_no_case_makes_the_api_fail(server, case, prior):
    """Fuzzed from the API's own vocabulary: every answer is a differential or a 4xx, never a 5xx or
    traceback."""
    status, body = _call(server + "/api/predict", {"case": case, "prior": prior})
    assert status in (200, 422), (status, body)
    assert "Traceback" not in body


@pytest.fixture(scope="module")
def openapi(server):
    return json.loads(_call(server + "/openapi.json")[1])


def _from_schema(schema: dict, names: st.SearchStrategy) -> st.SearchStrategy:
    """A Hypothesis strategy for the JSON Schema subset the OpenAPI document uses (objects, anyOf,
    enums, bounded strings, numbers, booleans, null). ``names`` draws the free property names of an
    open object: mostly the schema's own field names, so that bodies reach the validator and the
    model, not only refusals."""
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "anyOf" in schema:
        return st.one_of([_from_schema(s, names) for s in schema["anyOf"]])
    kind = schema.get("type")
    if kind == "string":
        return st.text(max_size=schema.get("maxLength", 80))
    if kind == "number":
        return st.one_of(
            st.integers(-(10**6), 10**6), st.floats(allow_nan=False, allow_infinity=False)
        )
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "object" and "properties" in schema:
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {k: _from_schema(v, names) for k, v in schema["properties"].items() if k in required},
            optional={
                k: _from_schema(v, names)
                for k, v in schema["properties"].items()
                if k not in required
            },
        )
    if kind == "object":
        return st.dictionaries(
            names,
            _from_schema(schema.get("additionalProperties", {}), names),
            max_size=schema.get("maxProperties", 8),
        )
    raise AssertionError(f"a schema construct the fuzz does not know: {schema}")


def test_bodies_drawn_from_the_openapi_schema_never_make_the_api_fail(server, openapi):
    """Property-based fuzzing from the API's own OpenAPI schema: bodies valid for each call, sent to
    both calls; every answer is a differential, a reading or a 422, never a 5xx or a traceback."""
    schemas = openapi["components"]["schemas"]
    names = st.one_of(st.sampled_from([*FIELDS, "level"]), st.text(max_size=40))
    bodies = st.one_of(
        _from_schema(schemas["CaseIn"], names), _from_schema(schemas["ReportIn"], names)
    )
    answered = []

    @settings(max_examples=150, deadline=None)
    @given(body=bodies, path=st.sampled_from(["/api/predict", "/api/extract"]))
    @example(body={"case": {"age": 40.5, "level": "T4"}}, path="/api/predict")
    def check(body, path):
        status, text = _call(server + path, body)
        assert status in (200, 422), (status, text)
        assert "Traceback" not in text
        answered.append(status)

    check()
    assert 200 in answered and 422 in answered  # the fuzz reached the model, not only the validator


def test_what_to_look_at_next_is_null_for_a_model_without_rates_per_class(generator, server):
    """A discriminative champion cannot rank unstated findings: the answer says so (null), not an
    empty list that would read as "every finding is stated"."""
    from fastapi.testclient import TestClient

    from tumorclf.serve import create_app

    from ..conftest import calibrated_classifier

    plain = TestClient(create_app(calibrated_classifier(generator, n=600, n_calibration=400)))
    answer = plain.post("/api/predict", json={"case": {"age": 40, "level": "T4"}}).json()
    assert answer["next"] is None and answer["practice"] and answer["ranking"]
    status, body = _call(server + "/api/predict", {"case": {"age": 40, "level": "T4"}})
    assert status == 200 and len(json.loads(body)["next"]) >= 3
