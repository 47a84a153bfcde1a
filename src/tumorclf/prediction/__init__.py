"""Prediction: load a trained model and ask it about cases.

* :mod:`~tumorclf.prediction.loading`: :func:`load`, and the checks a model must pass;
* :mod:`~tumorclf.prediction.facade`: :class:`Classifier`, the thin facade over the fitted model;
* :mod:`~tumorclf.prediction.results`: :class:`Prediction` and what it holds;
* :mod:`~tumorclf.prediction.explain`: why, finding by finding;
* :mod:`~tumorclf.prediction.wording`: the words a radiologist reads;
* :mod:`~tumorclf.prediction.conformal`: the differential set and the MCS alert;
* :mod:`~tumorclf.prediction.probabilities`: the one prior shift and the one temperature;
* :mod:`~tumorclf.prediction.manifest`: a model's record, written by training and read here;
* :mod:`~tumorclf.prediction.table` and :mod:`~tumorclf.prediction.console`: a batch as a table,
  a case for a terminal.

None of it imports mlflow for a model this machine trained.
"""

from tumorclf.prediction.explain import FINDINGS
from tumorclf.prediction.facade import Classifier
from tumorclf.prediction.loading import ModelVersionWarning, check_compatibility, load
from tumorclf.prediction.manifest import Manifest
from tumorclf.prediction.results import AlertResult, Effect, Prediction

__all__ = [
    "FINDINGS",
    "AlertResult",
    "Classifier",
    "Effect",
    "Manifest",
    "ModelVersionWarning",
    "Prediction",
    "check_compatibility",
    "load",
]
