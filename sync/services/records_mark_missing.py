"""The end of a clean full run: what it did not see is no longer in iCIMS's scope."""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from integrations.models import Connection

from ..entities import entity_spec
from ..models import ScopeState

logger = logging.getLogger(__name__)


def records_mark_missing(
    *, connection: Connection, entity: str, full_run_started_at: datetime, at: datetime | None = None
) -> int:
    """Mark every in-scope record that no fetch has seen since a full run began: jobs become deleted,
    candidates and users left scope. Returns how many were marked.

    Call it only after a full walk (backfill or reconcile, across all its resumed runs) finished cleanly:
    after a failed or partial walk, "not seen" means nothing, and a failed run never marks anything.
    One UPDATE, whatever the size of the mirror.
    """
    spec = entity_spec(entity)
    at = at or timezone.now()
    marked = spec.model.objects.filter(
        connection=connection, scope_state=ScopeState.IN_SCOPE, seen_at__lt=full_run_started_at
    ).update(scope_state=spec.missing_state, scope_changed_at=at)
    if marked:
        logger.info(
            "Connection %s %s: %d records missing from the full run marked %s",
            connection.pk,
            spec.entity,
            marked,
            spec.missing_state,
        )
    return marked
