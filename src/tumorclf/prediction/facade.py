"""Ask a trained model about cases: probabilities, a differential, and why.

:class:`Classifier` is a thin facade over a fitted scikit-learn Pipeline and
its :class:`~tumorclf.prediction.manifest.Manifest`: its
:meth:`~Classifier.predict_proba` gives one column per class and
:meth:`~Classifier.predict_case` a :class:`~tumorclf.prediction.results.Prediction`
with the differential, the explanation (:mod:`tumorclf.prediction.explain`),
the conformal set and the MCS alert (:mod:`tumorclf.prediction.conformal`).
This path imports neither mlflow nor skops for a model this machine trained.

``prior`` re-weights the model's posterior for the population a case comes
from (:func:`tumorclf.prediction.probabilities.shift_prior`).

``reading`` says how a case is read (:mod:`tumorclf.model.readings`). It is
the model's own ``reading`` parameter: the facade keeps one copy of the
model per reading it is asked in (:func:`tumorclf.model.readings.in_reading`),
made once on first use, so a per-call reading never changes a shared object. A generative
champion has both readings; a discriminative one has the one its training
rows taught (``Classifier.readings_``). Every output names the reading it used,
and an explanation's reasons always come from the findings themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from tumorclf.class_prior import resolve_prior
from tumorclf.model.readings import READINGS, in_reading
from tumorclf.prediction import explain
from tumorclf.prediction.conformal import ALERT_CLASS, MCSAlert, alpha_of
from tumorclf.prediction.manifest import Manifest
from tumorclf.prediction.probabilities import apply_temperature, prior_weights, shift_prior
from tumorclf.prediction.results import AlertResult, Prediction
from tumorclf.schema import CODE_COLUMN, CaseArrays, as_case_arrays


@dataclass(frozen=True)
class Scored:
    """A batch scored once: its probabilities in the reading asked, under the prior asked, and where
    the model has them, which classes each case's conformal set keeps (``(n, C)``, ordered as the
    probabilities' columns) and whether it raises the MCS alert; the sets and alerts from the same
    probabilities read as entered on the model's own scale (``entered``), where they were
    calibrated."""

    proba: np.ndarray
    reading: str
    prior: str
    entered: np.ndarray | None = None
    set_members: np.ndarray | None = None
    alerts: np.ndarray | None = None


class Classifier:
    """A trained tumorclf model with its manifest; what :func:`tumorclf.load` returns.

    Attributes
    ----------
    classes_ : list of str
        Class names in the priors file's order (the columns of predict_proba).
    manifest : Manifest
        Where the model came from, what it was trained on, how well it did.
    readings_ : tuple of str
        The readings it answers in.
    coverage_, mcs_alert_ : CoverageSets, MCSAlert or None
        The conformal sets and the MCS alert calibrated at training.
    """

    def __init__(
        self, model: Any, manifest: Manifest | Mapping[str, Any], source: str = ""
    ) -> None:
        self.model = model
        self.manifest = Manifest.of(manifest)
        self.source = source
        model_classes = [str(c) for c in model.classes_]
        display = [c for c in self.manifest.display_order if c in model_classes]
        self.classes_ = display + [c for c in model_classes if c not in display]
        self._columns = np.array([model_classes.index(c) for c in self.classes_])
        training, clinical = self.manifest.training_prior, self.manifest.clinical_prior
        self.training_prior_ = np.array(
            [training.get(c, np.nan) for c in self.classes_], dtype=float
        )
        self.clinical_prior_ = np.array(
            [clinical.get(c, np.nan) for c in self.classes_], dtype=float
        )
        self.readings_ = tuple(self.manifest.readings)
        #: One model per reading, made once on first use:
        #: a per-call reading never changes a shared object.
        self._readers: dict[str, Any] = {}
        self._readers_lock = threading.Lock()
        #: A temperature fitted on the real cases' out-of-fold predictions,
        #: where it lowered their held-out log loss.
        self.temperature_ = self.manifest.temperature
        self.coverage_ = self.manifest.sets
        self.mcs_alert_ = self.manifest.alert
        self._alert_calibration = self.manifest.alert_calibration
        self._alerts_by_prior: dict[bytes, MCSAlert] = {}

    def __repr__(self) -> str:
        return (
            f"Classifier({self.manifest.candidate}, {len(self.classes_)} classes, "
            f"trained {self.manifest.created or '?'}, from {self.source or 'memory'})"
        )

    # -- probabilities ----------------------------------------------------------------

    def check_reading(self, reading: str) -> str:
        """``reading`` itself if this model answers in it;
        else a ValueError saying what it offers."""
        if reading not in READINGS:
            raise ValueError(f"reading must be one of {', '.join(READINGS)}; got {reading!r}")
        if reading not in self.readings_:
            raise ValueError(
                f"this model ({self.manifest.candidate}) reads cases only "
                f"{' or '.join(self.readings_)}: it learnt from rows masked that way. "
                f"Pass reading={self.readings_[0]!r}, or retrain with "
                f"fill_in.missingness={reading}."
            )
        return reading

    @property
    def _entered(self) -> bool:
        """Whether the model reads cases as entered:
        where the sets and the alert were calibrated."""
        return "as_entered" in self.readings_

    def _reader(self, reading: str) -> Any:
        """The fitted model reading cases ``reading`` (its own object, made once; the model itself
        for its own reading)."""
        reader = self._readers.get(reading)
        if reader is None:
            with self._readers_lock:
                reader = self._readers.setdefault(reading, in_reading(self.model, reading))
        return reader

    def _raw_proba(self, arrays: CaseArrays, reading: str = "as_entered") -> np.ndarray:
        """The model's probabilities on its training prior,
        recalibrated where training found that it helps."""
        proba = self._reader(reading).predict_proba(arrays)[:, self._columns]
        return apply_temperature(proba, self.temperature_)

    def _weights(self, prior: Any) -> tuple[np.ndarray | None, str]:
        """The prior shift's weights (None: the model's own prior) and the prior's name."""
        if prior is None or prior == "training":
            return None, "training"
        clinical = None if np.isnan(self.clinical_prior_).any() else self.clinical_prior_
        training = None if np.isnan(self.training_prior_).any() else self.training_prior_
        target = resolve_prior(prior, self.classes_, clinical=clinical, training=training)
        if training is None:
            raise ValueError(
                "this model's manifest has no training prior, so it cannot be re-weighted"
            )
        return prior_weights(target, training), prior if isinstance(prior, str) else "custom"

    def predict_proba_array(
        self, cases: Any, prior: Any = None, reading: str = "as_entered"
    ) -> np.ndarray:
        """:meth:`predict_proba` as a bare array, columns in :attr:`classes_` order."""
        weights, _ = self._weights(prior)
        return shift_prior(
            self._raw_proba(as_case_arrays(cases), self.check_reading(reading)), weights
        )

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
        frame = pd.DataFrame(proba, columns=self.classes_, index=_index_of(arrays))
        frame.attrs.update(reading=reading, prior=self._weights(prior)[1])
        return frame

    def score(
        self,
        cases: Any,
        prior: Any = None,
        reading: str = "as_entered",
        coverage: float | None = None,
    ) -> Scored:
        """A batch's probabilities, sets and alerts from one validation and one probability matrix
        (two where the reading asked is not the one the sets and alert were calibrated in)."""
        arrays = as_case_arrays(cases)
        self.check_reading(reading)
        weights, prior_name = self._weights(prior)
        alpha = None if coverage is None else alpha_of(coverage)
        entered = self._raw_proba(arrays, "as_entered") if self._entered else None
        raw = entered if reading == "as_entered" else self._raw_proba(arrays, reading)
        members = alerts = None
        if entered is not None and self.coverage_ is not None:
            members = self.coverage_.members(entered, self.classes_, alpha)
        if entered is not None and self.mcs_alert_ is not None and ALERT_CLASS in self.classes_:
            alert, shift = self._alert_under(weights)
            alerts = alert.flags(shift_prior(entered, shift)[:, self.classes_.index(ALERT_CLASS)])
        return Scored(shift_prior(raw, weights), reading, prior_name, entered, members, alerts)

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
        if self.coverage_ is None or not self._entered:
            raise ValueError(
                "this model has no calibrated coverage sets (trained before them): retrain it"
            )
        alpha = None if coverage is None else alpha_of(coverage)
        return self.coverage_.sets(
            self._raw_proba(as_case_arrays(cases), "as_entered"), self.classes_, alpha
        )

    def mcs_alerts(self, cases: Any, prior: Any = None) -> np.ndarray:
        """Whether each case raises the MCS alert: p(MCS) under ``prior`` (read as entered) at or
        above the threshold chosen under that prior (see :meth:`alert_for`)."""
        if self.mcs_alert_ is None or ALERT_CLASS not in self.classes_ or not self._entered:
            raise ValueError(
                "this model has no calibrated MCS alert (trained before it): retrain it"
            )
        alert, shift = self._alert_under(self._weights(prior)[0])
        proba = shift_prior(self._raw_proba(as_case_arrays(cases), "as_entered"), shift)
        return alert.flags(proba[:, self.classes_.index(ALERT_CLASS)])

    def alert_for(self, prior: Any = None) -> MCSAlert:
        """The :class:`~tumorclf.prediction.conformal.MCSAlert` under ``prior``: its threshold is
        the same quantile of the out-of-fold MCS cases' p(MCS), re-weighted to that prior, as
        training chose on its own scale."""
        if self.mcs_alert_ is None:
            raise ValueError(
                "this model has no calibrated MCS alert (trained before it): retrain it"
            )
        return self._alert_under(self._weights(prior)[0])[0]

    def _alert_under(self, weights: np.ndarray | None) -> tuple[MCSAlert, np.ndarray | None]:
        """The alert for these prior weights, and the weights its p(MCS) is to be read with (None:
        the model's own scale, for no weights or a model from before the alert could follow a
        prior)."""
        if weights is None or self._alert_calibration is None:
            return self.mcs_alert_, None
        key = np.asarray(weights, dtype=float).tobytes()
        alert = self._alerts_by_prior.get(key)
        if alert is None:
            if len(self._alerts_by_prior) >= 32:  # many custom priors: keep the cache small
                self._alerts_by_prior.clear()
            alert = self._alert_calibration.alert_for(
                dict(zip(self.classes_, weights, strict=True))
            )
            self._alerts_by_prior[key] = alert
        return alert, weights

    # -- one case, explained --------------------------------------------------------

    def predict_case(
        self,
        case: Mapping[str, Any],
        prior: Any = None,
        *,
        reading: str = "as_entered",
        threshold: float = 0.01,
        min_classes: int = 3,
        max_reasons: int = 6,
        coverage: float | None = None,
        detail: bool = False,
        leading: int | None = 3,
    ) -> Prediction:
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
        ``detail``: also the probabilities under equal classes and under the clinical prior, each
        stated finding's likelihood ratio for the three leading classes with what stands behind
        it (``leading`` classes; None: every class), and the unstated findings ranked by
        expected information gain (:mod:`tumorclf.prediction.evidence`).
        """
        alpha = None if coverage is None else alpha_of(coverage)
        arrays = as_case_arrays(case)
        if len(arrays) != 1:
            raise ValueError(
                f"predict_case takes one case; got {len(arrays)}. Use predict_proba for a batch."
            )
        self.check_reading(reading)
        weights, prior_name = self._weights(prior)
        reported = [f for f in explain.FINDINGS if explain.is_reported(arrays, f)]
        batch = explain.without_each(arrays, reported)
        explained = "as_entered" if self._entered else reading
        raw = self._raw_proba(batch, explained)
        proba = shift_prior(raw, weights)
        top = (
            proba[0]
            if reading == explained
            else shift_prior(self._raw_proba(arrays, reading), weights)[0]
        )
        order = np.argsort(-top, kind="stable")
        diagnosis = self.classes_[order[0]]
        differential = [
            (self.classes_[j], float(top[j]))
            for k, j in enumerate(order)
            if k < min_classes or top[j] >= threshold
        ]
        found = explain.effects(
            arrays, reported, proba, self.classes_, [self.classes_[j] for j in order[:3]]
        )
        chosen = explain.strongest(found, diagnosis, max_reasons)
        differential_set, alert = self._calibrated(
            raw[:1] if explained == "as_entered" else None, weights, prior_name, alpha
        )
        extra: dict[str, Any] = {}
        if detail:
            extra = self._detail(
                arrays, reported, raw if explained == reading else None, top, leading
            )
        return Prediction(
            **extra,
            diagnosis=diagnosis,
            probabilities={c: float(p) for c, p in zip(self.classes_, top, strict=True)},
            differential=differential,
            explanation=[e.sentence for e in chosen],
            effects=found,
            prior=prior_name,
            reading=reading,
            differential_set=differential_set,
            set_coverage=None
            if self.coverage_ is None
            else 1.0 - (self.coverage_.alpha if alpha is None else alpha),
            alert=alert,
        )

    def _detail(
        self,
        arrays: CaseArrays,
        reported: list[str],
        raw: np.ndarray | None,
        shown: np.ndarray,
        leading_count: int | None = 3,
    ) -> dict[str, Any]:
        """:meth:`predict_case`'s ``detail``: both numbers, the ratios, what to look at next."""
        from tumorclf.prediction import evidence

        out: dict[str, Any] = {}
        base = raw[:1] if raw is not None else None
        for key, prior in (("ranking", "uniform"), ("practice", "clinical")):
            try:
                weights, _ = self._weights(prior)
            except ValueError:  # a manifest without a clinical or training prior
                continue
            if base is not None:
                p = shift_prior(base, weights)[0]
                out[key] = {c: float(v) for c, v in zip(self.classes_, p, strict=True)}
        leading = [self.classes_[j] for j in np.argsort(-shown, kind="stable")[:leading_count]]
        final = self.model
        while hasattr(final, "steps"):
            final = final.steps[-1][1]
        if raw is not None and reported:
            out["ratios"] = evidence.likelihood_ratios(
                arrays, reported, raw, self.classes_, leading,
                final.evidence() if hasattr(final, "evidence") else None,
            )  # fmt: skip
        findings = getattr(final, "findings_", None)
        if findings is not None:
            from tumorclf.model.inference import log_likelihood
            from tumorclf.model.structure import values_of

            columns = [list(findings.classes).index(c) for c in self.classes_]
            unstated = [
                (f, len(values_of(f)))
                for f in evidence.HOW_TO_SEE
                if f in CODE_COLUMN and not explain.is_reported(arrays, f)
            ]
            out["next_findings"] = evidence.next_findings(
                lambda X: log_likelihood(findings, X)[:, columns],
                arrays, unstated, shown, self.classes_,
            )  # fmt: skip
        return out

    def _calibrated(
        self,
        entered: np.ndarray | None,
        weights: np.ndarray | None,
        prior_name: str,
        alpha: float | None,
    ) -> tuple[tuple[str, ...] | None, AlertResult | None]:
        """One case's conformal set (read as entered on the training prior's scale, as calibrated)
        and MCS alert (under the prior of ``weights``), from its training-scale probabilities as
        entered."""
        if entered is None or (self.coverage_ is None and self.mcs_alert_ is None):
            return None, None
        kept = (
            self.coverage_.sets(entered, self.classes_, alpha)[0]
            if self.coverage_ is not None
            else None
        )
        alert = None
        if self.mcs_alert_ is not None and ALERT_CLASS in self.classes_:
            a, shift = self._alert_under(weights)
            p = float(shift_prior(entered, shift)[0, self.classes_.index(ALERT_CLASS)])
            alert = AlertResult(
                raised=bool(a.flags(p)),
                p_mcs=p,
                threshold=a.threshold,
                caught=a.caught,
                n_mcs=a.n_mcs,
                sensitivity_lower=a.sensitivity_lower,
                false_alarm_rate=a.false_alarm_rate,
                prior="training" if shift is None else prior_name,
            )
        return kept, alert

    def predict_report(
        self,
        text: str,
        prior: Any = None,
        reading: str = "as_entered",
        coverage: float | None = None,
    ) -> Prediction:
        """Read the case from a findings paragraph, then :meth:`predict_case` it.

        The :class:`Prediction` carries the :class:`~tumorclf.extract.Extraction`
        (``prediction.extraction``): every value with the words it was read
        from, so the reader can check it.

        Raises
        ------
        tumorclf.extract.ReportError
            For an empty text, one not in English, or one with no finding.
        """
        from dataclasses import replace

        from tumorclf.extract import extract_case

        extraction = extract_case(text)
        return replace(
            self.predict_case(extraction.case, prior, reading=reading, coverage=coverage),
            extraction=extraction,
        )


def _index_of(arrays: CaseArrays) -> Any:
    """The cases' ``id`` if given, else their index (None: positions)."""
    import pandas as pd

    if "id" in arrays.extras:
        return pd.Index(arrays.extras["id"], name="id")
    return pd.Index(arrays.index) if arrays.index is not None else None


__all__ = ["Classifier", "Scored"]
