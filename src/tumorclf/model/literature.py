"""The literature priors turned into models: the starting point of every fit,
and the literature-only model.

Built from the priors file alone, every field is reported at the file's
rate whatever its value, so a silence says nothing about the class in
either reading.
"""

from __future__ import annotations

import numpy as np

from tumorclf.model.priors import Priors
from tumorclf.model.structure import (
    DEPENDENCES,
    LEVEL_REGION,
    PARENTS,
    TABLE_FIELDS,
    FindingModel,
    ReportingModel,
)
from tumorclf.schema.vocabulary import REGIONS


def findings_from_priors(priors: Priors, dependences: tuple[str, ...] = ()) -> FindingModel:
    """The literature's finding model: the priors file's tables,
    with the named :data:`DEPENDENCES` added.

    An added edge starts with no dependence (the child's literature row
    repeated under every parent value): only the real cases can teach one. A child that had a
    parent in the priors file's structure takes the new one in its place, its literature row
    the old table summed over the old parent.
    """
    fields = {name: priors.tables[name] for name in TABLE_FIELDS}
    parents = dict(PARENTS)
    by_region: list[str] = []
    for name in dependences:
        if name not in DEPENDENCES:
            raise ValueError(f"Unknown dependence {name!r}; known: {', '.join(DEPENDENCES)}.")
        for child, parent in DEPENDENCES[name].items():
            if parent == LEVEL_REGION:
                fields[child] = np.repeat(fields[child][:, None, :], len(REGIONS), axis=1)
                by_region.append(child)
                continue
            row = fields[child]
            if child in parents:  # the old parent summed out (a root field: its row is its pmf)
                row = np.einsum("cp,cpk->ck", fields[parents[child]], row)
            k_parent = fields[parent].shape[-1]
            fields[child] = np.repeat(row[:, None, :], k_parent, axis=1)
            parents[child] = parent
    return FindingModel(
        classes=priors.classes,
        age=priors.age_pmf,
        level=priors.level_joint.reshape(len(priors.classes), -1),
        fields=fields,
        parents=parents,
        by_region=tuple(by_region),
    )


def reporting_from_priors(
    priors: Priors, styles: tuple[str, ...] = ("literature",), rates: dict[str, float] | None = None
) -> ReportingModel:
    """Reporting at the priors file's per-field rates, whatever the value (missing at random).

    ``rates`` overrides the stated rate of every field of a style (by style
    name), e.g. ``{"tabulated": 0.9}`` for a style that states nearly everything.
    """
    rates = rates or {}

    def rate(style: str, field: str) -> float:
        return rates.get(style, 1.0 - priors.missing[field])

    fields = {
        name: np.array([[rate(z, name)] * priors.tables[name].shape[-1] for z in styles])
        for name in TABLE_FIELDS
    }
    return ReportingModel(
        styles=tuple(styles),
        weights=np.full(len(styles), 1.0 / len(styles)),
        age=np.array([rate(z, "age") for z in styles]),
        level=np.array([rate(z, "level") for z in styles]),
        fields=fields,
    )


__all__ = ["findings_from_priors", "reporting_from_priors"]
