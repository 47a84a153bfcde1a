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


#: The longest quote of each form: a paragraph, or a template that lays a case's findings out.
MAX_WORDS = {"prose": 80, "translated": 80, "template": 120}


def test_the_gold_set_covers_every_class_in_each_part(gold, generator):
    assert {r["diagnosis"] for r in gold} == set(generator.classes_)
    assert {r["split"] for r in gold} == {
        "dev",
        "held_out",
        "held_out_2",
        "held_out_3",
        "held_out_4",
    }
    assert len({r["id"] for r in gold}) == len(gold)
    assert sum(r["split"] == "held_out" for r in gold) >= 40
    fresh = [r for r in gold if r["split"] == "held_out_2"]
    assert len(fresh) >= 60 and {r["diagnosis"] for r in fresh} == set(generator.classes_)
    assert {r["form"] for r in fresh} == set(MAX_WORDS)
    third = [r for r in gold if r["split"] == "held_out_3"]
    assert len(third) >= 40 and {r["form"] for r in third} == set(MAX_WORDS)
    quotes = [r for r in gold if r["split"] == "held_out_4"]  # the real cases' own quotes
    assert len(quotes) >= 100


def test_every_paragraph_is_cited_and_quoted_briefly(gold):
    for record in gold:
        assert record["source"].strip() and any(
            k in record["source"] for k in ("PMID", "DOI", "doi", "http", "19", "20")
        ), record["id"]
        limit = MAX_WORDS[record["form"]] if "form" in record else 60
        words = [w for w in record["text"].split() if w.strip(".\u2026")]  # an elision is no word
        assert 1 <= len(words) <= limit, record["id"]


def test_every_annotation_is_a_schema_value_read_from_its_words(gold):
    for record in gold:
        assert set(record["fields"]) <= FIELDS, record["id"]
        for name, item in record["fields"].items():
            assert item["evidence"] and item["evidence"] in record["text"], (record["id"], name)
        case = {name: item["value"] for name, item in record["fields"].items()}
        validate(case)  # raises, naming the field, if a value is not the schema's
