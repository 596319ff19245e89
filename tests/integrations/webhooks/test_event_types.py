"""Every event type is declared, handled, and has a recorded-shape fixture (Zulip style)."""

from __future__ import annotations

import json

import pytest

from integrations.services.webhook_event_process import EVENT_PROCESSORS
from integrations.webhooks.event_types import ALL_EVENT_TYPES, EVENT_HANDLING, Handling

from .conftest import FIXTURES

FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))


def test_every_declared_type_has_a_handling_and_nothing_else_does():
    assert set(EVENT_HANDLING) == set(ALL_EVENT_TYPES)


def test_every_type_to_process_has_a_processor():
    to_process = {event_type for event_type, handling in EVENT_HANDLING.items() if handling == Handling.PROCESS}
    assert to_process == set(EVENT_PROCESSORS)


def test_every_declared_type_has_a_fixture():
    assert {path.stem for path in FIXTURE_FILES} >= set(ALL_EVENT_TYPES)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda path: path.stem)
def test_each_fixture_uses_a_declared_event_type_named_after_it(path):
    payload = json.loads(path.read_text())
    assert payload["eventType"] in ALL_EVENT_TYPES, f"{path.name} uses an undeclared event type"
    assert payload["eventType"] == path.stem
