"""Synthetic intraspinal cases from literature priors, and their exact posterior.

>>> from tumorclf.synthetic import load_generator
>>> gen = load_generator()                       # configs/priors.yaml
>>> df = gen.sample(100, balance="uniform", random_state=0)
>>> post = gen.posterior(df, prior="clinical")   # the Bayes oracle
>>> bool(abs(post.sum(axis=1) - 1).max() < 1e-12)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tumorclf.synthetic.generator import CaseGenerator
from tumorclf.synthetic.priors import Priors, load_priors

__all__ = ["CaseGenerator", "Priors", "load_generator", "load_priors"]


def load_generator(path: str | Path | None = None, *, real_cases: Any = None,
                   settings: Mapping[str, float] | None = None, random_state: int = 0) -> CaseGenerator:
    """The generator for a priors file (default: the project's ``configs/priors.yaml``).

    Parameters
    ----------
    path : str or Path, optional
        The priors file.
    real_cases : str, Path or DataFrame, optional
        Labelled real cases (``"default"``: the project's ``data/real_cases.csv``)
        to update the literature priors with. Without them: the literature alone.
    settings : dict, optional
        The update's ``strength``, ``reporting_strength``, ``styles``,
        ``class_reporting``, ``floor``, ``dependence`` (and ``age_bandwidth``). By default they are chosen by
        cross-validation over the real cases grouped by source, as
        ``tumorclf train`` does.
    random_state : int
        Seeds the folds of that cross-validation.

    Raises
    ------
    tumorclf.yaml_source.YamlFileError
        If the file has problems; each is named with its line and key path.
    tumorclf.schema.CaseValidationError
        If a real case is invalid.
    """
    from tumorclf.paths import default_priors_path, default_real_cases_path

    priors = load_priors(path if path is not None else default_priors_path())
    generator = CaseGenerator(priors)
    if real_cases is None:
        return generator
    from tumorclf.case_io import read_cases_csv
    from tumorclf.schema import validate

    if isinstance(real_cases, str | Path):
        real_cases = read_cases_csv(default_real_cases_path() if real_cases == "default" else real_cases)
    real = validate(real_cases, classes=priors.classes).reset_index(drop=True)
    labels = real["diagnosis"].astype(str).to_numpy(dtype=object)
    if settings is None:
        from tumorclf.synthetic.fitted import groups_of, update_search

        search = update_search(priors, random_state=random_state).fit(real, labels, groups=groups_of(real))
        settings = search.best_params_
    from tumorclf.synthetic.fitted import UPDATE_SETTINGS

    kept = {k: (int(v) if k == "styles" else v if k == "dependence" else float(v))
            for k, v in settings.items() if k in UPDATE_SETTINGS}
    return generator.updated(real, labels, **kept)
