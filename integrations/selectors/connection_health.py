"""The health of connections: one state with a reason, from facts the portal already keeps.

States, worst first: failing, degraded, onboarding, paused, healthy. A paused connection is
paused whatever else is true; one whose initial sync is not done is onboarding. Otherwise each
problem found (the same kinds the alert rules watch, plus a few only shown here) is failing or
degraded, and the worst one names the state and gives the reason.

The facts of any number of connections cost a fixed number of SQL queries (correlated subqueries
on the connection query and one grouped query per table), plus three shared-state reads (Redis)
per connection for the pause, the breaker and the daily allowance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Count, DateTimeField, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone

from sync.models import Entity, SyncRun, SyncState

from ..icims.circuit_breaker import CLOSED
from ..models import (
    SECRET_FIELDS,
    AlertKind,
    AlertSettings,
    ApiCallLedger,
    Connection,
    HealthState,
    WebhookEvent,
    Writeback,
)
from ..services.icims_clients import icims_call_budget, icims_circuit_breaker, icims_shared_state
from ..services.scheduling_request_trigger import NOT_A_STAGE
from .connection_onboarding import connection_onboarding_checklist, connections_with_onboarding_facts

# Problems shown in the health state but not alerted on by a rule of their own.
BREAKER_OPEN = "breaker_open"
ICIMS_PAUSED = "icims_paused"
WRITEBACK_WAITING = "writeback_waiting"

WRITEBACK_WAITING_AFTER = timedelta(minutes=30)
UNKNOWN_STATUS_WINDOW = timedelta(hours=24)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# What the iCIMS client's typed errors say when the credentials were refused (IcimsAuthError's text:
# the token endpoint's refusal, HTTP 401, or iCIMS error codes 6 and 9).
CREDENTIAL_REFUSALS = ("iCIMS refused the client id", "HTTP 401", "iCIMS error code 6", "iCIMS error code 9")


@dataclass(frozen=True)
class Thresholds:
    sync_stale_minutes: int = 15
    sync_failing_runs: int = 3
    webhook_stuck_minutes: int = 2
    allowance_low_percent: int = 10

    @classmethod
    def of(cls, connection: Connection) -> Thresholds:
        try:
            settings = connection.alert_settings
        except AlertSettings.DoesNotExist:
            return cls()
        return cls(
            sync_stale_minutes=settings.sync_stale_minutes,
            sync_failing_runs=settings.sync_failing_runs,
            webhook_stuck_minutes=settings.webhook_stuck_minutes,
            allowance_low_percent=settings.allowance_low_percent,
        )


@dataclass(frozen=True)
class EntityFacts:
    entity: str
    last_success_started_at: datetime | None = None
    failed_in_a_row: int = 0
    last_error: str = ""
    last_error_at: datetime | None = None


@dataclass(frozen=True)
class ConnectionFacts:
    is_active: bool = True
    initial_sync_done: bool = True
    next_onboarding_step: str = ""
    onboarding_progress: str = ""
    has_stream: bool = False
    entities: list[EntityFacts] = field(default_factory=list)
    latest_incremental_mode: str = ""
    latest_incremental_error: str = ""
    latest_incremental_fell_back: bool = False  # the run says the data stream failed and it searched instead
    webhook_backlog: int = 0
    oldest_unprocessed_at: datetime | None = None
    dead_writebacks: int = 0
    waiting_writebacks: int = 0
    unknown_status_events: int = 0
    calls_today: int = 0
    daily_limit: int | None = None
    daily_remaining: int | None = None
    paused_until: datetime | None = None
    breaker_state: str = CLOSED


@dataclass(frozen=True)
class Problem:
    kind: str
    severity: str  # HealthState.FAILING or HealthState.DEGRADED
    message: str


@dataclass(frozen=True)
class ConnectionHealthReport:
    state: str
    reason: str
    problems: list[Problem]
    data_as_of: datetime | None
    last_error: str
    last_error_at: datetime | None
    calls_today: int
    daily_limit: int | None
    daily_remaining: int | None

    @property
    def alerting(self) -> bool:
        """Alert rules watch connections that are meant to work: not paused, done onboarding."""
        return self.state not in (HealthState.PAUSED, HealthState.ONBOARDING)


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


def is_credentials_refusal(error: str) -> bool:
    return any(marker in error for marker in CREDENTIAL_REFUSALS)


def _problems(facts: ConnectionFacts, thresholds: Thresholds, now: datetime) -> list[Problem]:
    failing, degraded = HealthState.FAILING, HealthState.DEGRADED
    found: list[Problem] = []
    refusal = next(
        (e for e in facts.entities if e.failed_in_a_row and is_credentials_refusal(e.last_error)),
        None,
    )
    if refusal is not None:
        found.append(
            Problem(AlertKind.CREDENTIALS_REFUSED, failing, f"iCIMS refused the credentials: {refusal.last_error}")
        )
    if facts.breaker_state != CLOSED:
        found.append(Problem(BREAKER_OPEN, failing, "iCIMS calls keep failing: the circuit breaker is open"))
    for entity in facts.entities:
        if entity.failed_in_a_row >= thresholds.sync_failing_runs:
            found.append(
                Problem(
                    AlertKind.SYNC_FAILING,
                    failing,
                    f"{entity.entity} sync failed {entity.failed_in_a_row} times in a row: {entity.last_error}",
                )
            )
            break
    if facts.oldest_unprocessed_at is not None:
        waiting = now - facts.oldest_unprocessed_at
        if waiting > timedelta(minutes=thresholds.webhook_stuck_minutes):
            found.append(
                Problem(
                    AlertKind.WEBHOOK_STUCK,
                    failing,
                    f"{facts.webhook_backlog} webhook event(s) unprocessed, the oldest for {_minutes(waiting)}",
                )
            )
    if facts.dead_writebacks:
        found.append(
            Problem(
                AlertKind.WRITEBACK_DEAD,
                failing,
                f"{facts.dead_writebacks} write-back(s) to iCIMS gave up (dead); retry them under Write-backs",
            )
        )
    stale = [
        entity
        for entity in facts.entities
        if entity.last_success_started_at is None
        or now - entity.last_success_started_at > timedelta(minutes=thresholds.sync_stale_minutes)
    ]
    if stale:
        oldest = min(stale, key=lambda e: e.last_success_started_at or _EPOCH)
        age = (
            f"is {_minutes(now - oldest.last_success_started_at)} old"
            if oldest.last_success_started_at
            else "has never synced"
        )
        found.append(
            Problem(
                AlertKind.SYNC_STALE,
                degraded,
                f"{oldest.entity} data {age} (limit {thresholds.sync_stale_minutes} min)",
            )
        )
    if facts.latest_incremental_fell_back or (
        facts.has_stream and facts.latest_incremental_mode == SyncRun.Mode.INCREMENTAL_SEARCH
    ):
        found.append(
            Problem(
                AlertKind.STREAM_FALLBACK,
                degraded,
                facts.latest_incremental_error or "The data stream failed; the sync fell back to search",
            )
        )
    if facts.daily_limit:
        left = facts.daily_remaining or 0
        if left * 100 < facts.daily_limit * thresholds.allowance_low_percent:
            found.append(
                Problem(
                    AlertKind.ALLOWANCE_LOW,
                    degraded,
                    f"{left} of today's {facts.daily_limit} iCIMS calls left "
                    f"(under {thresholds.allowance_low_percent}%)",
                )
            )
    if facts.paused_until is not None:
        found.append(Problem(ICIMS_PAUSED, degraded, f"iCIMS asked us to wait until {facts.paused_until:%H:%M:%S} UTC"))
    if facts.unknown_status_events:
        found.append(
            Problem(
                AlertKind.UNKNOWN_STATUS,
                degraded,
                f"{facts.unknown_status_events} webhook event(s) in 24 h named a status that is not an active "
                "stage: import the stages, then replay them",
            )
        )
    if facts.waiting_writebacks:
        found.append(
            Problem(
                WRITEBACK_WAITING,
                degraded,
                f"{facts.waiting_writebacks} write-back(s) waiting for over {_minutes(WRITEBACK_WAITING_AFTER)}",
            )
        )
    return found


def connection_health_from_facts(
    *, facts: ConnectionFacts, thresholds: Thresholds | None = None, now: datetime
) -> ConnectionHealthReport:
    """The state, reason and problems of one connection, from its facts alone (no database)."""
    problems = _problems(facts, thresholds or Thresholds(), now)
    if not facts.is_active:
        state, reason = HealthState.PAUSED, "Paused by an admin: not synced, webhooks not processed"
    elif not facts.initial_sync_done:
        state = HealthState.ONBOARDING
        reason = f"Onboarding, {facts.onboarding_progress} steps done"
        if facts.next_onboarding_step:
            reason += f"; next: {facts.next_onboarding_step}"
    elif problems:
        worst = (
            HealthState.FAILING if any(p.severity == HealthState.FAILING for p in problems) else HealthState.DEGRADED
        )
        first = next(p for p in problems if p.severity == worst)
        state, reason = worst, first.message + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else "")
    else:
        state, reason = HealthState.HEALTHY, "Synced, webhooks flowing, nothing waiting"
    successes = [e.last_success_started_at for e in facts.entities]
    errors = [e for e in facts.entities if e.last_error]
    newest_error = max(errors, key=lambda e: e.last_error_at or _EPOCH) if errors else None
    return ConnectionHealthReport(
        state=state,
        reason=reason,
        problems=problems,
        data_as_of=None if not successes or None in successes else min(successes),
        last_error=newest_error.last_error if newest_error else "",
        last_error_at=newest_error.last_error_at if newest_error else None,
        calls_today=facts.calls_today,
        daily_limit=facts.daily_limit,
        daily_remaining=facts.daily_remaining,
    )


def _with_sync_facts(queryset: QuerySet[Connection]) -> QuerySet[Connection]:
    """Per entity: the start of the last successful run and the failures since; and the last incremental run."""
    runs = SyncRun.objects.filter(connection=OuterRef("pk"))
    annotations = {}
    for entity in Entity.values:
        annotations[f"success_{entity}"] = Subquery(
            runs.filter(entity=entity, status=SyncRun.Status.SUCCEEDED).order_by("-started_at").values("started_at")[:1]
        )
    queryset = queryset.annotate(**annotations)
    failures = {}
    for entity in Entity.values:
        since = Coalesce(OuterRef(f"success_{entity}"), Value(_EPOCH, output_field=DateTimeField()))
        failures[f"failed_{entity}"] = Coalesce(
            Subquery(
                runs.filter(entity=entity, status=SyncRun.Status.FAILED, started_at__gt=since)
                .order_by()
                .values("connection")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        )
    # The last incremental run that went through says how the sync reads now (a failed one proves nothing).
    # Looked up per entity, so the (connection, entity, -started_at) index finds it in a few rows.
    latest = {}
    for entity in Entity.values:
        incremental = runs.filter(
            entity=entity,
            mode__in=[SyncRun.Mode.INCREMENTAL_SEARCH, SyncRun.Mode.INCREMENTAL_STREAM],
            status=SyncRun.Status.SUCCEEDED,
        ).order_by("-started_at")
        latest[f"incremental_{entity}"] = Subquery(
            incremental.values(
                run=JSONObject(mode="mode", error="error", started_at="started_at", fell_back="fell_back_to_search")
            )[:1]
        )
    return queryset.annotate(**failures, **latest)


def _latest_incremental(connection: Connection) -> dict:
    runs = [getattr(connection, f"incremental_{entity}") for entity in Entity.values]
    return max((run for run in runs if run), key=lambda run: run["started_at"], default={})


def _grouped(queryset, **aggregates) -> dict[int, dict]:
    return {row.pop("connection_id"): row for row in queryset.values("connection_id").order_by().annotate(**aggregates)}


def connections_health(
    *, connections: QuerySet[Connection] | None = None, now: datetime | None = None
) -> dict[int, ConnectionHealthReport]:
    """The health of every connection in `connections` (default: all), keyed by connection id."""
    now = now or timezone.now()
    base = connections if connections is not None else Connection.objects.all()
    # Health reads no secret: none is decrypted, and one tenant's undecryptable secret fails no one's health.
    loaded = base.defer(*SECRET_FIELDS).select_related("alert_settings")
    rows = list(_with_sync_facts(connections_with_onboarding_facts(loaded)))
    in_scope = base.values("pk")
    errors: dict[int, dict[str, SyncState]] = defaultdict(dict)
    for state in SyncState.objects.filter(connection__in=in_scope).exclude(last_error=""):
        errors[state.connection_id][state.entity] = state
    unprocessed = [WebhookEvent.State.RECEIVED, WebhookEvent.State.PROCESSING]
    backlog = _grouped(
        WebhookEvent.objects.filter(connection__in=in_scope, state__in=unprocessed),
        count=Count("pk"),
        oldest=Min("received_at"),
    )
    unknown = _grouped(
        WebhookEvent.objects.filter(
            connection__in=in_scope, received_at__gte=now - UNKNOWN_STATUS_WINDOW, outcome__contains=NOT_A_STAGE
        ),
        count=Count("pk"),
    )
    waiting_states = [Writeback.State.PENDING, Writeback.State.RETRYING]
    writebacks = _grouped(
        Writeback.objects.filter(connection__in=in_scope, state__in=[Writeback.State.DEAD, *waiting_states]),
        dead=Count("pk", filter=Q(state=Writeback.State.DEAD)),
        waiting=Count("pk", filter=Q(state__in=waiting_states, created_at__lt=now - WRITEBACK_WAITING_AFTER)),
    )
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    calls = _grouped(ApiCallLedger.objects.filter(connection__in=in_scope, hour__gte=day), total=Sum("calls"))

    shared_state = icims_shared_state()
    reports = {}
    for connection in rows:
        budget = icims_call_budget(connection=connection, state=shared_state)
        daily = budget.daily_allowance() or {}
        paused_until = budget.paused_until()
        entities = [
            EntityFacts(
                entity=entity,
                last_success_started_at=getattr(connection, f"success_{entity}"),
                failed_in_a_row=getattr(connection, f"failed_{entity}"),
                last_error=errors[connection.pk][entity].last_error if entity in errors[connection.pk] else "",
                last_error_at=errors[connection.pk][entity].last_error_at if entity in errors[connection.pk] else None,
            )
            for entity in Entity.values
        ]
        steps = connection_onboarding_checklist(connection=connection)
        incremental = _latest_incremental(connection)
        facts = ConnectionFacts(
            is_active=connection.is_active,
            initial_sync_done=connection.initial_sync_done_at is not None,
            next_onboarding_step=next((step.label for step in steps if not step.done), ""),
            onboarding_progress=f"{sum(step.done for step in steps)}/{len(steps)}",
            has_stream=bool(connection.stream_id),
            entities=entities,
            latest_incremental_mode=incremental.get("mode", ""),
            latest_incremental_error=incremental.get("error", ""),
            latest_incremental_fell_back=bool(incremental.get("fell_back")),
            webhook_backlog=backlog.get(connection.pk, {}).get("count", 0),
            oldest_unprocessed_at=backlog.get(connection.pk, {}).get("oldest"),
            dead_writebacks=writebacks.get(connection.pk, {}).get("dead", 0),
            waiting_writebacks=writebacks.get(connection.pk, {}).get("waiting", 0),
            unknown_status_events=unknown.get(connection.pk, {}).get("count", 0),
            calls_today=calls.get(connection.pk, {}).get("total") or 0,
            daily_limit=daily.get("limit"),
            daily_remaining=daily.get("remaining"),
            paused_until=None if paused_until is None else datetime.fromtimestamp(paused_until, tz=UTC),
            breaker_state=icims_circuit_breaker(connection=connection, state=shared_state).status(),
        )
        reports[connection.pk] = connection_health_from_facts(
            facts=facts, thresholds=Thresholds.of(connection), now=now
        )
    return reports


def connection_health(*, connection: Connection, now: datetime | None = None) -> ConnectionHealthReport:
    """One connection's health, computed now (the change page's Status tab)."""
    return connections_health(connections=Connection.objects.filter(pk=connection.pk), now=now)[connection.pk]
