"""The evidence behind a differential, and what to look at next.

* :func:`likelihood_ratios`: each stated finding's likelihood ratio between a leading class and its
  closest rival, from the probabilities of the case and of the case with the finding set back to
  unknown (:func:`tumorclf.prediction.explain.without_each`): the class prior cancels, so the
  ratio is the finding's own, p(finding | a, the rest) / p(finding | b, the rest).
* :func:`source_of`: what stands behind a class's rates of a field (the model's ``evidence()``,
  saved in its artifact): the consecutive series, or "no consecutive series: from published
  cases"; with the ratio's 95% interval where series count the value in both classes.
* :func:`next_findings`: the unstated findings ranked by expected information gain, the expected
  drop in the differential's entropy (bits) under the shown prior, from the model's own
  p(value | class, what is stated).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tumorclf.prediction.wording import class_words, finding_words
from tumorclf.schema import CODE_COLUMN, CaseArrays

#: How a finding left unstated is best found out, for the sentence on what to look at next.
HOW_TO_SEE: dict[str, str] = {
    "calcification": "CT for calcification",
    "flow_voids": "T2-weighted MRI for flow voids",
    "enhancement": "contrast-enhanced MRI",
    "dural_tail": "contrast-enhanced MRI for a dural tail",
    "dural_attachment": "MRI for a dural attachment",
    "syndrome": "the history (NF1, NF2, von Hippel-Lindau)",
    "age": "the patient's age",
    "sex": "the patient's sex",
    "bone_erosion": "CT for bone erosion",
    "t2_signal": "the T2 signal",
    "t1_signal": "the T1 signal",
    "cystic_change": "MRI for cystic change",
    "syrinx": "MRI of the cord for a syrinx",
    "haemorrhage": "MRI for haemorrhage",
    "multiple_lesions": "MRI of the whole neuraxis for more lesions",
    "level": "the level",
}


@dataclass(frozen=True)
class Ratio:
    """One stated finding's likelihood ratio for a class against its closest rival."""

    finding: str
    words: str
    cls: str
    against: str
    ratio: float
    interval: tuple[float, float] | None
    source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "finding": self.finding,
            "words": self.words,
            "class": self.cls,
            "against": self.against,
            "ratio": self.ratio,
            "interval": list(self.interval) if self.interval else None,
            "source": self.source,
        }


def likelihood_ratios(
    arrays: CaseArrays,
    findings: Sequence[str],
    proba: np.ndarray,
    classes: Sequence[str],
    leading: Sequence[str],
    evidence: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Ratio]:
    """For each class in ``leading`` and each stated finding, its ratio against the closest rival
    (the first class if it is not the first; else the second), from ``proba``: row 0 the case,
    row k the case without finding k (any prior: it cancels)."""
    index = {c: i for i, c in enumerate(classes)}
    p = np.clip(proba, 1e-300, None)
    out = []
    for cls in leading:
        rival = leading[1] if cls == leading[0] and len(leading) > 1 else leading[0]
        if rival == cls:
            continue
        a, b = index[cls], index[rival]
        odds = np.log(p[:, a]) - np.log(p[:, b])
        for k, finding in enumerate(findings, start=1):
            ratio = float(math.exp(odds[0] - odds[k]))
            interval, source = source_of(evidence, arrays, finding, cls, rival, ratio)
            out.append(
                Ratio(finding, finding_words(arrays, finding), cls, rival, ratio, interval, source)
            )
    return out


