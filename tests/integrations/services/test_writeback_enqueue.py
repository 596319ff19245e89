"""Queueing a change for iCIMS: once per idempotency key, and only actions we know."""

from __future__ import annotations

import pytest

from integrations.models import Writeback
from integrations.services.writeback_enqueue import writeback_enqueue
from integrations.services.writeback_send import writeback_send


def _patches(calls) -> list:
    return [call for call in calls if call[0] == "PATCH"]


def test_the_same_key_is_one_row_and_one_send(advance, sandbox_connection, sandbox_calls):
    again = writeback_enqueue(
        connection=sandbox_connection,
        action=Writeback.Action.ADVANCE_STATUS,
        idempotency_key="advance-1",
        payload={"anything": "else"},
    )

    first, second = writeback_send(writeback_id=advance.pk), writeback_send(writeback_id=advance.pk)

    assert again.pk == advance.pk
    assert Writeback.objects.count() == 1
    assert first.state == Writeback.State.SUCCEEDED and second is None
    assert len(_patches(sandbox_calls)) == 1


def test_an_unknown_action_is_refused(sandbox_connection):
    with pytest.raises(ValueError, match="Unknown write-back action 'email'"):
        writeback_enqueue(connection=sandbox_connection, action="email", idempotency_key="x", payload={})
    assert not Writeback.objects.exists()
