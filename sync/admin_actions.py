"""Sync in the admin: the overview panel and the "sync now", "full reconcile" and "reset cursor" actions
(on connections: every entity; on sync states: that entity). Actions enqueue Celery tasks once the
request's transaction commits, and say what they did."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from integrations.models import Connection

from .engine import sync_cursor_reset
from .models import Entity, SyncState
from .selectors import connection_sync_overview
from .tasks import sync_entity


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def _age(delta) -> str:
    if delta is None:
        return "no successful run yet"
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


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
                "running" if entity.running else ("full walk pending" if entity.full_walk_pending else "idle"),
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


def _enqueue(pairs: list[tuple[int, str]], *, full: bool) -> None:
    def send() -> None:
        for connection_id, entity in pairs:
            sync_entity.delay(connection_id, entity, full=full)

    transaction.on_commit(send)


def _connection_pairs(queryset) -> tuple[list[tuple[int, str]], int]:
    active = list(queryset.filter(is_active=True).values_list("pk", flat=True))
    skipped = queryset.count() - len(active)
    return [(pk, entity) for pk in active for entity in Entity.values], skipped


def _paused_note(skipped: int) -> str:
    return f" {skipped} paused connection(s) skipped." if skipped else ""


def sync_runs_link(connection_ids: list[int], *, text: str = "Sync runs") -> str:
    """A link to the sync runs of these connections, newest first: where queued runs show up."""
    url = reverse("admin:sync_syncrun_changelist")
    if connection_ids:
        url += "?connection__id__in=" + ",".join(str(pk) for pk in sorted(connection_ids))
    return format_html('<a href="{}">{}</a>', url, text)


@admin.action(description="Sync now (jobs, candidates, users)", permissions=["change"])
def sync_now(modeladmin, request, queryset) -> None:
    pairs, skipped = _connection_pairs(queryset)
    _enqueue(pairs, full=False)
    modeladmin.message_user(
        request,
        format_html(
            "Queued {} sync run(s).{} Follow them under {}.",
            len(pairs),
            _paused_note(skipped),
            sync_runs_link(sorted({connection_id for connection_id, _ in pairs})),
        ),
        messages.SUCCESS,
    )


@admin.action(description="Full reconcile (walk every record)", permissions=["change"])
def full_reconcile(modeladmin, request, queryset) -> None:
    pairs, skipped = _connection_pairs(queryset)
    _enqueue(pairs, full=True)
    modeladmin.message_user(
        request,
        f"Queued {len(pairs)} full reconcile run(s).{_paused_note(skipped)} "
        "Records not seen become left scope or deleted.",
        messages.SUCCESS,
    )


@admin.action(description="Reset sync cursor (next run walks everything)", permissions=["change"])
def reset_cursor(modeladmin, request, queryset) -> None:
    count = 0
    for connection in queryset:
        for entity in Entity.values:
            sync_cursor_reset(connection=connection, entity=entity)
            count += 1
    modeladmin.message_user(request, f"Reset {count} cursor(s); the next runs walk every record.", messages.SUCCESS)


@admin.action(description="Sync now", permissions=["sync"])
def state_sync_now(modeladmin, request, queryset) -> None:
    pairs = list(queryset.filter(connection__is_active=True).values_list("connection_id", "entity"))
    _enqueue(pairs, full=False)
    modeladmin.message_user(request, f"Queued {len(pairs)} sync run(s).", messages.SUCCESS)


@admin.action(description="Full reconcile", permissions=["sync"])
def state_full_reconcile(modeladmin, request, queryset) -> None:
    pairs = list(queryset.filter(connection__is_active=True).values_list("connection_id", "entity"))
    _enqueue(pairs, full=True)
    modeladmin.message_user(request, f"Queued {len(pairs)} full reconcile run(s).", messages.SUCCESS)


@admin.action(description="Reset cursor", permissions=["sync"])
def state_reset_cursor(modeladmin, request, queryset) -> None:
    states: list[SyncState] = list(queryset.select_related("connection"))
    for state in states:
        sync_cursor_reset(connection=state.connection, entity=state.entity)
    modeladmin.message_user(
        request, f"Reset {len(states)} cursor(s); the next runs walk every record.", messages.SUCCESS
    )
