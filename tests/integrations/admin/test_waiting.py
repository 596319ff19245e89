"""Work waiting for its turn shows as such in the admin; what waits longer than an hour stands out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import WebhookEvent, Writeback


@pytest.fixture
def waiting_work(connection):
    now = timezone.now()

    def event(key: str, waited: timedelta) -> WebhookEvent:
        return WebhookEvent.objects.create(
            connection=connection,
            event_type="WorkFlowStatusChangeEvent",
            customer_id=connection.customer_id,
            system_id=key,
            payload={},
            dedupe_key=key,
            waiting_since=now - waited,
            waiting_until=now + timedelta(hours=3),
            waiting_reason=f"Call budget spent ({key})",
        )

    def writeback(key: str, waited: timedelta | None) -> Writeback:
        return Writeback.objects.create(
            connection=connection,
            action=Writeback.Action.ADVANCE_STATUS,
            idempotency_key=key,
            state=Writeback.State.RETRYING,
            next_attempt_at=now + timedelta(minutes=1),
            waiting_since=now - waited if waited else None,
            waiting_reason=f"iCIMS asked us to slow down (429) ({key})" if waited else "",
        )

    event("5550001", timedelta(hours=2))
    event("5550002", timedelta(minutes=5))
    writeback("long-wait", timedelta(hours=2))
    writeback("short-wait", timedelta(minutes=5))
    writeback("not-waiting", None)


@pytest.mark.parametrize(
    "changelist", ["admin:integrations_webhookevent_changelist", "admin:integrations_writeback_changelist"]
)
def test_work_waiting_over_an_hour_is_listed_as_such_and_filtered_on_its_own(
    superadmin_client, waiting_work, changelist
):
    everything = superadmin_client.get(reverse(changelist)).content.decode()
    long_waits = superadmin_client.get(reverse(changelist), {"waiting": "long"}).content.decode()
    all_waits = superadmin_client.get(reverse(changelist), {"waiting": "yes"}).content.decode()

    assert "waiting over an hour" in everything  # the filter
    assert everything.count("over an hour, until") == 1
    assert long_waits.count("over an hour, until") == 1 and "waiting, until" not in long_waits
    assert all_waits.count("over an hour, until") == 1 and all_waits.count("waiting, until") == 1


def test_a_held_writeback_says_it_waits_for_the_resume(superadmin_client, connection):
    Writeback.objects.create(
        connection=connection,
        action=Writeback.Action.ADVANCE_STATUS,
        idempotency_key="held",
        state=Writeback.State.RETRYING,
        waiting_since=timezone.now(),
        waiting_reason="The connection is paused; it goes on once the connection is resumed.",
    )

    page = superadmin_client.get(reverse("admin:integrations_writeback_changelist")).content.decode()

    assert "waiting, until the connection is resumed" in page
