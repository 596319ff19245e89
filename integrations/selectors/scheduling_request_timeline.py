"""Follow one candidate: the names behind a scheduling request's ids, and one timeline of what happened to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BigIntegerField, Case, Model, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast, Concat, Trim

from integrations.models import SchedulingRequest, Stage, WebhookEvent, Writeback
from sync.models import Candidate, Job


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "webhook event", "decision", "write-back", "attempt"
    title: str
    detail: str
    record: Model | None = None  # what the entry links to


def _as_icims_id(field: str) -> Case:
    """The text id as a number, to use the mirror's (connection, icims_id) index; NULL when not a number."""
    return Case(When(**{f"{field}__regex": r"^[0-9]{1,18}$"}, then=Cast(field, BigIntegerField())), default=None)


def scheduling_requests_with_names(queryset: QuerySet[SchedulingRequest]) -> QuerySet[SchedulingRequest]:
    """Annotate `candidate_name` and `job_title` from the mirror, in the list's one query."""
    queryset = queryset.annotate(candidate_icims_id=_as_icims_id("candidate_id"), job_icims_id=_as_icims_id("job_id"))
    candidates = Candidate.objects.filter(connection=OuterRef("connection"), icims_id=OuterRef("candidate_icims_id"))
    jobs = Job.objects.filter(connection=OuterRef("connection"), icims_id=OuterRef("job_icims_id"))
    return queryset.annotate(
        candidate_name=Subquery(
            candidates.annotate(full_name=Trim(Concat("firstname", Value(" "), "lastname"))).values("full_name")[:1]
        ),
        job_title=Subquery(jobs.values("jobtitle")[:1]),
    )


def stage_names(*, connection_id: int, status_ids: set[str]) -> dict[str, str]:
    """ "Bin / Status" of each iCIMS status id the connection has a stage for."""
    stages = Stage.objects.filter(connection_id=connection_id, status_id__in=status_ids)
    return {stage.status_id: str(stage) for stage in stages}


def _named(status_id: str, names: dict[str, str]) -> str:
    if not status_id:
        return "none"
    return f"{names[status_id]} ({status_id})" if status_id in names else status_id


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]  # oldest first
    truncated: bool  # older entries were left out: the story is longer than the limit


def scheduling_request_timeline(*, request: SchedulingRequest) -> list[TimelineEntry]:
    """Webhook events of the workflow, the request's own decisions, and its write-backs with every attempt,
    oldest first. Four queries, however long the story."""
    return _timeline(request=request, limit=None).entries


def scheduling_request_timeline_newest(*, request: SchedulingRequest, limit: int) -> TimelinePage:
    """The newest `limit` entries of the timeline, oldest first, and whether older ones were left out.

    Each source reads at most `limit` + 1 rows (newest first), so a workflow with thousands of events costs
    the same as one with a few; write-back attempts are bounded by the retry schedule."""
    if limit < 1:
        raise ValueError("A timeline needs a limit of at least 1.")
    return _timeline(request=request, limit=limit)


def _newest(queryset: QuerySet, *, order: str, limit: int | None) -> tuple[list, bool]:
    if limit is None:
        return list(queryset), False
    rows = list(queryset.order_by(f"-{order}", "-pk")[: limit + 1])
    return rows[:limit], len(rows) > limit


def _timeline(*, request: SchedulingRequest, limit: int | None) -> TimelinePage:
    events, events_cut = _newest(
        WebhookEvent.objects.filter(connection_id=request.connection_id, system_id=request.workflow_id),
        order="received_at",
        limit=limit,
    )
    writebacks, writebacks_cut = _newest(
        Writeback.objects.filter(scheduling_request=request).prefetch_related("send_attempts"),
        order="created_at",
        limit=limit,
    )
    names = stage_names(
        connection_id=request.connection_id,
        status_ids=({event.old_status for event in events} | {event.new_status for event in events}) - {""},
    )
    entries = [
        TimelineEntry(
            at=event.received_at,
            kind="webhook event",
            title=f"{event.event_type}: {_named(event.old_status, names)} → {_named(event.new_status, names)}",
            detail=f"{event.get_state_display()}. {event.last_error or event.outcome}".strip(),
            record=event,
        )
        for event in events
    ]
    decisions = [
        (request.created_at, "Scheduling request started", f"at trigger stage {request.trigger_stage}"),
        (request.opened_at, "Opened by the scheduling platform", request.advance_outcome),
        (request.scheduled_at, "Marked scheduled", ""),
        (request.cancelled_at, "Cancelled", ""),
    ]
    entries += [
        TimelineEntry(at=at, kind="decision", title=title, detail=detail, record=None)
        for at, title, detail in decisions
        if at is not None
    ]
    for writeback in writebacks:
        entries.append(
            TimelineEntry(
                at=writeback.created_at,
                kind="write-back",
                title=f"{writeback.get_action_display()} queued",
                detail=f"now {writeback.get_state_display()}, {writeback.attempts} attempt(s). {writeback.last_error}",
                record=writeback,
            )
        )
        entries += [
            TimelineEntry(
                at=attempt.started_at,
                kind="attempt",
                title=f"{writeback.get_action_display()} attempt: {attempt.outcome or 'unfinished'}",
                detail=" ".join(
                    part
                    for part in (f"HTTP {attempt.http_status}" if attempt.http_status else "", attempt.error)
                    if part
                ),
                record=writeback,
            )
            for attempt in writeback.send_attempts.all()
        ]
    entries.sort(key=lambda entry: entry.at)
    if limit is None:
        return TimelinePage(entries=entries, truncated=False)
    return TimelinePage(entries=entries[-limit:], truncated=events_cut or writebacks_cut or len(entries) > limit)
