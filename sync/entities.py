"""What the sync knows about each entity: its mirror model, the profile fields it asks for, how a profile
maps to a row, and what a record missing from a clean full run becomes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from . import mapping
from .models import Candidate, Entity, IcimsUser, Job, MirroredRecord, ScopeState


@dataclass(frozen=True)
class EntitySpec:
    entity: Entity
    model: type[MirroredRecord]
    profile_type: str  # the iCIMS profile type in `GET /customers/{cid}/{profile_type}/{id}`
    fields: tuple[str, ...]
    values_from_profile: Callable[[dict], dict[str, Any]]
    missing_state: ScopeState  # what a record not seen in a clean full run becomes

    @property
    def value_fields(self) -> tuple[str, ...]:
        """The row fields that hold iCIMS values (as `values_from_profile` returns them)."""
        return tuple(self.values_from_profile({}))

    @property
    def char_limits(self) -> dict[str, int]:
        """max_length of each text field, to cut an over-long iCIMS value rather than fail the batch."""
        return {
            name: field.max_length
            for name in self.value_fields
            if isinstance(field := self.model._meta.get_field(name), models.CharField) and field.max_length
        }


ENTITY_SPECS = {
    # A job missing from a full walk of every job is gone from iCIMS; a person missing from a walk of the
    # configured folders has most likely moved folder.
    Entity.JOBS: EntitySpec(Entity.JOBS, Job, "jobs", mapping.JOB_FIELDS, mapping.job_values, ScopeState.DELETED),
    Entity.CANDIDATES: EntitySpec(
        Entity.CANDIDATES, Candidate, "people", mapping.PERSON_FIELDS, mapping.person_values, ScopeState.LEFT_SCOPE
    ),
    Entity.USERS: EntitySpec(
        Entity.USERS, IcimsUser, "people", mapping.PERSON_FIELDS, mapping.person_values, ScopeState.LEFT_SCOPE
    ),
}


def entity_spec(entity: str) -> EntitySpec:
    try:
        return ENTITY_SPECS[Entity(entity)]
    except ValueError:
        raise ValueError(f"Unknown entity {entity!r}; expected one of {', '.join(Entity.values)}.") from None
