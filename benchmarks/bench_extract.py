"""Reading cases from findings paragraphs: per-field precision and recall on the gold set.

The gold set (``tests/extract/gold.jsonl``) holds findings paragraphs quoted
from published cases of all seven classes, annotated field by field. Its
``dev`` part was read while the extraction rules were written (it includes
the first held-out half, measured on 2026-12-01 and development data since,
and the schema 1.1 fields annotated on all of it); its ``held_out`` part
(fresh paragraphs, 2026-12-02) was annotated apart, by a reader who did not
see the rules, and never used to change a rule, so its figures are the honest
ones. A value counts as right only if it equals the annotation exactly; a
field the extractor fills and the annotation leaves out is a false positive.
Figures are given for all fields, for the schema 1.0 fields and for the 1.1
fields apart. Goals (issues 11, 18): micro precision >= 0.90, micro recall
>= 0.85, old fields and new. Measures and prints; asserts nothing.

    python benchmarks/bench_extract.py
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tumorclf.schema.vocabulary import FIELDS_ADDED_IN_1_1

GOLD = Path(__file__).resolve().parents[1] / "tests" / "extract" / "gold.jsonl"
TARGETS = {
    f"micro_{kind}.{split}{group}": (">=", goal)
    for kind, goal in (("precision", 0.90), ("recall", 0.85))
    for split in ("held_out", "all")
    for group in ("", ".old_fields", ".new_fields")
}
NEW_FIELDS = FIELDS_ADDED_IN_1_1


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def score(records: list[dict[str, Any]]) -> tuple[Counter, Counter, Counter, float]:
    """True positives, false positives and false negatives per field, and seconds per paragraph."""
    from tumorclf.extract import ReportError, extract_case

    tp, fp, fn = Counter(), Counter(), Counter()
    start = time.perf_counter()
    for record in records:
        gold = {name: item["value"] for name, item in record["fields"].items()}
        try:
            found = extract_case(record["text"]).case
        except ReportError:
            found = {}
        for name in gold.keys() | found.keys():
            if name in gold and name in found and gold[name] == found[name]:
                tp[name] += 1
            else:
                fp[name] += name in found
                fn[name] += name in gold
    return tp, fp, fn, (time.perf_counter() - start) / max(len(records), 1)


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def measure(path: Path = GOLD) -> dict[str, Any]:
    records = load_gold(path)
    figures: dict[str, Any] = {}
    for split in ("held_out", "dev", "all"):
        chosen = [r for r in records if split == "all" or r["split"] == split]
        tp, fp, fn, seconds = score(chosen)
        figures[f"paragraphs.{split}"] = len(chosen)
        for group, keep in (
            ("", lambda k: True),
            (".old_fields", lambda k: k not in NEW_FIELDS),
            (".new_fields", lambda k: k in NEW_FIELDS),
        ):
            t, f, n = (sum(v for k, v in c.items() if keep(k)) for c in (tp, fp, fn))
            figures[f"micro_precision.{split}{group}"] = _ratio(t, t + f)
            figures[f"micro_recall.{split}{group}"] = _ratio(t, t + n)
            figures[f"annotated.{split}{group}"] = t + n
        if split == "all":
            figures["ms_per_paragraph"] = 1000 * seconds
            for name in sorted(tp.keys() | fp.keys() | fn.keys()):
                figures[f"precision.{name}"] = _ratio(tp[name], tp[name] + fp[name])
                figures[f"recall.{name}"] = _ratio(tp[name], tp[name] + fn[name])
                figures[f"annotated.{name}"] = tp[name] + fn[name]
    return figures


def main() -> None:
    from _report import context, print_figures

    info = context()
    print(info["date"], info["machine"])
    print_figures("extract", measure(), TARGETS)


if __name__ == "__main__":
    main()
