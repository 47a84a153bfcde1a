"""Class priors: turn ``prior=`` / ``balance=`` arguments into a probability vector.

Shared by the generator (its sampling balance and its posterior) and by
prior shift at prediction time, so every entry point accepts the same forms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

NAMED_PRIORS = ("clinical", "uniform", "training")


def resolve_prior(
    prior: str | Mapping[str, float] | Sequence[float] | np.ndarray,
    classes: Sequence[str],
    *,
    clinical: np.ndarray | None = None,
    training: np.ndarray | None = None,
    name: str = "prior",
) -> np.ndarray:
    """A normalised class-probability vector in the order of ``classes``.

    Parameters
    ----------
    prior : {"clinical", "uniform", "training"}, dict or sequence
        ``"clinical"``: prevalences from the priors file; ``"uniform"``: every
        class equal; ``"training"``: the class balance a model was trained on;
        a dict of class -> non-negative weight (every class named); or weights
        in class order.
    classes : sequence of str
    clinical, training : array, optional
        The vectors the named forms stand for, where available.
    name : str
        The parameter's name in error messages.

    Raises
    ------
    ValueError
        Naming the parameter, what it must be and what it got.
    """
    n = len(classes)
    if isinstance(prior, str):
        if prior == "uniform":
            return np.full(n, 1.0 / n)
        named = {"clinical": clinical, "training": training}
        if prior not in named:
            raise ValueError(
                f"The {name!r} parameter must be one of {', '.join(map(repr, NAMED_PRIORS))}, "
                f"a dict of class -> weight, or weights in class order. Got {prior!r} instead."
            )
        vector = named[prior]
        if vector is None:
            raise ValueError(
                f"The {name!r} parameter is {prior!r}, but no {prior} prior is known here."
            )
        return _normalised(np.asarray(vector, dtype=float), name, prior)
    if isinstance(prior, Mapping):
        unknown = [c for c in prior if c not in classes]
        if unknown:
            raise ValueError(
                f"The {name!r} parameter names unknown class(es) {unknown}; "
                f"classes are: {', '.join(classes)}."
            )
        absent = [c for c in classes if c not in prior]
        if absent:
            raise ValueError(
                f"The {name!r} parameter must give a weight for every class; "
                f"missing: {', '.join(absent)}."
            )
        return _normalised(np.array([prior[c] for c in classes], dtype=float), name, prior)
    vector = np.asarray(prior, dtype=float)
    if vector.shape != (n,):
        raise ValueError(
            f"The {name!r} parameter must have one weight per class ({n}); "
            f"got shape {vector.shape}."
        )
    return _normalised(vector, name, prior)


def _normalised(vector: np.ndarray, name: str, original: Any) -> np.ndarray:
    if not np.all(np.isfinite(vector)) or np.any(vector < 0) or vector.sum() <= 0:
        raise ValueError(
            f"The {name!r} parameter needs finite, non-negative weights with a positive sum. "
            f"Got {original!r}."
        )
    return vector / vector.sum()
