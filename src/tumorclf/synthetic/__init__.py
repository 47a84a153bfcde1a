"""Synthetic intraspinal cases drawn from the model, and their exact posterior.

The generator is a client of :mod:`tumorclf.model`: it draws cases from the
models it is given and fits nothing.

>>> from tumorclf.synthetic import load_generator
>>> gen = load_generator()                       # the literature priors, configs/priors.yaml
>>> df = gen.sample(100, balance="uniform", random_state=0)
>>> post = gen.posterior(df, prior="clinical")   # the Bayes oracle
>>> bool(abs(post.sum(axis=1) - 1).max() < 1e-12)
True

The priors updated by the real cases (``tumorclf train``'s model), as a generator:

>>> from tumorclf.model import fit_to_real_cases
>>> from tumorclf.synthetic import CaseGenerator
>>> updated = CaseGenerator.from_model(fit_to_real_cases(settings={"strength": 16.0}))
>>> updated.update_["n_cases"] > 300
True
"""

from __future__ import annotations

from pathlib import Path

from tumorclf.synthetic.generator import MISSINGNESS, CaseGenerator

__all__ = ["MISSINGNESS", "CaseGenerator", "load_generator"]


def load_generator(path: str | Path | None = None) -> CaseGenerator:
    """The generator of the literature priors in a priors file
    (default: the project's ``configs/priors.yaml``).

    For the priors updated by real cases, draw from a fitted model instead:
    ``CaseGenerator.from_model(tumorclf.model.fit_to_real_cases())``.

    Raises
    ------
    tumorclf.yaml_source.YamlFileError
        If the file has problems; each is named with its line and key path.
    """
    from tumorclf.model.priors import load_priors
    from tumorclf.paths import default_priors_path

    return CaseGenerator(load_priors(path if path is not None else default_priors_path()))
