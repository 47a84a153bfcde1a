"""Ask a trained model about cases: probabilities, a differential, and why.

:func:`load` returns a :class:`Classifier`; its :meth:`~Classifier.predict_proba`
gives one column per class and :meth:`~Classifier.predict_case` a
:class:`Prediction` with the differential and an explanation in a
radiologist's words. This path imports neither mlflow nor skops for a model
this machine trained (see :mod:`tumorclf.persistence.artifacts`), and encodes cases with
table look-ups rather than DataFrame machinery.

``prior`` re-weights the model's posterior for the population a case comes
from, by Bayes' rule: p'(c | x) is proportional to p(c | x) * prior(c) /
training(c), where ``training`` is the class balance the model learned from.

``reading`` says how a case is read: ``"as_entered"`` (the default: the
stated fields are findings, the rest unknown) or ``"as_published"`` (a
published row, whose silences the reporting model explains). A generative
champion has both; a discriminative one has the one its training rows
taught (``Classifier.readings_``). Every output names the reading it used,
and an explanation's reasons always come from the findings themselves.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tumorclf.class_prior import resolve_prior
from tumorclf.conformal import alpha_of
from tumorclf.features import encode_arrays
from tumorclf.schema import CODE_COLUMN, CODE_VALUES, SCHEMA_VERSION, CaseArrays, as_case_arrays
from tumorclf.schema.vocabulary import READINGS

#: Findings as a radiologist names them, per field and canonical value.
_WORDS: dict[str, dict[Any, str]] = {
    "sex": {"M": "male", "F": "female"},
    "compartment": {
        "intradural_extramedullary": "intradural extramedullary", "extradural": "extradural",
        "intra_extradural": "intra- and extradural", "intramedullary": "intramedullary",
    },
    "enhancement": {"homogeneous": "homogeneous enhancement", "heterogeneous": "heterogeneous enhancement",
                    "peripheral": "peripheral enhancement", "none": "no enhancement"},
    "calcification": {"none": "no calcification", "punctate": "punctate calcification",
                      "massive": "massive calcification", "rings_arcs": "rings-and-arcs calcification"},
    "calcification_site": {"central": "central calcification", "peripheral": "peripheral calcification",
                           "diffuse": "diffuse calcification"},
    "t2_signal": {"hypo": "T2 hypointense", "iso": "T2 isointense", "hyper": "T2 hyperintense",
                  "heterogeneous": "heterogeneous T2 signal"},
    "dumbbell": {True: "dumbbell shape", False: "no dumbbell shape"},
    "dural_tail": {True: "dural tail", False: "no dural tail"},
    "dural_attachment": {True: "dural attachment", False: "no dural attachment"},
    "cystic_change": {True: "cystic change", False: "no cystic change"},
    "flow_voids": {True: "flow voids", False: "no flow voids"},
    "bone_erosion": {True: "bone erosion", False: "no bone erosion"},
    "syndrome": {"none": "no tumour syndrome", "vhl": "von Hippel-Lindau disease", "nf1": "neurofibromatosis type 1",
                 "nf2": "neurofibromatosis type 2"},
    "named_site": {"conus_medullaris": "at the conus medullaris", "filum_terminale": "arising from the filum terminale",
                   "cauda_equina": "in the cauda equina", "nerve_root": "arising from a nerve root",
                   "other": "away from the conus, filum, cauda equina and nerve roots"},
    "syrinx": {True: "syrinx", False: "no syrinx"},
    "haemorrhage": {True: "haemorrhage or haemosiderin", False: "no haemorrhage"},
    "t1_signal": {"hypo": "T1 hypointense", "iso": "T1 isointense", "hyper": "T1 hyperintense",
                  "heterogeneous": "heterogeneous T1 signal"},
    "multiple_lesions": {True: "multiple lesions", False: "a single lesion"},
    "size": {"under_2cm": "under 2 cm", "2_to_4cm": "2-4 cm", "4_to_6cm": "4-6 cm", "6cm_or_more": "6 cm or more"},
}
#: Findings an explanation sets back to unknown one at a time (level as one finding).
FINDINGS: tuple[str, ...] = ("age", "level", *(f for f in _WORDS))


def apply_temperature(proba: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities with their log divided by ``temperature``, renormalised (1 leaves them as they are)."""
    if temperature == 1.0:
        return proba
    logp = np.log(np.clip(proba, 1e-300, 1.0)) / temperature
    out = np.exp(logp - logp.max(axis=1, keepdims=True))
    return out / out.sum(axis=1, keepdims=True)


