"""Synthetic intraspinal cases from literature priors, and their exact posterior.

>>> from tumorclf.synthetic import load_generator
>>> gen = load_generator()                       # configs/priors.yaml
>>> df = gen.sample(100, balance="uniform", random_state=0)
>>> post = gen.posterior(df, prior="clinical")   # the Bayes oracle
>>> bool(abs(post.sum(axis=1) - 1).max() < 1e-12)
True
"""

from __future__ import annotations

from pathlib import Path

from tumorclf.synthetic.generator import CaseGenerator
from tumorclf.synthetic.priors import Priors, load_priors

__all__ = ["CaseGenerator", "Priors", "load_generator", "load_priors"]


def load_generator(path: str | Path | None = None) -> CaseGenerator:
    """The generator for a priors file (default: the project's ``configs/priors.yaml``).

    Raises
    ------
    tumorclf.yaml_source.YamlFileError
        If the file has problems; each is named with its line and key path.
    """
    from tumorclf.paths import default_priors_path

    return CaseGenerator(load_priors(path if path is not None else default_priors_path()))
