"""Why: each stated finding set back to unknown in turn, all the variants scored in one batch.

The log-odds of a class for the case minus the same with one finding
unknown is how much that finding moved the class. For a model whose
log-probabilities add up over findings (naive Bayes, the updated priors read
as entered) it is the finding's exact share.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tumorclf.prediction.results import Effect
from tumorclf.prediction.wording import FINDING_WORDS, finding_words
from tumorclf.schema import CODE_COLUMN, CaseArrays

#: Findings an explanation sets back to unknown one at a time (level as one finding).
FINDINGS: tuple[str, ...] = ("age", "level", *FINDING_WORDS)


def is_reported(arrays: CaseArrays, finding: str) -> bool:
    """Whether the first case states ``finding``."""
    if finding == "age":
        return not np.isnan(arrays.age[0])
    if finding == "level":
        return bool(
            arrays.codes[0, CODE_COLUMN["level_top"]] >= 0
            or arrays.codes[0, CODE_COLUMN["level_bottom"]] >= 0
        )
    return bool(arrays.codes[0, CODE_COLUMN[finding]] >= 0)


def without_each(arrays: CaseArrays, findings: Sequence[str]) -> CaseArrays:
    """Row 0: the case; row k: the case with finding k set back to unknown."""
    n = len(findings) + 1
    age = np.repeat(arrays.age, n)
    codes = np.repeat(arrays.codes, n, axis=0)
    for k, finding in enumerate(findings, start=1):
        if finding == "age":
            age[k] = np.nan
        elif finding == "level":
            codes[k, CODE_COLUMN["level_top"]] = codes[k, CODE_COLUMN["level_bottom"]] = -1
        else:
            codes[k, CODE_COLUMN[finding]] = -1
    return CaseArrays(age=age, codes=codes)


def effects(
    arrays: CaseArrays,
    findings: Sequence[str],
    proba: np.ndarray,
    classes: Sequence[str],
    targets: Sequence[str],
) -> list[Effect]:
    """Each finding's effect on each target class,
    from the probabilities of :func:`without_each`'s rows."""
    columns = [list(classes).index(t) for t in targets]
    p = np.clip(proba[:, columns], 1e-12, 1 - 1e-12)
    log_odds = np.log(p) - np.log1p(-p)
    effect = (log_odds[0] - log_odds[1:]).tolist()  # (finding, target)
    return [
        Effect(finding, finding_words(arrays, finding), target, row[t])
        for finding, row in zip(findings, effect, strict=True)
        for t, target in enumerate(targets)
    ]


def strongest(
    found: Sequence[Effect], diagnosis: str, limit: int, floor: float = 0.1
) -> list[Effect]:
    """Up to half the reasons about the diagnosis itself,
    the rest about its rivals; strongest first."""
    strong = sorted(
        (e for e in found if abs(e.log_effect) >= floor), key=lambda e: -abs(e.log_effect)
    )
    own = [e for e in strong if e.target == diagnosis][: max(1, limit // 2)]
    rivals = [e for e in strong if e.target != diagnosis][: limit - len(own)]
    return own + rivals


__all__ = ["FINDINGS", "effects", "is_reported", "strongest", "without_each"]
