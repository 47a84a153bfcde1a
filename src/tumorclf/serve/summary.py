"""The page's one-page summary as plain text: to print, or to paste into a report."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tumorclf.prediction import Prediction
from tumorclf.prediction.explain import FINDINGS, is_reported
from tumorclf.prediction.wording import class_words, finding_words
from tumorclf.schema import as_case_arrays

#: The evidence lines the summary keeps per class.
EVIDENCE_LINES = 4


def summary_text(prediction: Prediction, case: Mapping[str, Any], model_line: str) -> str:
    """The case, the differential with both numbers, the set, the alert, the evidence, and the
    model's version and date."""
    arrays = as_case_arrays(dict(case))
    stated = [finding_words(arrays, f) for f in FINDINGS if is_reported(arrays, f)]
    lines = [
        "tumorclf: differential of an intraspinal mass (for research; the diagnosis of MCS "
        "rests on histopathology)",
        "",
        "Case: " + ("; ".join(stated) or "no finding stated") + ".",
        "",
        "Differential (in practice: under clinical prevalences; ranking: equal classes):",
    ]
    practice, ranking = prediction.practice or {}, prediction.ranking or {}
    order = sorted(prediction.probabilities, key=lambda c: -practice.get(c, 0.0))
    for cls in order:
        both = []
        if cls in practice:
            both.append(f"in practice {practice[cls]:.1%}")
        if cls in ranking:
            both.append(f"ranking {ranking[cls]:.1%}")
        lines.append(f"  {class_words(cls)}: {', '.join(both)}")
    lines += [""] + [
        f"MCS alert: {line}" if prediction.alert is not None and line == str(prediction.alert)
        else line
        for line in prediction.set_lines()
    ]  # fmt: skip
    if prediction.ratios:
        lines += ["", "Evidence (likelihood ratio of each stated finding, 95% interval, source):"]
        shown: dict[str, int] = {}
        for r in sorted(prediction.ratios, key=lambda r: -abs(_log(r.ratio))):
            if shown.get(r.cls, 0) >= EVIDENCE_LINES:
                continue
            shown[r.cls] = shown.get(r.cls, 0) + 1
            interval = f" ({r.interval[0]:.2g}-{r.interval[1]:.2g})" if r.interval else ""
            lines.append(
                f"  {r.words}: {class_words(r.cls)} / {class_words(r.against)} "
                f"{r.ratio:.2g}{interval}; {r.source}"
            )
    if prediction.next_findings:
        lines += ["", "What to look at next:"]
        lines += [f"  {n.sentence} ({n.gain_bits:.2f} bits)" for n in prediction.next_findings[:3]]
    lines += ["", f"Model: {model_line}."]
    return "\n".join(lines)


def _log(x: float) -> float:

    return math.log(max(x, 1e-300))


__all__ = ["summary_text"]
