"""The FastAPI application behind ``tumorclf serve``."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tumorclf.class_prior import NAMED_PRIORS
from tumorclf.model.readings import DEFAULT_READING, READINGS
from tumorclf.prediction import Classifier, Prediction
from tumorclf.schema.vocabulary import BOOLEAN_FIELDS, CATEGORICAL_FIELDS, FIELDS, SHOWN_FIELDS
from tumorclf.serve.summary import summary_text

#: Requests larger than this are refused (413) before they are read.
MAX_BODY_BYTES = 64 * 1024
#: The longest findings paragraph read.
MAX_TEXT_CHARS = 20_000
#: The longest value of one field (a level range, a size, a spelling of a value).
MAX_VALUE_CHARS = 64
#: The one answer to an empty form and to an empty text.
NOTHING_STATED = (
    "State at least one finding: paste a report and press Read the report, or fill in the form."
)
#: A field's error in clinical words, where the schema's would read as code.
FIELD_MESSAGES = {
    "level": "Level must be between C1 and S5, e.g. T7 or T12-L2 (not {value}).",
    "age": "Age must be in years, from 0 to 100 (not {value}).",
    "size": "Size must be a length, e.g. 28 mm or 2.8 cm, or a size class (not {value}).",
}

Value = Annotated[str, StringConstraints(max_length=MAX_VALUE_CHARS)] | float | bool | None


class CaseIn(BaseModel):
    """A case: any of the schema's fields (every one optional), and the prior and reading to \
answer in."""

    model_config = ConfigDict(extra="forbid")
    case: dict[Annotated[str, StringConstraints(max_length=40)], Value] = Field(
        default_factory=dict,
        max_length=len(FIELDS) + 2,
        description='Schema fields, e.g. {"age": 19, "level": "T12-L2", "dural_tail": false}.',
    )
    prior: Literal[NAMED_PRIORS] = "training"
    reading: Literal[READINGS] = DEFAULT_READING
    coverage: float | None = Field(
        default=None,
        gt=0,
        lt=1,
        description="Level of the differential set, e.g. 0.8 (default: the level calibrated at "
        "training).",
    )
    all_classes: bool = Field(
        default=False,
        description="The evidence for every class, not only the three leading ones.",
    )


class ReportIn(BaseModel):
    """A findings paragraph, as a radiologist or a paper writes it."""

    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]


def form_fields() -> list[tuple[str, Any]]:
    """The form's fields in the order a case is shown, each with its kind: "number", "text",
    "bool", or the list of its values (the schema's, so the form never lags behind it; the size
    as its classes, a length being read into one)."""
    kinds: dict[str, Any] = {"age": "number", "level": "text"}
    return [
        (
            name,
            kinds.get(name)
            or ("bool" if name in BOOLEAN_FIELDS else list(CATEGORICAL_FIELDS[name])),
        )
        for name in SHOWN_FIELDS
    ]


def page_html() -> str:
    """The page, with the schema's fields written into its form."""
    page = files("tumorclf.serve").joinpath("page.html").read_text(encoding="utf-8")
    return page.replace("/*FIELDS*/[]", json.dumps(form_fields()))


def field_errors(error: Exception) -> dict[str, str]:
    """Each bad field's message in clinical words, keyed by the form's field name."""
    out: dict[str, str] = {}
    for problem in getattr(error, "problems", []):
        name = "level" if problem.field in ("level_top", "level_bottom") else problem.field
        label = name.replace("_", " ").capitalize()
        template = FIELD_MESSAGES.get(name)
        if problem.row is None:  # a field the schema does not have
            out.setdefault(name, problem.describe())
        elif template:
            out.setdefault(name, template.format(value=problem.value))
        else:
            out.setdefault(
                name, f"{label}: {problem.value!r} {problem.reason}. Allowed: {problem.allowed}."
            )
    return out


def _prediction_json(prediction: Prediction, case_fields: list[str]) -> dict[str, Any]:
    alert = prediction.alert
    return {
        "ranking": prediction.ranking,
        "practice": prediction.practice,
        "ratios": [r.to_json() for r in prediction.ratios],
        "next": None
        if prediction.next_findings is None
        else [n.to_json() for n in prediction.next_findings[:5]],
        "diagnosis": prediction.diagnosis,
        "probabilities": prediction.probabilities,
        "differential": [[c, p] for c, p in prediction.differential],
        "explanation": prediction.explanation,
        "prior": prediction.prior,
        "reading": prediction.reading,
        "not_given": [f for f in SHOWN_FIELDS if f not in case_fields],
        "differential_set": list(prediction.differential_set)
        if prediction.differential_set is not None
        else None,
        "set_coverage": prediction.set_coverage,
        "alert": None
        if alert is None
        else {
            "raised": alert.raised,
            "p_mcs": alert.p_mcs,
            "threshold": alert.threshold,
            "caught": alert.caught,
            "n_mcs": alert.n_mcs,
            "sensitivity_lower": alert.sensitivity_lower,
            "false_alarm_rate": alert.false_alarm_rate,
            "prior": alert.prior,
            "sentence": str(alert),
        },
    }