def source_of(
    evidence: Mapping[str, Mapping[str, Any]] | None,
    arrays: CaseArrays,
    finding: str,
    cls: str,
    rival: str,
    ratio: float,
) -> tuple[tuple[float, float] | None, str]:
    """The ratio's 95% interval (where series count the stated value in both classes) and a line
    on what stands behind ``cls``'s rate."""
    if not evidence:
        return None, "the model's own tables"
    mine, theirs = evidence.get(f"{cls}|{finding}", {}), evidence.get(f"{rival}|{finding}", {})
    if mine.get("kind") != "series":
        source = (
            "no consecutive series: from published cases"
            if mine
            else "assumption (the literature's figure)"
        )
        return None, source
    source = (
        f"{mine['n_series']} series, {mine['n_patients']:,} patients; largest "
        f"{mine['largest']} (n = {mine['largest_n']:,})"
    )
    interval = None
    code = int(arrays.codes[0, CODE_COLUMN[finding]]) if finding in CODE_COLUMN else -1
    if theirs.get("kind") == "series" and 0 <= code < len(mine.get("intervals", [])):
        ours, other = mine["intervals"][code], theirs["intervals"][code]
        if ours and other and min(ours) > 0 and min(other) > 0:
            se = math.hypot(*(math.log(hi / lo) / 3.92 for lo, hi in (ours, other)))
            interval = (ratio * math.exp(-1.96 * se), ratio * math.exp(1.96 * se))
    return interval, source


@dataclass(frozen=True)
class NextFinding:
    """An unstated finding, and how much knowing it would be expected to settle."""

    finding: str
    gain_bits: float
    separates: tuple[str, str]

    @property
    def sentence(self) -> str:
        how = HOW_TO_SEE.get(self.finding, f"the {self.finding.replace('_', ' ')}")
        a, b = (class_words(c) for c in self.separates)
        return f"{how[0].upper()}{how[1:]} would best separate {a} from {b}"

    def to_json(self) -> dict[str, Any]:
        return {
            "finding": self.finding,
            "gain_bits": self.gain_bits,
            "separates": list(self.separates),
            "sentence": self.sentence,
        }


def _entropy_bits(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-300, 1.0)
    return -(p * np.log2(p)).sum(axis=-1)


def next_findings(
    log_likelihood: Any,
    arrays: CaseArrays,
    unstated: Sequence[tuple[str, int]],
    posterior: np.ndarray,
    classes: Sequence[str],
    top: int = 3,
) -> list[NextFinding]:
    """The unstated findings ranked by expected information gain under ``posterior`` (the shown
    differential, ``(C,)``). ``unstated`` lists (field, number of values); ``log_likelihood(X)``
    is the model's log p(case | class) ``(n, C)`` as entered, so each value's
    p(value | class, the stated findings) is a difference of two of its rows."""
    rows = [(f, v) for f, k in unstated for v in range(k)]
    if not rows:
        return []
    age = np.repeat(arrays.age[:1], len(rows) + 1)
    codes = np.repeat(arrays.codes[:1], len(rows) + 1, axis=0)
    for i, (f, v) in enumerate(rows, start=1):
        codes[i, CODE_COLUMN[f]] = v
    ll = log_likelihood(CaseArrays(age=age, codes=codes))
    given = np.exp(ll[1:] - ll[:1])  # p(value | class, stated), (rows, C)
    before = float(_entropy_bits(posterior))
    out = []
    for field, _ in unstated:
        mask = np.array([f == field for f, _ in rows])
        likelihood = given[mask]  # (k, C)
        joint = likelihood * posterior[None]
        p_value = joint.sum(axis=1)
        if p_value.sum() <= 0:
            continue
        after = joint / np.clip(p_value[:, None], 1e-300, None)
        gain = before - float((p_value / p_value.sum()) @ _entropy_bits(after))
        order = np.argsort(-posterior)[: max(2, min(top, len(classes)))]
        spread = {
            (i, j): float(np.ptp(np.log(np.clip(likelihood[:, i], 1e-12, None))
                                 - np.log(np.clip(likelihood[:, j], 1e-12, None))))
            for n, i in enumerate(order) for j in order[n + 1:]
        }  # fmt: skip
        i, j = max(spread, key=spread.get)
        out.append(NextFinding(field, max(gain, 0.0), (classes[i], classes[j])))
    return sorted(out, key=lambda n: -n.gain_bits)


__all__ = [
    "HOW_TO_SEE",
    "NextFinding",
    "Ratio",
    "likelihood_ratios",
    "next_findings",
    "source_of",
]