def set_lines(prediction: Prediction) -> list[str]:
    """The coverage set and the MCS alert in words, where the model has them."""
    lines = []
    if prediction.differential_set is not None:
        kept = ", ".join(class_words(c) for c in prediction.differential_set) or "no class (an unusual case)"
        lines.append(f"Set at {prediction.set_coverage:.0%} coverage (calibrated on published cases, as entered): {kept}")
    if prediction.alert is not None:
        lines.append(str(prediction.alert))
    return lines


def class_words(name: str) -> str:
    return "MCS" if name == "mcs" else name.replace("_", " ")


def reading_words(reading: str) -> str:
    """How a reading is named to a person."""
    return {"as_entered": "read as entered: fields not given are unknown",
            "as_published": "read as published: silences as papers keep them"}.get(reading, reading)


@dataclass(frozen=True, slots=True)
class AlertResult:
    """The MCS alert for one case: p(MCS) under ``prior`` against the threshold chosen under that prior."""

    raised: bool
    p_mcs: float
    threshold: float
    caught: int
    n_mcs: int
    sensitivity_lower: float
    false_alarm_rate: float
    prior: str = "training"

    def __str__(self) -> str:
        record = (f"the threshold {self.threshold:.3g} flagged {self.caught} of {self.n_mcs} published MCS "
                  f"(95% lower bound on sensitivity {self.sensitivity_lower:.2f}) and {self.false_alarm_rate:.0%} "
                  f"of the other published tumours")
        scale = "the model's own prior" if self.prior == "training" else f"the {self.prior} prior"
        if self.raised:
            return f"MCS cannot be excluded: p(MCS) = {self.p_mcs:.3g} under {scale}; {record}."
        return f"MCS alert not raised: p(MCS) = {self.p_mcs:.3g} under {scale}, below {self.threshold:.3g}; {record}."


@dataclass(slots=True)
class Effect:
    """How much one reported finding moved one class: the log-odds of the class for the
    case minus the same with the finding set back to unknown (positive = toward the class)."""

    finding: str
    words: str
    target: str
    log_effect: float

    @property
    def sentence(self) -> str:
        return f"{self.words}: {'toward' if self.log_effect > 0 else 'away from'} {class_words(self.target)}"


@dataclass(frozen=True)
class Prediction:
    """A ranked, calibrated answer for one case."""

    diagnosis: str
    probabilities: dict[str, float]
    differential: list[tuple[str, float]]
    explanation: list[str]
    effects: list[Effect] = field(repr=False, default_factory=list)
    prior: str = "training"
    extraction: Any = field(repr=False, default=None)  # the Extraction a report was read into, if any
    reading: str = "as_entered"
    #: The classes a conformal set at ``set_coverage`` keeps (None: the model has no calibrated sets).
    differential_set: tuple[str, ...] | None = None
    set_coverage: float | None = None
    alert: AlertResult | None = None

    def __str__(self) -> str:
        lines = [str(self.extraction), ""] if self.extraction is not None else []
        lines += [f"Most likely: {class_words(self.diagnosis)} ({self.probabilities[self.diagnosis]:.1%})",
                  f"Differential (prior: {self.prior}; {reading_words(self.reading)}):"]
        lines += [f"  {class_words(c):28s} {p:7.1%}" for c, p in self.differential]
        lines += set_lines(self)
        if self.explanation:
            lines += ["Why:", *(f"  {e}" for e in self.explanation)]
        return "\n".join(lines)


