"""Shared fixtures: the default generator and the seed paper's case."""

from __future__ import annotations

import pytest

from tumorclf.synthetic import CaseGenerator, load_generator

#: Chen & Lai 2022: 19-year-old man, T12-L2, intra- and extradural dumbbell,
#: homogeneous enhancement, punctate calcification, no dural tail.
SEED_CASE = {
    "age": 19,
    "sex": "M",
    "level": "T12-L2",
    "compartment": "intra_extradural",
    "dumbbell": True,
    "enhancement": "homogeneous",
    "calcification": "punctate",
    "dural_tail": False,
}


@pytest.fixture(scope="session")
def generator() -> CaseGenerator:
    return load_generator()


@pytest.fixture
def seed_case() -> dict:
    return dict(SEED_CASE)
