"""The synthetic case generator: draws cases from given models, and gives their exact posterior.

:class:`CaseGenerator` holds a :class:`~tumorclf.model.structure.FindingModel`
(how each tumour looks) and a :class:`~tumorclf.model.structure.ReportingModel`
(how papers report it), and offers two things:

* :meth:`CaseGenerator.sample`: seeded, vectorised draws of labelled cases:
  complete cases from the finding model, then masked by a named
  missingness process (:data:`MISSINGNESS`);
* :meth:`CaseGenerator.posterior`: the exact p(class | case) in either
  reading (``"as_entered"``, the default, or ``"as_published"``), by
  :func:`tumorclf.model.inference.posterior`. That is the Bayes-optimal
  reference ("oracle") trained models are measured against.

The generator fits nothing. Its models are the literature's
(:mod:`tumorclf.model.literature`) or those of a fitted
:class:`~tumorclf.model.estimator.UpdatedPriorsClassifier`
(:meth:`CaseGenerator.from_model`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tumorclf.class_prior import resolve_prior
from tumorclf.model.inference import log_likelihood, posterior
from tumorclf.model.literature import findings_from_priors, reporting_from_priors
from tumorclf.model.priors import Priors
from tumorclf.model.readings import check_reading
from tumorclf.model.structure import REGION_OF_LEVEL, FindingModel, ReportingModel, sampling_order
from tumorclf.schema import (
    CODE_COLUMN,
    CODE_VALUES,
    CODED_FIELDS,
    LEVELS,
    CaseArrays,
    as_case_arrays,
    frame_from_arrays,
)
from tumorclf.schema.vocabulary import COARSE_VALUES

#: How sampled cases are masked. ``as_published``: each case draws a
#: publication style and each finding is stated at that style's rate for its
#: value; ``as_entered``: each case draws a completeness u ~ Uniform(0.2, 1)
#: and keeps each field with chance u, whatever its value and class (a silence
#: says nothing); ``none``: every field stated.
MISSINGNESS: tuple[str, ...] = ("as_published", "as_entered", "none")
#: The range of the per-case completeness of ``as_entered`` masking.
ENTERED_COMPLETENESS = (0.2, 1.0)
#: Share of stated enhancement and calcification written without their pattern ("enhancing",
#: "calcified": schema 1.2's "present") in a masked draw, whatever the pattern and class. A
#: modelling assumption about wording, not about tumours: it gives a model trained on draws the
#: coarse statement to learn from, and, being the same for every pattern and class, it leaves
#: the exact posterior exact (the finding model sums over the patterns).
COARSE_SHARE = 0.2

Balance = str | Mapping[str, float] | Sequence[float]


def allocate(n: int, weights: np.ndarray) -> np.ndarray:
    """Split ``n`` rows over classes in proportion to ``weights`` (largest remainder)."""
    exact = n * weights
    counts = np.floor(exact).astype(int)
    remainder = n - counts.sum()
    if remainder:
        order = np.argsort(-(exact - counts), kind="stable")
        counts[order[:remainder]] += 1
    return counts


def _coarsen(rng: np.random.Generator, codes: np.ndarray) -> None:
    """Write :data:`COARSE_SHARE` of the stated values that have a coarse form as that form."""
    for name, coarse in COARSE_VALUES.items():
        column = codes[:, CODE_COLUMN[name]]
        for value, members in coarse.items():
            fine = np.isin(column, [CODE_VALUES[name].index(m) for m in members])
            column[fine & (rng.random(len(column)) < COARSE_SHARE)] = CODE_VALUES[name].index(value)


class CaseGenerator:
    """Samples labelled intraspinal cases and gives their exact class posterior.

    Parameters
    ----------
    priors : Priors
        Compiled literature priors, from :func:`tumorclf.model.priors.load_priors`: the classes,
        their prevalences, and the models used where none are given.
    findings : FindingModel, optional
        How each class looks; by default the literature's.
    reporting : ReportingModel, optional
        How papers report; by default the priors file's rates, whatever the value.
    update : dict, optional
        How the given models were fitted, for the record (:meth:`from_model`).

    Attributes
    ----------
    classes_ : tuple of str
    clinical_prior_ : ndarray of shape (n_classes,)
        Prevalences from the priors file.
    findings : FindingModel
    reporting : ReportingModel
    update_ : dict
        How the models were updated by real cases (empty for the literature model).
    """

    def __init__(
        self,
        priors: Priors,
        findings: FindingModel | None = None,
        reporting: ReportingModel | None = None,
        *,
        update: Mapping[str, Any] | None = None,
    ) -> None:
        self.priors = priors
        self.findings = findings if findings is not None else findings_from_priors(priors)
        self.reporting = reporting if reporting is not None else reporting_from_priors(priors)
        self.update_ = dict(update or {})
        self.classes_ = priors.classes
        self.clinical_prior_ = priors.prevalence

    def __repr__(self) -> str:
        how = f", updated by {self.update_.get('n_cases', 0)} real cases" if self.update_ else ""
        return f"CaseGenerator(priors={self.priors.path!r}, classes={len(self.classes_)}{how})"

    @classmethod
    def from_model(cls, model: Any) -> CaseGenerator:
        """The generator of a fitted :class:`~tumorclf.model.estimator.UpdatedPriorsClassifier`: its
        finding and reporting models, its literature priors' classes and prevalences."""
        return cls(
            model.resolved_priors(), model.findings_, model.reporting_, update=model.update_record()
        )

    def class_weights(self, balance: Balance = "clinical") -> np.ndarray:
        """The class proportions a ``balance`` argument stands for."""
        return resolve_prior(balance, self.classes_, clinical=self.clinical_prior_, name="balance")

    # -- sampling ---------------------------------------------------------------

    def sample_arrays(
        self,
        n: int,
        balance: Balance = "clinical",
        random_state: int | np.random.Generator | None = None,
        *,
        missingness: str = "as_published",
    ) -> CaseArrays:
        """Draw ``n`` labelled cases as :class:`CaseArrays` (no DataFrame built).

        Class counts follow ``balance`` exactly (largest remainder) and rows
        come out shuffled. Complete cases are drawn from the finding model,
        then masked by ``missingness`` (see :data:`MISSINGNESS`).
        """
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(
                f"The 'n' parameter must be a non-negative integer. Got {n!r} instead."
            )
        if missingness not in MISSINGNESS:
            raise ValueError(
                f"The 'missingness' parameter must be one of {MISSINGNESS}. "
                f"Got {missingness!r} instead."
            )
        # Separate streams: the complete draws and their order do not depend on the masking.
        # (Spawned streams are numbered: a fourth leaves the first three as they were.)
        draw, mask, shuffle, coarsen = np.random.default_rng(random_state).spawn(4)
        counts = allocate(int(n), self.class_weights(balance))
        labels = np.repeat(np.arange(len(self.classes_)), counts)
        age = np.empty(n)
        codes = np.empty((n, len(CODED_FIELDS)), dtype=np.int8)
        start = 0
        for c, m in enumerate(counts):
            block = slice(start, start + m)
            start += m
            self._sample_class(c, m, draw, age[block], codes[block])
        if missingness == "as_published":
            self._mask_as_published(mask, age, codes, labels)
        elif missingness == "as_entered":
            self._mask_as_entered(mask, age, codes)
        if missingness != "none":
            _coarsen(coarsen, codes)
        order = shuffle.permutation(n)
        tag = f"synthetic (priors {self.priors.sha256[:8]}, seed {random_state}, {missingness})"
        return CaseArrays(
            age=age[order],
            codes=codes[order],
            index=None,
            labels=np.asarray(self.classes_, dtype=object)[labels[order]],
            extras={"source": np.full(n, tag, dtype=object)},
        )

    def sample(
        self,
        n: int,
        balance: Balance = "clinical",
        random_state: int | np.random.Generator | None = None,
        *,
        missingness: str = "as_published",
    ) -> pd.DataFrame:
        """Draw ``n`` labelled cases as a validated frame: schema columns,
        ``diagnosis``, ``source``.

        Examples
        --------
        >>> from tumorclf.synthetic import load_generator
        >>> df = load_generator().sample(1000, balance="uniform", random_state=0)
        >>> df["diagnosis"].value_counts().nunique()  # equal class counts (up to one)
        2
        """
        arrays = self.sample_arrays(n, balance, random_state, missingness=missingness)
        return frame_from_arrays(arrays, classes=self.classes_)

    def _sample_class(
        self, c: int, m: int, rng: np.random.Generator, age: np.ndarray, codes: np.ndarray
    ) -> None:
        """Complete cases of class ``c``: every field drawn, children given their parent's value."""
        findings = self.findings
        age[:] = rng.choice(findings.age.shape[1], size=m, p=findings.age[c])
        top, bottom = np.divmod(
            rng.choice(findings.level.shape[1], size=m, p=findings.level[c]), len(LEVELS)
        )
        codes[:, CODE_COLUMN["level_top"]] = top
        codes[:, CODE_COLUMN["level_bottom"]] = bottom
        for name in sampling_order(findings.parents):
            table = findings.fields[name][c]
            out = codes[:, CODE_COLUMN[name]]
            if name in findings.by_region:
                parent = REGION_OF_LEVEL[top]
            elif name in findings.parents:
                parent = codes[:, CODE_COLUMN[findings.parents[name]]]
            else:
                out[:] = rng.choice(table.shape[-1], size=m, p=table)
                continue
            for row in range(table.shape[0]):
                members = np.flatnonzero(parent == row)
                total = table[row].sum()
                out[members] = (
                    -1
                    if total == 0
                    else rng.choice(table.shape[-1], size=len(members), p=table[row] / total)
                )

    def _mask_as_published(
        self, rng: np.random.Generator, age: np.ndarray, codes: np.ndarray, labels: np.ndarray
    ) -> None:
        """Each case a paper of a style drawn from the reporting model; each finding stated at its
        rate (its class's, where the model lets classes depart)."""
        reporting = self.reporting
        n = len(age)
        style = rng.choice(len(reporting.styles), size=n, p=reporting.weights)
        age[rng.random(n) >= reporting.age[style]] = np.nan
        gone = rng.random(n) >= reporting.level[style]
        codes[gone, CODE_COLUMN["level_top"]] = -1
        codes[gone, CODE_COLUMN["level_bottom"]] = -1
        for name in reporting.fields:
            column = codes[:, CODE_COLUMN[name]]
            present = column >= 0
            rate = reporting.rate(name, labels[present])  # (Z, m, K)
            rows = np.arange(int(present.sum()))
            chance = (
                rate[style[present], rows, column[present]]
                if rate.ndim == 3
                else rate[style[present], column[present]]
            )
            keep = np.zeros(n, dtype=bool)
            keep[present] = rng.random(int(present.sum())) < chance
            column[~keep] = -1

    def _mask_as_entered(
        self, rng: np.random.Generator, age: np.ndarray, codes: np.ndarray
    ) -> None:
        """Each case keeps each field with its own chance u ~ Uniform(0.2, 1),
        whatever the value."""
        n = len(age)
        low, high = ENTERED_COMPLETENESS
        completeness = rng.uniform(low, high, size=n)
        age[rng.random(n) >= completeness] = np.nan
        gone = rng.random(n) >= completeness
        codes[gone, CODE_COLUMN["level_top"]] = -1
        codes[gone, CODE_COLUMN["level_bottom"]] = -1
        for name in self.reporting.fields:
            column = codes[:, CODE_COLUMN[name]]
            column[rng.random(n) >= completeness] = -1

    # -- the exact posterior --------------------------------------------------------

    def log_likelihood(self, cases: Any, reading: str = "as_entered") -> np.ndarray:
        """log p(case | class), shape ``(n_cases, n_classes)``.

        Parameters
        ----------
        cases : dict, list of dict, DataFrame or CaseArrays
        reading : {"as_entered", "as_published"}
            ``"as_entered"`` (default): stated fields are findings, the rest
            unknown and summed out; how papers report plays no part.
            ``"as_published"``: the case is a published row, its silences
            included, under the reporting model.
        """
        return log_likelihood(self.findings, as_case_arrays(cases), reading, self.reporting)

    def posterior_array(
        self,
        cases: Any,
        prior: Balance = "clinical",
        *,
        reading: str = "as_entered",
        temperature: float = 1.0,
    ) -> np.ndarray:
        """:meth:`posterior` as a bare array of shape ``(n_cases, n_classes)``.

        ``temperature`` scales the log likelihood (1: the exact posterior;
        below 1: a tempered one).
        """
        class_prior = resolve_prior(prior, self.classes_, clinical=self.clinical_prior_)
        return posterior(
            self.findings,
            as_case_arrays(cases),
            class_prior,
            reading=reading,
            reporting=self.reporting,
            temperature=temperature,
        )

    def posterior(
        self, cases: Any, prior: Balance = "clinical", *, reading: str = "as_entered"
    ) -> pd.DataFrame:
        """The exact posterior p(class | case): the Bayes oracle.

        Parameters
        ----------
        cases : dict, list of dict, DataFrame or CaseArrays
            Cases in the schema.
        prior : {"clinical", "uniform"} or dict
            The class prior of the population the cases come from.
        reading : {"as_entered", "as_published"}
            How the case is read: see :meth:`log_likelihood`. The frame's
            ``attrs["reading"]`` names it.

        Returns
        -------
        DataFrame
            One row per case (index or ``id`` kept), one column per class; rows sum to 1.

        Examples
        --------
        >>> from tumorclf.synthetic import load_generator
        >>> seed_case = {"age": 19, "sex": "M", "level": "T12-L2", "compartment": "I&ED",
        ...              "dumbbell": True, "enhancement": "homogeneous",
        ...              "calcification": "punctate", "dural_tail": False}
        >>> post = load_generator().posterior(seed_case)
        >>> post.idxmax(axis=1)[0], post.attrs["reading"]
        ('mcs', 'as_entered')
        """
        check_reading(reading)
        arrays = as_case_arrays(cases)
        index = (
            pd.Index(arrays.extras["id"], name="id")
            if "id" in arrays.extras
            else (pd.Index(arrays.index) if arrays.index is not None else None)
        )
        frame = pd.DataFrame(
            self.posterior_array(arrays, prior, reading=reading),
            columns=list(self.classes_),
            index=index,
        )
        frame.attrs["reading"] = reading
        return frame