class Classifier:
    """A trained tumorclf model with its manifest; what :func:`load` returns.

    Attributes
    ----------
    classes_ : list of str
        Class names in the priors file's order (the columns of predict_proba).
    manifest : dict
        Where the model came from, what it was trained on, how well it did.
    """

    def __init__(self, model: Any, manifest: Mapping[str, Any], source: str = "") -> None:
        self.model = model
        self.manifest = dict(manifest)
        self.source = source
        model_classes = [str(c) for c in model.classes_]
        display = [c for c in self.manifest.get("display_order", model_classes) if c in model_classes]
        self.classes_ = display + [c for c in model_classes if c not in display]
        self._columns = np.array([model_classes.index(c) for c in self.classes_])
        training = self.manifest.get("training_prior") or {}
        clinical = self.manifest.get("clinical_prior") or {}
        self.training_prior_ = np.array([training.get(c, np.nan) for c in self.classes_], dtype=float)
        self.clinical_prior_ = np.array([clinical.get(c, np.nan) for c in self.classes_], dtype=float)
        steps = getattr(model, "steps", None)
        if not steps or steps[0][0] != "encode":
            raise TypeError("a tumorclf model is a Pipeline whose first step is 'encode' (a CaseEncoder)")
        self._encoding = steps[0][1].encoding
        self._middle = [step for _, step in steps[1:-1]]
        self._estimator = steps[-1][1]
        # Models from before the two readings learnt from published rows: they read cases as published.
        self.readings_ = tuple(self.manifest.get("readings") or ("as_published",))
        from tumorclf.conformal import AlertCalibration, CoverageSets, MCSAlert

        #: A temperature fitted on the real cases' out-of-fold predictions, where it lowered their held-out log loss.
        recalibration = self.manifest.get("recalibration") or {}
        self.temperature_ = float(recalibration["temperature"]) if recalibration.get("applied") else 1.0
        #: Conformal sets and the MCS alert, calibrated at training (None for models from before them).
        self.coverage_ = CoverageSets.from_manifest(self.manifest["coverage"]) if "coverage" in self.manifest else None
        self.mcs_alert_ = MCSAlert.from_manifest(self.manifest["mcs_alert"]) if "mcs_alert" in self.manifest else None
        calibration = (self.manifest.get("mcs_alert") or {}).get("calibration")
        self._alert_calibration = AlertCalibration.from_manifest(calibration) if calibration else None
        self._alerts_by_prior: dict[bytes, MCSAlert] = {}

    def __repr__(self) -> str:
        return (f"Classifier({self.manifest.get('candidate', '?')}, {len(self.classes_)} classes, "
                f"trained {self.manifest.get('created', '?')}, from {self.source or 'memory'})")

    # -- probabilities ----------------------------------------------------------------

    def _transform(self, X: np.ndarray) -> np.ndarray:
        for step in self._middle:
            if type(step).__name__ == "StandardScaler" and getattr(step, "with_mean", False):
                X = (X - step.mean_) / step.scale_  # what transform does, without its checks
            else:
                X = step.transform(X)
        return X

    def _check_reading(self, reading: str) -> str:
        if reading not in READINGS:
            raise ValueError(f"reading must be one of {', '.join(READINGS)}; got {reading!r}")
        if reading not in self.readings_:
            raise ValueError(
                f"this model ({self.manifest.get('candidate', '?')}) reads cases only {' or '.join(self.readings_)}: "
                f"it learnt from rows masked that way. Pass reading={self.readings_[0]!r}, or retrain with "
                f"fill_in.missingness={reading}."
            )
        return reading

    def _raw_proba(self, arrays: CaseArrays, reading: str = "as_entered") -> np.ndarray:
        """The model's probabilities on its training prior, recalibrated where training found that it helps."""
        X = self._transform(encode_arrays(arrays, self._encoding))
        if hasattr(self._estimator, "predict_proba_reading"):
            proba = self._estimator.predict_proba_reading(X, reading)[:, self._columns]
        else:
            proba = self._estimator.predict_proba(X)[:, self._columns]
        return apply_temperature(proba, self.temperature_)

    def _weights(self, prior: Any) -> tuple[np.ndarray | None, str]:
        if prior is None or prior == "training":
            return None, "training"
        clinical = None if np.isnan(self.clinical_prior_).any() else self.clinical_prior_
        training = None if np.isnan(self.training_prior_).any() else self.training_prior_
        target = resolve_prior(prior, self.classes_, clinical=clinical, training=training)
        if training is None:
            raise ValueError("this model's manifest has no training prior, so it cannot be re-weighted")
        with np.errstate(divide="ignore", invalid="ignore"):
            weights = np.where(training > 0, target / training, 0.0)
        return weights, prior if isinstance(prior, str) else "custom"

    @staticmethod
    def _shift(proba: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
        if weights is None:
            return proba
        shifted = proba * weights
        return shifted / shifted.sum(axis=1, keepdims=True)

    def predict_proba_array(self, cases: Any, prior: Any = None, reading: str = "as_entered") -> np.ndarray:
        """:meth:`predict_proba` as a bare array, columns in :attr:`classes_` order."""
        weights, _ = self._weights(prior)
        return self._shift(self._raw_proba(as_case_arrays(cases), self._check_reading(reading)), weights)

    def predict_proba(self, cases: Any, prior: Any = None, reading: str = "as_entered") -> Any:
        """Class probabilities: a DataFrame with one column per class, rows summing to 1.

        Parameters
        ----------
        cases : dict, list of dict, or DataFrame
            Validated on the way; bad input raises the schema's CaseValidationError.
        prior : {None, "training", "clinical", "uniform"} or dict, default None
            The population's class prior; None keeps the model's own (its training balance).
        reading : {"as_entered", "as_published"}, default "as_entered"
            How a case is read: its stated fields as findings, the rest unknown;
            or as a published row (see :attr:`readings_` for what this model offers).

        Returns
        -------
        DataFrame
            Index: the cases' ``id`` if given, else their index or position;
            ``attrs["reading"]`` and ``attrs["prior"]`` name how it was read.
        """
        import pandas as pd

        arrays = as_case_arrays(cases)
        proba = self.predict_proba_array(arrays, prior, reading)
        if "id" in arrays.extras:
            index = pd.Index(arrays.extras["id"], name="id")
        else:
            index = pd.Index(arrays.index) if arrays.index is not None else None
        frame = pd.DataFrame(proba, columns=self.classes_, index=index)
        frame.attrs.update(reading=reading, prior=self._weights(prior)[1])
        return frame

    # -- calibrated sets and the MCS alert -------------------------------------------

    def predict_set(self, cases: Any, coverage: float | None = None) -> list[tuple[str, ...]]:
        """Each case's conformal differential set (classes most probable first).

        ``coverage``: the share of cases like the published ones whose set holds
        their class, for each class (default: the level training calibrated,
        :attr:`coverage_`; any level in (0, 1) can be asked, e.g. 0.8 for
        smaller sets). The set is read as entered on the model's own
        (training-prior) scale, where it was calibrated, whatever prior
        probabilities are shown in.
        """
        if self.coverage_ is None or "as_entered" not in self.readings_:
            raise ValueError("this model has no calibrated coverage sets (trained before them): retrain it")
        alpha = None if coverage is None else alpha_of(coverage)
        return self.coverage_.sets(self._raw_proba(as_case_arrays(cases), "as_entered"), self.classes_, alpha)

    def mcs_alerts(self, cases: Any, prior: Any = None) -> np.ndarray:
        """Whether each case raises the MCS alert: p(MCS) under ``prior`` (read as entered) at or above the
        threshold chosen under that prior (see :meth:`alert_for`)."""
        if self.mcs_alert_ is None or "mcs" not in self.classes_ or "as_entered" not in self.readings_:
            raise ValueError("this model has no calibrated MCS alert (trained before it): retrain it")
        weights, _ = self._weights(prior)
        alert, weights = self._alert_under(weights)
        proba = self._shift(self._raw_proba(as_case_arrays(cases), "as_entered"), weights)
        return alert.flags(proba[:, self.classes_.index("mcs")])

    def alert_for(self, prior: Any = None) -> Any:
        """The :class:`~tumorclf.conformal.MCSAlert` under ``prior``: its threshold is the same quantile of the
        out-of-fold MCS cases' p(MCS), re-weighted to that prior, as training chose on its own scale."""
        if self.mcs_alert_ is None:
            raise ValueError("this model has no calibrated MCS alert (trained before it): retrain it")
        return self._alert_under(self._weights(prior)[0])[0]

    def _alert_under(self, weights: np.ndarray | None) -> tuple[Any, np.ndarray | None]:
        """The alert for these prior weights, and the weights its p(MCS) is to be read with (None: the model's
        own scale, for no weights or a model from before the alert could follow a prior)."""
        if weights is None or self._alert_calibration is None:
            return self.mcs_alert_, None
        key = np.asarray(weights, dtype=float).tobytes()
        if key not in self._alerts_by_prior:
            if len(self._alerts_by_prior) >= 32:  # many custom priors: keep the cache small
                self._alerts_by_prior.clear()
            self._alerts_by_prior[key] = self._alert_calibration.alert_for(dict(zip(self.classes_, weights)))
        return self._alerts_by_prior[key], weights

    # -- one case, explained --------------------------------------------------------

    def predict_case(self, case: Mapping[str, Any], prior: Any = None, *, reading: str = "as_entered",
                     threshold: float = 0.01, min_classes: int = 3, max_reasons: int = 6,
                     coverage: float | None = None) -> Prediction:
        """A :class:`Prediction` for one case: diagnosis, differential and explanation.

        The differential lists classes down to ``threshold`` probability, never
        fewer than ``min_classes``. The explanation sets each stated finding
        back to unknown, scores all those variants in one batch, and reports the
        findings that moved the top classes most, e.g. "punctate calcification:
        toward MCS". It is always computed with the case read as entered, so a
        reason is the finding's own (p(value | class)), never how often papers
        state it. For a model whose log-probabilities add up over findings
        (naive Bayes, the updated priors as entered) this is the finding's exact share.
        ``coverage``: the level of the conformal set (see :meth:`predict_set`).
        """
        alpha = None if coverage is None else alpha_of(coverage)
        arrays = as_case_arrays(case)
        if len(arrays) != 1:
            raise ValueError(f"predict_case takes one case; got {len(arrays)}. Use predict_proba for a batch.")
        self._check_reading(reading)
        weights, prior_name = self._weights(prior)
        reported = [f for f in FINDINGS if _is_reported(arrays, f)]
        batch = _without_each(arrays, reported)
        explained = "as_entered" if "as_entered" in self.readings_ else reading
        raw = self._raw_proba(batch, explained)
        proba = self._shift(raw, weights)
        top = proba[0] if reading == explained else self._shift(self._raw_proba(_first(batch), reading), weights)[0]
        order = np.argsort(-top, kind="stable")
        diagnosis = self.classes_[order[0]]
        differential = [(self.classes_[j], float(top[j])) for k, j in enumerate(order)
                        if k < min_classes or top[j] >= threshold]
        effects = _effects(arrays, reported, proba, self.classes_, [self.classes_[j] for j in order[:3]])
        chosen = _strongest(effects, diagnosis, max_reasons)
        differential_set, alert = self._calibrated(arrays, raw[:1] if explained == "as_entered" else None,
                                                   weights, prior_name, alpha)
        return Prediction(
            diagnosis=diagnosis,
            probabilities={c: float(p) for c, p in zip(self.classes_, top)},
            differential=differential,
            explanation=[e.sentence for e in chosen],
            effects=effects,
            prior=prior_name,
            reading=reading,
            differential_set=differential_set,
            set_coverage=None if self.coverage_ is None else 1.0 - (self.coverage_.alpha if alpha is None else alpha),
            alert=alert,
        )

    def _calibrated(self, arrays: CaseArrays, raw: np.ndarray | None = None, weights: np.ndarray | None = None,
                    prior_name: str = "training", alpha: float | None = None
                    ) -> tuple[tuple[str, ...] | None, AlertResult | None]:
        """The case's conformal set (read as entered on the training prior's scale, as calibrated) and MCS alert
        (under the prior of ``weights``); ``raw``: the training-scale probabilities, where the caller has them."""
        if (self.coverage_ is None and self.mcs_alert_ is None) or "as_entered" not in self.readings_:
            return None, None
        if raw is None:
            raw = self._raw_proba(arrays, "as_entered")
        kept = self.coverage_.sets(raw, self.classes_, alpha)[0] if self.coverage_ is not None else None
        alert = None
        if self.mcs_alert_ is not None and "mcs" in self.classes_:
            a, shift = self._alert_under(weights)
            p = float(self._shift(raw[:1], shift)[0, self.classes_.index("mcs")])
            alert = AlertResult(raised=bool(a.flags(p)), p_mcs=p, threshold=a.threshold, caught=a.caught,
                                n_mcs=a.n_mcs, sensitivity_lower=a.sensitivity_lower,
                                false_alarm_rate=a.false_alarm_rate, prior="training" if shift is None else prior_name)
        return kept, alert

    def predict_report(self, text: str, prior: Any = None, reading: str = "as_entered",
                       coverage: float | None = None) -> Prediction:
        """Read the case from a findings paragraph, then :meth:`predict_case` it.

        The :class:`Prediction` carries the :class:`~tumorclf.extract.Extraction`
        (``prediction.extraction``): every value with the words it was read
        from, so the reader can check it.

        Raises
        ------
        tumorclf.extract.ReportError
            For an empty text, one not in English, or one with no finding.
        """
        return _predict_report(self, text, prior, reading, coverage)


def _predict_report(classifier: Classifier, text: str, prior: Any = None, reading: str = "as_entered",
                    coverage: float | None = None) -> Prediction:
    from dataclasses import replace

    from tumorclf.extract import extract_case

    extraction = extract_case(text)
    return replace(classifier.predict_case(extraction.case, prior, reading=reading, coverage=coverage),
                   extraction=extraction)


def _first(arrays: CaseArrays) -> CaseArrays:
    return CaseArrays(age=arrays.age[:1], codes=arrays.codes[:1])


def _is_reported(arrays: CaseArrays, finding: str) -> bool:
    if finding == "age":
        return not np.isnan(arrays.age[0])
    if finding == "level":
        return bool(arrays.codes[0, CODE_COLUMN["level_top"]] >= 0 or arrays.codes[0, CODE_COLUMN["level_bottom"]] >= 0)
    return bool(arrays.codes[0, CODE_COLUMN[finding]] >= 0)


def _without_each(arrays: CaseArrays, findings: Sequence[str]) -> CaseArrays:
    """Row 0: the case; row k: the case with finding k set back to unknown."""
    n = len(findings) + 1
    age = np.repeat(arrays.age, n)
    codes = np.repeat(arrays.codes, n, axis=0)
    for k, finding in enumerate(findings, start=1):
        if finding == "age":
            age[k] = np.nan
        elif finding == "level":
            codes[k, CODE_COLUMN["level_top"]] = codes[k, CODE_COLUMN["level_bottom"]] = -1
        else:
            codes[k, CODE_COLUMN[finding]] = -1
    return CaseArrays(age=age, codes=codes)


def _finding_words(arrays: CaseArrays, finding: str) -> str:
    if finding == "age":
        return f"age {arrays.age[0]:g}"
    if finding == "level":
        top, bottom = arrays.codes[0, CODE_COLUMN["level_top"]], arrays.codes[0, CODE_COLUMN["level_bottom"]]
        names = [CODE_VALUES["level_top"][c] for c in (top, bottom) if c >= 0]
        return "level " + "-".join(dict.fromkeys(names))
    value = CODE_VALUES[finding][arrays.codes[0, CODE_COLUMN[finding]]]
    return _WORDS[finding][value]


def _effects(arrays: CaseArrays, findings: Sequence[str], proba: np.ndarray, classes: Sequence[str],
             targets: Sequence[str]) -> list[Effect]:
    columns = [list(classes).index(t) for t in targets]
    p = np.clip(proba[:, columns], 1e-12, 1 - 1e-12)
    log_odds = np.log(p) - np.log1p(-p)
    effect = (log_odds[0] - log_odds[1:]).tolist()  # (finding, target)
    return [
        Effect(finding, _finding_words(arrays, finding), target, row[t])
        for finding, row in zip(findings, effect)
        for t, target in enumerate(targets)
    ]


def _strongest(effects: Sequence[Effect], diagnosis: str, limit: int, floor: float = 0.1) -> list[Effect]:
    """Up to half the reasons about the diagnosis itself, the rest about its rivals; strongest first."""
    strong = sorted((e for e in effects if abs(e.log_effect) >= floor), key=lambda e: -abs(e.log_effect))
    own = [e for e in strong if e.target == diagnosis][: max(1, limit // 2)]
    rivals = [e for e in strong if e.target != diagnosis][: limit - len(own)]
    return own + rivals


# -- loading --------------------------------------------------------------------------

class ModelVersionWarning(UserWarning):
    """The model was trained with other package versions than the ones installed now."""


_MLFLOW_URI = re.compile(r"^(models|runs):/")


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def check_compatibility(manifest: Mapping[str, Any]) -> None:
    """Refuse an incompatible model; warn about minor version drift."""
    from tumorclf.persistence.artifacts import ArtifactError, package_versions

    schema = str(manifest.get("schema_version", "?"))
    if schema != SCHEMA_VERSION:
        # A model's encoders are fitted to its schema's fields: a 1.0 model cannot read the fields 1.1 added.
        raise ArtifactError(
            f"the model uses case schema {schema}; this tumorclf reads {SCHEMA_VERSION}, which adds fields the "
            f"model has no place for. Retrain it with `tumorclf train` (your {schema} case files still read as "
            f"they are), or install the tumorclf version that trained it.")
    trained = manifest.get("packages", {})
    installed = package_versions()
    sk_then, sk_now = trained.get("scikit-learn", "?"), installed.get("scikit-learn", "?")
    if _major_minor(sk_then) != _major_minor(sk_now):
        raise ArtifactError(
            f"the model was trained with scikit-learn {sk_then}; {sk_now} is installed. Models do not carry "
            f"across scikit-learn minor versions: retrain, or install scikit-learn=={sk_then}."
        )
    drift = [f"{p} {trained[p]} -> {installed[p]}" for p in ("scikit-learn", "numpy", "scipy", "pandas")
             if p in trained and trained[p] != installed.get(p)]
    if drift:
        warnings.warn(f"model trained with other package versions ({'; '.join(drift)})", ModelVersionWarning,
                      stacklevel=3)


def load(source: str | Path | None = None) -> Classifier:
    """Load a trained model.

    Parameters
    ----------
    source : str or Path, optional
        None: the champion in the project's ``models/``; a path to a models
        folder, a ``champion.json``, a run folder or a ``model.skops``; or an
        MLflow model URI (``models:/tumorclf@champion``, ``runs:/<id>/model``),
        the only form that imports mlflow.

    Raises
    ------
    tumorclf.persistence.artifacts.ArtifactError
        No model there; a checksum that does not match its manifest; a type
        outside the trusted list; an incompatible schema or scikit-learn version.
    """
    if isinstance(source, str) and _MLFLOW_URI.match(source):
        from tumorclf.tracking.registry import load_registered

        model, manifest = load_registered(source)
    else:
        from tumorclf.paths import workspace_dir
        from tumorclf.persistence.artifacts import load_model

        path = Path(source) if source is not None else workspace_dir("models")
        model, manifest = load_model(path)
        source = str(path)
    check_compatibility(manifest)
    return Classifier(model, manifest, source=str(source))
