"""The gold set: cited, short quotes, annotations that are valid schema values backed by the
text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tumorclf.model.structure import TABLE_FIELDS
from tumorclf.schema import validate

GOLD = Path(__file__).with_name("gold.jsonl")
FIELDS = {"age", "sex", "level", *TABLE_FIELDS}


@pytest.fixture(scope="module")
def gold():
    return [
        json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def test_the_gold_set_covers_every_class_in_both_halves(gold, generator):
    assert len(gold) >= 40
    assert {r["diagnosis"] for r in gold} == set(generator.classes_)
    assert {r["split"] for r in gold} == {"dev", "held_out"}
    assert len({r["id"] for r in gold}) == len(gold)
    assert sum(r["split"] == "held_out" for r in gold) >= 40


def test_every_paragraph_is_cited_and_quoted_briefly(gold):
    for record in gold:
        assert record["source"].strip() and any(
            k in record["source"] for k in ("PMID", "DOI", "doi", "http", "19", "20")
        ), record["id"]
        assert 1 <= len(record["text"].split()) <= 60, record["id"]


def test_every_annotation_is_a_schema_value_read_from_its_words(gold):
    for record in gold:
        assert set(record["fields"]) <= FIELDS, record["id"]
        for name, item in record["fields"].items():
            assert item["evidence"] and item["evidence"] in record["text"], (record["id"], name)
        case = {name: item["value"] for name, item in record["fields"].items()}
        validate(case)  # raises, naming the field, if a value is not the schema's
