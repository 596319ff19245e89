"""Fetch a candidate or a job live when the mirror does not hold it yet (a webhook can beat the sync)."""

from __future__ import annotations

import logging

from django.utils import timezone

from integrations.icims.client import IcimsClient
from integrations.icims.errors import IcimsError
from integrations.models import Connection

from ..entities import entity_spec
from ..models import Candidate, Entity, IcimsUser, Job
from .records_upsert import records_upsert

logger = logging.getLogger(__name__)


def mirror_profiles_ensure(*, connection: Connection, client: IcimsClient, person_id: str, job_id: str) -> list[str]:
    """GET and mirror the person and the job the mirror lacks; returns notes on what could not be fetched.

    A person may be a candidate or a user (an employee applying internally), so either mirror counts.
    A person outside the candidate folders is fetched but not mirrored (the sync's scope rule decides).
    Retryable errors propagate (the event is retried); a refused or missing profile only leaves a note:
    the scheduling request does not depend on the mirror.
    """
    notes = []
    person_known = (
        Candidate.objects.filter(connection=connection, icims_id=person_id).exists()
        or IcimsUser.objects.filter(connection=connection, icims_id=person_id).exists()
    )
    if person_id and not person_known:
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
    counts = records_upsert(connection=connection, entity=entity, profiles=[(icims_id, profile)], fetched_at=fetched_at)
    if entity == Entity.CANDIDATES and counts.ignored:
        # Not in a candidate folder: an employee applying internally is mirrored as a user, if a user at all.
        records_upsert(
            connection=connection, entity=Entity.USERS, profiles=[(icims_id, profile)], fetched_at=fetched_at
        )
    return []
