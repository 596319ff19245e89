"""Sync in the admin: the overview panel and the "sync now", "full reconcile" and "reset cursor" actions
(on connections: every entity; on sync states: that entity). Actions record queued runs and enqueue their
Celery tasks once the request's transaction commits (never twice for one connection and entity), and say
what they did."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from integrations.models import Connection

from .engine import sync_cursor_reset
from .models import Entity, SyncState
from .selectors import connection_sync_overview
from .services.sync_runs_enqueue import sync_runs_enqueue, sync_runs_enqueue_for_connections


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def _age(delta) -> str:
    if delta is None:
        return "no successful run yet"
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


def _now_doing(entity) -> str:
    if entity.running:
        return "running"
    if entity.queued:
        return f"queued since {_when(entity.queued.started_at)}"
    if entity.full_walk_pending:
        return f"full walk: {entity.walk_progress}" if entity.walk_progress else "full walk pending"
    return "idle"


def connection_sync_overview_html(connection: Connection) -> str:
    overview = connection_sync_overview(connection=connection)
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                entity.entity,
                _age(entity.data_age),
                _when(entity.last_success_at),
                f"{entity.last_error} ({_when(entity.last_error_at)})" if entity.last_error else "none",
                _now_doing(entity),
                _when(entity.last_full_run_at),
            )
            for entity in overview.entities
        ),
    )
    return format_html(
        "<table><tr><th>entity</th><th>data age</th><th>last success</th><th>last error</th><th>now</th>"
        "<th>last full walk</th></tr>{}</table><p>Calls this hour: {} by sync runs, {} in all, "
        "of a budget of {}.</p>",
        rows,
        overview.sync_calls_this_hour,
        overview.calls_this_hour,
        overview.hourly_budget,
    )


def _queued_note(runs: list, *, asked: int, skipped: int, kind: str) -> str:
    busy = asked - len(runs)
    note = f"Queued {len(runs)} {kind} run(s)."
    if busy:
        note += f" {busy} already queued or running."
    if skipped:
        note += f" {skipped} paused connection(s) skipped."
    return note


def _enqueue_connections(modeladmin, request, queryset, *, full: bool, kind: str, extra: str) -> None:
    connections = list(queryset)
    active = [connection for connection in connections if connection.is_active]
    runs = sync_runs_enqueue_for_connections(connections=active, full=full)
    note = _queued_note(runs, asked=len(active) * len(Entity.values), skipped=len(connections) - len(active), kind=kind)
    follow = sync_runs_link([connection.pk for connection in active])
    modeladmin.message_user(request, format_html("{} {} Follow them under {}.", note, extra, follow), messages.SUCCESS)


def sync_runs_link(connection_ids: list[int], *, text: str = "Sync runs") -> str:
    """A link to the sync runs of these connections, newest first: where queued runs show up."""
    url = reverse("admin:sync_syncrun_changelist")
    if connection_ids:
        url += "?connection__id__in=" + ",".join(str(pk) for pk in sorted(connection_ids))
    return format_html('<a href="{}">{}</a>', url, text)


@admin.action(description="Sync now (jobs, candidates, users)", permissions=["change"])
def sync_now(modeladmin, request, queryset) -> None:
    _enqueue_connections(modeladmin, request, queryset, full=False, kind="sync", extra="")


@admin.action(description="Full reconcile (walk every record)", permissions=["change"])
def full_reconcile(modeladmin, request, queryset) -> None:
    _enqueue_connections(
        modeladmin,
        request,
        queryset,
        full=True,
        kind="full reconcile",
        extra="Records not seen become left scope or deleted.",
    )


@admin.action(description="Reset sync cursor (next run walks everything)", permissions=["change"])
def reset_cursor(modeladmin, request, queryset) -> None:
    count = 0
    for connection in queryset:
        for entity in Entity.values:
            sync_cursor_reset(connection=connection, entity=entity)
            count += 1
    modeladmin.message_user(request, f"Reset {count} cursor(s); the next runs walk every record.", messages.SUCCESS)


def _enqueue_states(modeladmin, request, queryset, *, full: bool, kind: str) -> None:
    state_ids = list(queryset.filter(connection__is_active=True).values_list("pk", flat=True))
    runs = sync_runs_enqueue(state_ids=state_ids, full=full)
    modeladmin.message_user(request, _queued_note(runs, asked=len(state_ids), skipped=0, kind=kind), messages.SUCCESS)


@admin.action(description="Sync now", permissions=["sync"])
def state_sync_now(modeladmin, request, queryset) -> None:
    _enqueue_states(modeladmin, request, queryset, full=False, kind="sync")


@admin.action(description="Full reconcile", permissions=["sync"])
def state_full_reconcile(modeladmin, request, queryset) -> None:
    _enqueue_states(modeladmin, request, queryset, full=True, kind="full reconcile")


@admin.action(description="Reset cursor", permissions=["sync"])
def state_reset_cursor(modeladmin, request, queryset) -> None:
    states: list[SyncState] = list(queryset.select_related("connection"))
    for state in states:
        sync_cursor_reset(connection=state.connection, entity=state.entity)
    modeladmin.message_user(
        request, f"Reset {len(states)} cursor(s); the next runs walk every record.", messages.SUCCESS
    )
