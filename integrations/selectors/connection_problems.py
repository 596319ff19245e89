"""What went wrong lately on one connection: failed sync runs, failed webhook events, dead write-backs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sync.models import SyncRun

from ..models import Connection, WebhookEvent, Writeback


@dataclass(frozen=True)
class RecentProblem:
    at: datetime
    what: str  # "sync run", "webhook event", "write-back"
    admin_model: str  # "sync.syncrun": where the admin shows the row
    object_id: int
    message: str


def connection_recent_problems(*, connection: Connection, limit: int = 10) -> list[RecentProblem]:
    """The newest `limit` problems of all three kinds, newest first (three small queries)."""
    runs = SyncRun.objects.filter(connection=connection, status=SyncRun.Status.FAILED).order_by("-started_at")[:limit]
    events = WebhookEvent.objects.filter(connection=connection, state=WebhookEvent.State.FAILED).order_by(
        "-state_changed_at"
    )[:limit]
    dead = Writeback.objects.filter(connection=connection, state=Writeback.State.DEAD).order_by("-updated_at")[:limit]
    problems = [
        *(RecentProblem(run.started_at, f"{run.entity} sync run", "sync.syncrun", run.pk, run.error) for run in runs),
        *(
            RecentProblem(
                event.state_changed_at, event.event_type, "integrations.webhookevent", event.pk, event.last_error
            )
            for event in events
        ),
        *(
            RecentProblem(wb.updated_at, wb.get_action_display(), "integrations.writeback", wb.pk, wb.last_error)
            for wb in dead
        ),
    ]
    return sorted(problems, key=lambda problem: problem.at, reverse=True)[:limit]
