"""tumorclf: a calibrated differential diagnosis for intraspinal tumours.

Mesenchymal chondrosarcoma (MCS) against the tumours that mimic it, from the
findings a radiologist reports.

>>> import tumorclf
>>> clf = tumorclf.load()                                   # doctest: +SKIP
>>> clf.predict_case({"age": 19, "calcification": "punctate"})  # doctest: +SKIP

Importing the package is cheap: modules load when first used, and mlflow only
for an MLflow model URI.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("tumorclf")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from tumorclf.prediction import Classifier

__all__ = ["__version__", "load"]


def load(source: Any = None) -> Classifier:
    """Load a trained model; see :func:`tumorclf.prediction.load`."""
    from tumorclf.prediction import load as _load

    return _load(source)
