"""The synthetic case generator: a probability model that samples and scores.

:class:`CaseGenerator` holds a :class:`~tumorclf.synthetic.report_model.ReportModel`
(what reports say, silences included) and offers two things:

* :meth:`CaseGenerator.sample`: seeded, vectorised draws of labelled cases;
* :meth:`CaseGenerator.posterior`: the exact p(class | report) under that
  model. That is the Bayes-optimal reference ("oracle") trained models are
  measured against.

Built from the literature priors alone, a field is left out at the same rate
in every class, so leaving it out says nothing about the class. Updated by
real cases (:meth:`CaseGenerator.updated`), what a report leaves out is
evidence too, as learnt from the reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from tumorclf.class_prior import resolve_prior
from tumorclf.schema import (
    CODE_COLUMN,
    CODED_FIELDS,
    LEVELS,
    CaseArrays,
    as_case_arrays,
    frame_from_arrays,
)
from tumorclf.synthetic.priors import PARENTS, Priors
from tumorclf.synthetic.report_model import (
    AGE_UNREPORTED,
    LEVEL_UNREPORTED,
    ROOT_FIELDS,
    ReportModel,
    from_priors,
    log_likelihood,
    outcome_codes,
)
from tumorclf.synthetic.update import update_model

Balance = str | Mapping[str, float] | Sequence[float]

#: Fields in an order where every parent comes before its children.
SAMPLING_ORDER: tuple[str, ...] = (*ROOT_FIELDS, *PARENTS)


def allocate(n: int, weights: np.ndarray) -> np.ndarray:
    """Split ``n`` rows over classes in proportion to ``weights`` (largest remainder)."""
    exact = n * weights
    counts = np.floor(exact).astype(int)
    remainder = n - counts.sum()
    if remainder:
        order = np.argsort(-(exact - counts), kind="stable")
        counts[order[:remainder]] += 1
    return counts


class CaseGenerator:
    """Samples labelled intraspinal cases and gives their exact class posterior.

    Parameters
    ----------
    priors : Priors
        Compiled literature priors, from :func:`tumorclf.synthetic.load_priors`.
    model : ReportModel, optional
        The tables to sample from and score with; by default the literature
        model of ``priors`` (:func:`~tumorclf.synthetic.report_model.from_priors`).

    Attributes
    ----------
    classes_ : tuple of str
    clinical_prior_ : ndarray of shape (n_classes,)
        Prevalences from the priors file.
    model : ReportModel
    update_ : dict
        How the model was updated by real cases (empty for the literature model).
    """

    def __init__(self, priors: Priors, model: ReportModel | None = None, *, update: Mapping[str, Any] | None = None) -> None:
        self.priors = priors
        self.model = model if model is not None else from_priors(priors)
        self.update_ = dict(update or {})
        self.classes_ = priors.classes
        self.clinical_prior_ = priors.prevalence

    def __repr__(self) -> str:
        how = f", updated by {self.update_.get('n_cases', 0)} real cases" if self.update_ else ""
        return f"CaseGenerator(priors={self.priors.path!r}, classes={len(self.classes_)}{how})"

    def updated(self, cases: Any, labels: Sequence[str] | np.ndarray, *, strength: float,
                missing_strength: float = 10.0, floor: float = 0.0, age_bandwidth: float = 4.0) -> CaseGenerator:
        """A generator whose tables are the posterior given labelled real cases.

        The literature's values are Dirichlet priors worth ``strength`` cases
        in every row, the pooled silence rates Beta priors worth
        ``missing_strength``; see :mod:`tumorclf.synthetic.update`.
        """
        arrays = as_case_arrays(cases)
        labels = np.asarray(labels, dtype=object).astype(str)
        unknown = sorted(set(labels) - set(self.classes_))
        if unknown:
            raise ValueError(f"Unknown diagnoses {unknown}; the classes are {list(self.classes_)}.")
        index = np.array([self.classes_.index(v) for v in labels], dtype=np.intp)
        base = from_priors(self.priors)
        model = update_model(base, arrays, index, strength=strength, missing_strength=missing_strength,
                             floor=floor, age_bandwidth=age_bandwidth)
        return CaseGenerator(self.priors, model, update={
            "n_cases": len(arrays), "strength": strength, "missing_strength": missing_strength,
            "floor": floor, "age_bandwidth": age_bandwidth,
        })

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
        missing: bool = True,
    ) -> CaseArrays:
        """Draw ``n`` labelled cases as :class:`CaseArrays` (no DataFrame built).

        Class counts follow ``balance`` exactly (largest remainder) and rows
        come out shuffled. With ``missing=True`` fields go unreported as the
        model says; with ``missing=False`` every field is drawn from its
        distribution given that it is reported.
        """
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(f"The 'n' parameter must be a non-negative integer. Got {n!r} instead.")
        rng = np.random.default_rng(random_state)
        counts = allocate(int(n), self.class_weights(balance))
        labels = np.repeat(np.arange(len(self.classes_)), counts)
        age = np.empty(n)
        codes = np.empty((n, len(CODED_FIELDS)), dtype=np.int8)
        start = 0
        for c, m in enumerate(counts):
            block = slice(start, start + m)
            start += m
            self._sample_class(c, m, rng, age[block], codes[block], missing)
        order = rng.permutation(n)
        tag = f"synthetic (priors {self.priors.sha256[:8]}, seed {random_state})"
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
        missing: bool = True,
    ) -> pd.DataFrame:
        """Draw ``n`` labelled cases as a validated frame: schema columns, ``diagnosis``, ``source``.

        Examples
        --------
        >>> from tumorclf.synthetic import load_generator
        >>> df = load_generator().sample(1000, balance="uniform", random_state=0)
        >>> df["diagnosis"].value_counts().nunique()  # equal class counts (up to one)
        2
        """
        arrays = self.sample_arrays(n, balance, random_state, missing=missing)
        return frame_from_arrays(arrays, classes=self.classes_)

    @staticmethod
    def _draw(rng: np.random.Generator, p: np.ndarray, size: int, missing: bool) -> np.ndarray:
        """Outcome indices from one row; without ``missing``, conditional on being reported."""
        if not missing:
            reported = p[:-1]
            if reported.sum() == 0:
                return np.full(size, len(p) - 1)
            p = np.append(reported / reported.sum(), 0.0)
        return rng.choice(len(p), size=size, p=p)

    def _sample_class(self, c: int, m: int, rng: np.random.Generator, age: np.ndarray,
                      codes: np.ndarray, missing: bool) -> None:
        model = self.model
        years = self._draw(rng, model.age[c], m, missing)
        age[:] = np.where(years == AGE_UNREPORTED, np.nan, years)
        cell = self._draw(rng, model.level[c], m, missing)
        top, bottom = np.divmod(cell, len(LEVELS))
        gone = cell == LEVEL_UNREPORTED
        codes[:, CODE_COLUMN["level_top"]] = np.where(gone, -1, top)
        codes[:, CODE_COLUMN["level_bottom"]] = np.where(gone, -1, bottom)
        for name in SAMPLING_ORDER:
            table = model.fields[name][c]
            k = table.shape[-1] - 1
            out = codes[:, CODE_COLUMN[name]]
            if name not in PARENTS:
                drawn = self._draw(rng, table, m, missing)
            else:
                parent = outcome_codes(codes[:, CODE_COLUMN[PARENTS[name]]], table.shape[0] - 1)
                drawn = np.empty(m, dtype=np.intp)
                for row in range(table.shape[0]):
                    members = np.flatnonzero(parent == row)
                    drawn[members] = self._draw(rng, table[row], len(members), missing)
            out[:] = np.where(drawn == k, -1, drawn)

    # -- the exact posterior --------------------------------------------------------

    def log_likelihood(self, cases: Any, unreported: str = "evidence") -> np.ndarray:
        """log p(report | class), shape ``(n_cases, n_classes)``.

        Parameters
        ----------
        cases : dict, list of dict, DataFrame or CaseArrays
        unreported : {"evidence", "marginalised"}
            ``"evidence"`` (default): a field a case leaves out is the outcome
            "not reported", with the model's chance of a report leaving it
            out; that is what a published report is. ``"marginalised"``: a
            field left out is summed over every outcome, so it says nothing;
            that is a case whose other findings were simply not entered.
        """
        return log_likelihood(self.model, as_case_arrays(cases), unreported)

    def posterior_array(self, cases: Any, prior: Balance = "clinical", *, unreported: str = "evidence",
                        temperature: float = 1.0) -> np.ndarray:
        """:meth:`posterior` as a bare array of shape ``(n_cases, n_classes)``.

        ``temperature`` scales the log likelihood (1: the exact posterior;
        below 1: a tempered one, for findings that are not independent given
        the class as the model assumes).
        """
        log_prior = np.log(resolve_prior(prior, self.classes_, clinical=self.clinical_prior_))
        with np.errstate(divide="ignore", invalid="ignore"):
            joint = temperature * self.log_likelihood(cases, unreported) + log_prior
            result = np.exp(joint - logsumexp(joint, axis=1, keepdims=True))
        impossible = ~np.isfinite(result).all(axis=1)
        if impossible.any():
            rows = np.flatnonzero(impossible)[:10].tolist()
            raise ValueError(f"Cases at positions {rows} have zero probability under every class with this prior.")
        return result

    def posterior(self, cases: Any, prior: Balance = "clinical", *, unreported: str = "evidence") -> pd.DataFrame:
        """The exact posterior p(class | report): the Bayes oracle.

        Parameters
        ----------
        cases : dict, list of dict, DataFrame or CaseArrays
            Cases in the schema.
        prior : {"clinical", "uniform"} or dict
            The class prior of the population the cases come from.
        unreported : {"evidence", "marginalised"}
            What a field a case leaves out means: see :meth:`log_likelihood`.

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
        >>> post.idxmax(axis=1)[0]
        'mcs'
        """
        arrays = as_case_arrays(cases)
        index = pd.Index(arrays.extras["id"], name="id") if "id" in arrays.extras else (
            pd.Index(arrays.index) if arrays.index is not None else None
        )
        return pd.DataFrame(self.posterior_array(arrays, prior, unreported=unreported), columns=list(self.classes_), index=index)
