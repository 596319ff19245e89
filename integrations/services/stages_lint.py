"""The daily stage linter: trigger statuses iCIMS no longer lists, and status ids seen in webhooks
that no stage knows. Each run replaces the connection's StageLintReport (shown on the stages list)."""

from __future__ import annotations

import logging
from datetime import timedelta

import requests
from django.db.models import Count, Max
from django.utils import timezone

from integrations.icims.bins_statuses import BinsListUnavailable, bins_and_statuses
from integrations.icims.budget import Purpose
from integrations.icims.errors import IcimsError

from ..models import Connection, Stage, StageLintReport, WebhookEvent
from .icims_clients import icims_client_for
from .task_queue import STAGES_LINT_ALL

logger = logging.getLogger(__name__)

WEBHOOK_LOOKBACK = timedelta(days=30)


def _known(status_id: str, stage_ids: set[str]) -> bool:
    # Some tenants send bare numbers in webhooks ("51218" for C51218): a stage knows both spellings.
    return status_id in stage_ids or (status_id.isdecimal() and any(s.lstrip("CD") == status_id for s in stage_ids))


def stages_lint(*, connection: Connection, session: requests.Session | None = None) -> StageLintReport:
    now = timezone.now()
    notes = []
    missing_triggers = []
    client = icims_client_for(connection=connection, purpose=Purpose.SYNC, session=session, max_attempts=1)
    try:
        listed = {status.status_id for status in bins_and_statuses(client)}
    except BinsListUnavailable as error:
        notes.append(f"Trigger statuses not checked: {error.message}")
    except IcimsError as error:
        notes.append(f"Trigger statuses not checked: iCIMS failed ({error}).")
    else:
        triggers = Stage.objects.filter(connection=connection, triggers_scheduling=True, is_active=True)
        missing_triggers = [
            {"stage": str(stage), "status_id": stage.status_id}
            for stage in triggers.order_by("position")
            if stage.status_id not in listed
        ]

    stage_ids = set(
        Stage.objects.filter(connection=connection).exclude(status_id="").values_list("status_id", flat=True)
    )
    seen = (
        WebhookEvent.objects.filter(connection=connection, received_at__gte=now - WEBHOOK_LOOKBACK)
        .exclude(new_status="")
        .values("new_status")
        .annotate(events=Count("id"), last_seen=Max("received_at"))
        .order_by("new_status")
    )
    unknown = [
        {"status_id": row["new_status"], "events": row["events"], "last_seen": row["last_seen"].isoformat()}
        for row in seen
        if not _known(row["new_status"], stage_ids)
    ]
    report, _ = StageLintReport.objects.update_or_create(
        connection=connection,
        defaults={
            "checked_at": now,
            "missing_triggers": missing_triggers,
            "unknown_status_ids": unknown,
            "note": " ".join(notes),
        },
    )
    logger.info(
        "Stage lint for %s: %d trigger(s) iCIMS no longer lists, %d unknown status id(s)",
        connection.customer_id,
        len(missing_triggers),
        len(unknown),
    )
    return report


def stages_lint_all() -> int:
    """Lint every active connection; one failing connection does not stop the others."""
    linted = 0
    for connection in Connection.objects.filter(is_active=True).order_by("pk"):
        try:
            stages_lint(connection=connection)
            linted += 1
        except Exception:  # a bug for one tenant must not hide the others' findings
            logger.exception("Stage lint failed for connection %s", connection.customer_id)
    return linted


LINT_TASK_NAME = STAGES_LINT_ALL
LINT_PERIODIC_TASK_NAME = "Lint stages against iCIMS"
