"""The synthetic case generator: a probability model that samples and scores.

:class:`CaseGenerator` holds the compiled :class:`~tumorclf.synthetic.priors.Priors`
and offers two things:

* :meth:`CaseGenerator.sample`: seeded, vectorised draws of labelled cases;
* :meth:`CaseGenerator.posterior`: the exact p(class | reported findings),
  with every unreported field summed out. That is the Bayes-optimal
  reference ("oracle") trained models are measured against.

Missingness in the generator is the same for every class, so in the posterior
an unreported field is marginalised and carries no evidence itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from tumorclf.class_prior import resolve_prior
from tumorclf.schema import CODE_COLUMN, CODED_FIELDS, LEVELS, CaseArrays, as_case_arrays, frame_from_arrays
from tumorclf.synthetic.priors import AGES, PARENTS, STRUCTURAL_NONE, TABLE_FIELDS, Priors

Balance = str | Mapping[str, float] | Sequence[float]

#: Fields sampled and scored on their own, given the class.
ROOT_FIELDS: tuple[str, ...] = tuple(f for f in TABLE_FIELDS if f not in PARENTS)
#: Each parent field with the fields that depend on it.
CHILDREN: dict[str, tuple[str, ...]] = {
    parent: tuple(child for child, p in PARENTS.items() if p == parent) for parent in set(PARENTS.values())
}


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

    Attributes
    ----------
    classes_ : tuple of str
    clinical_prior_ : ndarray of shape (n_classes,)
        Prevalences from the priors file.
    """

    def __init__(self, priors: Priors) -> None:
        self.priors = priors
        self.classes_ = priors.classes
        self.clinical_prior_ = priors.prevalence
        with np.errstate(divide="ignore"):
            self._log_age = np.log(priors.age_pmf)
            self._log_level = np.log(priors.level_joint)
            self._log_top = np.log(priors.level_joint.sum(axis=2))
            self._log_bottom = np.log(priors.level_joint.sum(axis=1))
            self._log_tables = {f: np.log(t) for f, t in priors.tables.items() if f in ROOT_FIELDS}

    def __repr__(self) -> str:
        return f"CaseGenerator(priors={self.priors.path!r}, classes={len(self.classes_)})"

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

        Class counts follow ``balance`` exactly (largest remainder), rows come
        out shuffled, and with ``missing=True`` fields are blanked at the rates
        of the priors file's ``missingness`` section.
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
            self._sample_class(c, m, rng, age[block], codes[block])
        if missing:
            self._blank(rng, age, codes)
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

    def _sample_class(
        self, c: int, m: int, rng: np.random.Generator, age: np.ndarray, codes: np.ndarray
    ) -> None:
        priors = self.priors
        age[:] = rng.choice(AGES, size=m, p=priors.age_pmf[c])
        flat = rng.choice(len(LEVELS) ** 2, size=m, p=priors.level_joint[c].ravel())
        codes[:, CODE_COLUMN["level_top"]], codes[:, CODE_COLUMN["level_bottom"]] = np.divmod(flat, len(LEVELS))
        for name in ROOT_FIELDS:
            table = priors.tables[name][c]
            codes[:, CODE_COLUMN[name]] = rng.choice(len(table), size=m, p=table)
        for child, parent in PARENTS.items():
            parent_codes = codes[:, CODE_COLUMN[parent]]
            out = codes[:, CODE_COLUMN[child]]
            table = priors.tables[child][c]
            for k in range(table.shape[0]):
                rows = np.flatnonzero(parent_codes == k)
                if table[k].sum() == 0:  # structurally absent (no site without calcification)
                    out[rows] = -1
                else:
                    out[rows] = rng.choice(table.shape[1], size=len(rows), p=table[k])

    def _blank(self, rng: np.random.Generator, age: np.ndarray, codes: np.ndarray) -> None:
        rates = self.priors.missing
        n = len(age)
        age[rng.random(n) < rates["age"]] = np.nan
        level_gone = rng.random(n) < rates["level"]
        codes[level_gone, CODE_COLUMN["level_top"]] = -1
        codes[level_gone, CODE_COLUMN["level_bottom"]] = -1
        for name in TABLE_FIELDS:
            codes[rng.random(n) < rates[name], CODE_COLUMN[name]] = -1

    # -- the exact posterior --------------------------------------------------------

    def log_likelihood(self, cases: Any) -> np.ndarray:
        """log p(reported findings | class), shape ``(n_cases, n_classes)``.

        Unreported fields are summed out: a field that is missing contributes
        nothing, and a reported child (``dumbbell``) of an unreported parent
        (``compartment``) is weighed over every value the parent could take.
        Ages are scored in whole years.
        """
        arrays = as_case_arrays(cases)
        n = len(arrays)
        ll = np.zeros((n, len(self.classes_)))

        age = arrays.age
        seen = ~np.isnan(age)
        years = np.floor(age[seen] + 0.5).astype(np.intp)
        ll[seen] += self._log_age[:, years].T

        top, bottom = arrays.column("level_top"), arrays.column("level_bottom")
        both = (top >= 0) & (bottom >= 0)
        ll[both] += self._log_level[:, top[both], bottom[both]].T
        only = (top >= 0) & (bottom < 0)
        ll[only] += self._log_top[:, top[only]].T
        only = (top < 0) & (bottom >= 0)
        ll[only] += self._log_bottom[:, bottom[only]].T

        for name in ROOT_FIELDS:
            if name in CHILDREN:
                continue
            codes = arrays.column(name)
            seen = codes >= 0
            ll[seen] += self._log_tables[name][:, codes[seen]].T

        with np.errstate(divide="ignore"):  # an impossible combination is log 0 = -inf
            for parent, children in CHILDREN.items():
                ll += np.log(self._group_likelihood(arrays, parent, children))
        return ll

    def _group_likelihood(self, arrays: CaseArrays, parent: str, children: tuple[str, ...]) -> np.ndarray:
        """p(reported parent and children | class), summing over an unreported parent."""
        table = self.priors.tables[parent]  # (C, K)
        codes = arrays.column(parent)
        n, k = len(arrays), table.shape[1]
        mask = np.ones((n, k))
        seen = codes >= 0
        mask[seen] = np.eye(k)[codes[seen]]
        weight = mask[:, None, :] * table[None, :, :]  # (n, C, K)
        for child in children:
            child_codes = arrays.column(child)
            seen = child_codes >= 0
            # p(child value | parent value, class) for each row: (n_seen, C, K)
            weight[seen] *= np.moveaxis(self.priors.tables[child][:, :, child_codes[seen]], -1, 0)
        return weight.sum(axis=2)

    def posterior_array(self, cases: Any, prior: Balance = "clinical") -> np.ndarray:
        """:meth:`posterior` as a bare array of shape ``(n_cases, n_classes)``."""
        log_prior = np.log(resolve_prior(prior, self.classes_, clinical=self.clinical_prior_))
        with np.errstate(divide="ignore", invalid="ignore"):
            joint = self.log_likelihood(cases) + log_prior
            result = np.exp(joint - logsumexp(joint, axis=1, keepdims=True))
        impossible = ~np.isfinite(result).all(axis=1)
        if impossible.any():
            rows = np.flatnonzero(impossible)[:10].tolist()
            raise ValueError(f"Cases at positions {rows} have zero probability under every class with this prior.")
        return result

    def posterior(self, cases: Any, prior: Balance = "clinical") -> pd.DataFrame:
        """The exact posterior p(class | reported findings): the Bayes oracle.

        Parameters
        ----------
        cases : dict, list of dict, DataFrame or CaseArrays
            Cases in the schema; anything unreported is marginalised.
        prior : {"clinical", "uniform"} or dict
            The class prior of the population the cases come from.

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
        return pd.DataFrame(self.posterior_array(arrays, prior), columns=list(self.classes_), index=index)
