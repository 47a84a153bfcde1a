"""The Bayesian model: how each tumour looks, how papers report it,
and what a case says of its class.

Split by role, as pgmpy splits models, estimators and inference:

* :mod:`~tumorclf.model.structure`: the finding and reporting models, the
  fields' dependences (the named ones the cases may teach too);
  :mod:`~tumorclf.model.readings`: the two ways a case is read;
* :mod:`~tumorclf.model.priors` reads the literature priors file;
  :mod:`~tumorclf.model.literature` turns it into models;
* :mod:`~tumorclf.model.inference`: the likelihood in both readings and the
  one posterior;
* :mod:`~tumorclf.model.em`: the EM fit to published cases;
  :mod:`~tumorclf.model.estimator`: the scikit-learn estimator around it,
  its grid search, and :func:`fit_to_real_cases`.

>>> from tumorclf.model import fit_to_real_cases
>>> model = fit_to_real_cases(settings={"strength": 16.0})   # data/real_cases.csv
>>> model.set_params(reading="as_published").predict_proba([{"age": 19}]).shape
(1, 7)

Importing this package is cheap: its modules load when a name is first used.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Where each public name lives.
_HOMES = {
    "READINGS": "readings",
    "check_reading": "readings",
    "DEPENDENCES": "structure",
    "FindingModel": "structure",
    "ReportingModel": "structure",
    "Priors": "priors",
    "load_priors": "priors",
    "findings_from_priors": "literature",
    "reporting_from_priors": "literature",
    "log_likelihood": "inference",
    "posterior": "inference",
    "update_models": "em",
    "UpdatedPriorsClassifier": "estimator",
    "fit_to_real_cases": "estimator",
    "groups_of": "estimator",
    "update_search": "estimator",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'tumorclf.model' has no attribute {name!r}")
    return getattr(importlib.import_module(f"tumorclf.model.{_HOMES[name]}"), name)