def _stated(case: dict[str, Any]) -> list[str]:
    """The fields a case states, the level as one."""
    named = {
        ("level" if k in ("level_top", "level_bottom") else k)
        for k, v in case.items()
        if v not in (None, "")
    }
    return sorted(named)


def create_app(classifier: Classifier) -> FastAPI:
    """The page and its API over one loaded model."""
    from tumorclf.extract import ReportError, extract_case
    from tumorclf.schema import CaseValidationError

    app = FastAPI(
        title="tumorclf",
        version="1",
        docs_url=None,
        redoc_url=None,  # no CDN assets: the schema only
        description="Differential diagnosis of intraspinal tumours: MCS against its mimics. "
        "For research.",
    )

    @app.middleware("http")
    async def bounded(request: Request, call_next: Any) -> Any:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse(
                {"detail": f"The request is larger than {MAX_BODY_BYTES} bytes."}, status_code=413
            )
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}"
            for e in error.errors()
        ]
        return JSONResponse({"detail": "; ".join(problems)}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(
        request: Request, error: Exception
    ) -> JSONResponse:  # never a traceback in a body
        return JSONResponse(
            {"detail": f"Internal error ({type(error).__name__})."}, status_code=500
        )

    html = page_html()
    manifest = classifier.manifest
    model_line = (
        f"{manifest.candidate}, trained {manifest.created or 'at an unknown date'}, "
        f"schema {manifest.schema_version}"
    )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        return html

    @app.get("/api/model")
    def model() -> dict[str, Any]:
        """The model behind the page: its classes, readings and what it was calibrated on."""
        manifest = classifier.manifest
        return {
            "max_text_chars": MAX_TEXT_CHARS,
            "candidate": manifest.candidate,
            "classes": classifier.classes_,
            "readings": list(classifier.readings_),
            "schema_version": manifest.schema_version,
            "created": manifest.created or None,
            "has_sets": classifier.coverage_ is not None,
            "has_alert": classifier.mcs_alert_ is not None,
        }

    # The calls are async: their work is short and CPU-bound, so they run on the event loop, not a
    # thread pool.
    @app.post("/api/extract")
    async def extract(report: ReportIn) -> JSONResponse:
        """Read a case from a findings paragraph: each value with the words it was read from."""
        if not report.text.strip():
            return JSONResponse({"detail": NOTHING_STATED, "empty": True}, status_code=422)
        try:
            found = extract_case(report.text)
        except ReportError as error:
            return JSONResponse({"detail": str(error)}, status_code=422)
        return JSONResponse(
            {
                "case": found.case,
                "spans": {
                    name: {"start": s.start, "end": s.end, "text": s.text}
                    for name, s in found.spans.items()
                },
                "unused": [
                    {
                        "field": u.field,
                        "reason": u.reason,
                        "text": u.span.text,
                        "start": u.span.start,
                        "end": u.span.end,
                    }
                    for u in found.unused
                ],
            }
        )

    @app.post("/api/predict")
    async def predict(body: CaseIn) -> JSONResponse:
        """The differential for one case: what ``predict_case`` answers, with both numbers for
        each class, the evidence and what to look at next."""
        stated = _stated(body.case)
        if not stated:
            return JSONResponse({"detail": NOTHING_STATED, "empty": True}, status_code=422)
        try:
            prediction = classifier.predict_case(
                body.case, prior=body.prior, reading=body.reading, coverage=body.coverage,
                detail=True, leading=None if body.all_classes else 3,
            )  # fmt: skip
        except (CaseValidationError, ValueError) as error:
            fields = field_errors(error)
            detail = " ".join(fields.values()) if fields else str(error)
            return JSONResponse({"detail": detail, "fields": fields}, status_code=422)
        answer = _prediction_json(prediction, stated)
        answer["model"] = model_line
        answer["summary"] = summary_text(prediction, body.case, model_line)
        return JSONResponse(answer)

    return app


__all__ = ["MAX_BODY_BYTES", "MAX_TEXT_CHARS", "NOTHING_STATED", "create_app", "field_errors"]
