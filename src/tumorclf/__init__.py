"""tumorclf: a calibrated differential diagnosis for intraspinal tumours.

Mesenchymal chondrosarcoma (MCS) against the tumours that mimic it, from the
findings a radiologist reports. Importing the package is cheap: heavy
modules load when first used.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tumorclf")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
