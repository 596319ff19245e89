from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "icims"


@pytest.fixture
def icims_profile():
    """A recorded-shape iCIMS profile from tests/fixtures/icims/, fresh for each call."""

    def load(name: str) -> dict:
        return json.loads((FIXTURES / name).read_text())

    return load
