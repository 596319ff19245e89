"""Every recorded-shape iCIMS fixture says where it comes from: recorded (and from what) or assumed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ICIMS_FIXTURES = Path(__file__).parent / "fixtures" / "icims"


@pytest.mark.parametrize("folder", [ICIMS_FIXTURES, ICIMS_FIXTURES / "webhooks"])
def test_every_fixture_is_named_in_its_readme_as_recorded_or_assumed(folder):
    readme = (folder / "README.md").read_text()
    rows = {name: line for line in readme.splitlines() for name in re.findall(r"`([\w-]+\.json)`", line)}

    unexplained = [path.name for path in sorted(folder.glob("*.json")) if path.name not in rows]

    assert unexplained == []
    if folder == ICIMS_FIXTURES:
        assert all(re.search(r"recorded|assumed", rows[name]) for name in rows)
