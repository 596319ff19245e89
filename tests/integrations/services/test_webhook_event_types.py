"""Every event type is declared once with its handling, processed types have a processor, and each
has a recorded-shape fixture (Zulip style)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from integrations.services.webhook_event_types import EVENT_TYPES, EventType, Handling, handling_for

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "icims" / "webhooks"
FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))


def test_every_type_to_process_has_a_processor_and_no_ignored_type_has_one():
    for event_type, declared in EVENT_TYPES.items():
        assert (declared.handling == Handling.PROCESS) == (declared.processor is not None), event_type


def test_a_type_to_process_without_a_processor_cannot_be_declared():
    with pytest.raises(ValueError, match="exactly when it has a processor"):
        EventType(Handling.PROCESS)


def test_an_ignored_type_with_a_processor_cannot_be_declared():
    with pytest.raises(ValueError, match="exactly when it has a processor"):
        EventType(Handling.IGNORE, processor=lambda *, event: ("processed", ""))


def test_an_unknown_type_is_ignored():
    assert handling_for("SomeFutureEvent") == Handling.IGNORE
    assert handling_for("WorkFlowStatusChangeEvent") == Handling.PROCESS


def test_every_declared_type_has_a_fixture():
    assert {path.stem for path in FIXTURE_FILES} >= set(EVENT_TYPES)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda path: path.stem)
def test_each_fixture_uses_a_declared_event_type_named_after_it(path):
    payload = json.loads(path.read_text())
    assert payload["eventType"] in EVENT_TYPES, f"{path.name} uses an undeclared event type"
    assert payload["eventType"] == path.stem
