"""Read one person's profile from iCIMS now, for the platform, and bring the mirror up to date with it.

`GET /api/v1/connections/{id}/candidates/{icims_id}/?live=true`: any person id, in scope or not. The call
is a live lookup (Purpose.LIVE, the budget's first claim); iCIMS errors propagate as typed IcimsErrors and
the API answers them (404, 429, 502, 503).
"""

from __future__ import annotations

from django.utils import timezone

from integrations.models import Connection, SchedulingRequest
from sync.entities import entity_spec
from sync.models import Candidate, Entity, ScopeState
from sync.scope import scope_rule
from sync.services.mirror_profiles_ensure import scheduled_person_write

from .live_lookups import live_client


def candidate_live_refresh(*, connection: Connection, icims_id: int) -> Candidate:
    """The person as iCIMS has it now, as a Candidate row.

    The mirror is refreshed where it keeps the person: a candidate in the folders, a row it already holds,
    or a person a scheduling request names (kept, marked out of scope). Anyone else is answered from the
    fetch without being stored (an unsaved row, scope out of scope): the mirror does not collect every
    person the platform happens to look up.
    """
    spec = entity_spec(Entity.CANDIDATES)
    fetched_at = timezone.now()
    profile = live_client(connection=connection).get_profile(spec.profile_type, icims_id, fields=spec.fields)
    named_by_request = SchedulingRequest.objects.filter(connection=connection, candidate_id=str(icims_id)).exists()
    scheduled_person_write(
        connection=connection, icims_id=icims_id, profile=profile, fetched_at=fetched_at, keep=named_by_request
    )
    row = Candidate.objects.filter(connection=connection, icims_id=icims_id).first()
    if row is not None:
        return row
    values = spec.values_from_profile(profile)
    state = scope_rule(connection=connection, entity=Entity.CANDIDATES)(values)
    return Candidate(
        connection=connection,
        icims_id=icims_id,
        **values,
        raw=profile,
        synced_at=fetched_at,
        seen_at=fetched_at,
        scope_state=ScopeState.OUT_OF_SCOPE if state != ScopeState.IN_SCOPE else state,
        scope_changed_at=None,
    )
