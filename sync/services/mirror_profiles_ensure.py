"""Fetch a candidate or a job live when the mirror does not hold it yet (a webhook can beat the sync)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from integrations.icims.client import IcimsClient
from integrations.icims.errors import IcimsError
from integrations.models import Connection

from ..entities import entity_spec
from ..models import Candidate, Entity, Job
from .records_upsert import records_upsert

logger = logging.getLogger(__name__)


def mirror_profiles_ensure(*, connection: Connection, client: IcimsClient, person_id: str, job_id: str) -> list[str]:
    """GET and mirror the person and the job the mirror lacks; returns notes on what could not be fetched.

    The person is the one the platform must schedule, so it is kept among the candidates whatever its
    folder: in scope in a candidate folder, else marked *out of scope* (the API serves it either way). A
    person in a user folder (an employee applying internally) is mirrored as a user too.
    Retryable errors propagate (the event is retried); a refused or missing profile only leaves a note:
    the scheduling request does not depend on the mirror.
    """
    notes = []
    if person_id and not Candidate.objects.filter(connection=connection, icims_id=person_id).exists():
        notes += _fetch_into_mirror(connection=connection, client=client, entity=Entity.CANDIDATES, icims_id=person_id)
    if job_id and not Job.objects.filter(connection=connection, icims_id=job_id).exists():
        notes += _fetch_into_mirror(connection=connection, client=client, entity=Entity.JOBS, icims_id=job_id)
    return notes


def _fetch_into_mirror(*, connection: Connection, client: IcimsClient, entity: str, icims_id: str) -> list[str]:
    spec = entity_spec(entity)
    fetched_at = timezone.now()
    try:
        profile = client.get_profile(spec.profile_type, icims_id, fields=spec.fields)
    except IcimsError as exc:
        if exc.retryable:
            raise
        logger.warning("Could not fetch %s %s for the mirror: %s", spec.profile_type, icims_id, exc)
        return [f"{spec.profile_type} {icims_id} could not be fetched for the mirror ({type(exc).__name__})."]
    if entity == Entity.CANDIDATES:
        scheduled_person_write(connection=connection, icims_id=icims_id, profile=profile, fetched_at=fetched_at)
    else:
        records_upsert(connection=connection, entity=entity, profiles=[(icims_id, profile)], fetched_at=fetched_at)
    return []


def scheduled_person_write(
    *, connection: Connection, icims_id: str | int, profile: dict, fetched_at: datetime, keep: bool = True
) -> None:
    """Write the fetched profile of a person someone is to schedule. With `keep`, it stays among the
    candidates even outside the candidate folders (marked out of scope); a user's row is refreshed too
    when the user folders hold the person (or the mirror already does)."""
    profiles = [(icims_id, profile)]
    records_upsert(
        connection=connection,
        entity=Entity.CANDIDATES,
        profiles=profiles,
        fetched_at=fetched_at,
        keep_out_of_scope=keep,
    )
    records_upsert(connection=connection, entity=Entity.USERS, profiles=profiles, fetched_at=fetched_at)
