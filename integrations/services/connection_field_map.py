"""A connection's field map: portal field → the tenant's iCIMS field name (e.g. `job.coordinator = rcf3047`).

iCIMS documents no coordinator or sourcer field on a job, and every tenant has its own custom fields
(`rcf3047`, `field23848`), so the map says where they are. `job.coordinator` and `job.sourcer` fill the
hiring team; any other `job.NAME` or `application.NAME` is passed through as a custom field. A map is
checked by a live read: one job (and one application) is read with the mapped names, and any name
iCIMS warns about ("not valid or hidden") is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import requests
from django.core.exceptions import ValidationError

from integrations.icims.budget import Purpose
from integrations.icims.errors import IcimsError, IcimsValidationError
from integrations.models import Connection

from .icims_clients import icims_client_for

RECORDS = {"job": ("jobs", "job"), "application": ("applicantworkflows", "applicantworkflow")}
TEAM_ROLES = ("coordinator", "sourcer")
_PORTAL_FIELD = re.compile(r"^(job|application)\.([a-z][a-z0-9_]{0,49})$")
_ICIMS_FIELD = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def connection_field_map_parse(text: str) -> dict[str, str]:
    """`portal.field = icimsfield` lines (blank lines and `#` comments skipped) → a dict.

    Raises ValidationError naming each bad line.
    """
    mapped: dict[str, str] = {}
    problems = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        portal, separator, icims = (part.strip() for part in line.partition("="))
        if not separator:
            problems.append(f"line {number}: write `portal field = iCIMS field`, e.g. `job.coordinator = rcf3047`.")
        elif portal.lower() in mapped:
            problems.append(f"line {number}: {portal} is mapped twice.")
        else:
            mapped[portal.lower()] = icims.lower()
    if problems:
        raise ValidationError(problems)
    return mapped


def connection_field_map_text(field_map: dict[str, str]) -> str:
    return "\n".join(f"{portal} = {icims}" for portal, icims in field_map.items())


def connection_field_map_errors(field_map: object) -> list[str]:
    """What is wrong with a stored map's shape (the rules the admin and the shell share)."""
    if not isinstance(field_map, dict):
        return ["Give portal field → iCIMS field pairs."]
    errors = []
    for portal, icims in field_map.items():
        if not isinstance(portal, str) or not _PORTAL_FIELD.match(portal):
            errors.append(
                f"{portal!r}: a portal field is job.NAME or application.NAME (lowercase, e.g. job.coordinator)."
            )
        elif not isinstance(icims, str) or not _ICIMS_FIELD.match(icims):
            errors.append(
                f"{portal}: {icims!r} is not an iCIMS field name (lowercase letters, digits, _; e.g. rcf3047)."
            )
    return errors


def field_map_for(field_map: dict[str, str], record: str) -> dict[str, str]:
    """The entries for one record type, portal name (without the prefix) → iCIMS field."""
    return {portal.split(".", 1)[1]: icims for portal, icims in field_map.items() if portal.startswith(f"{record}.")}


@dataclass
class FieldMapCheck:
    unknown: dict[str, str] = field(default_factory=dict)  # portal field → the iCIMS name iCIMS does not know
    notes: list[str] = field(default_factory=list)  # what could not be checked, and why

    @property
    def ok(self) -> bool:
        return not self.unknown


def connection_field_map_check(*, connection: Connection, session: requests.Session | None = None) -> FieldMapCheck:
    """Read one job and one application with the mapped names; report the names iCIMS does not know."""
    check = FieldMapCheck()
    client = icims_client_for(connection=connection, purpose=Purpose.LIVE, session=session, max_attempts=1)
    for record, (profile_type, search_name) in RECORDS.items():
        mapped = field_map_for(connection.field_map, record)
        if not mapped:
            continue
        try:
            sample = client.search_page(profile_type, [{"name": f"{search_name}.id", "value": ["0"], "operator": ">"}])
            if not sample:
                check.notes.append(f"no {record} in iCIMS to read the {record} fields from; not checked.")
                continue
            unknown = set(client.profile_unknown_fields(profile_type, sample[0], fields=mapped.values()))
        except IcimsValidationError as refused:
            check.unknown.update({f"{record}.{name}": icims for name, icims in mapped.items()})
            check.notes.append(f"iCIMS refused the {record} field names: {refused.message}")
            continue
        except IcimsError as error:
            check.notes.append(f"the {record} fields could not be checked: {error}.")
            continue
        check.unknown.update({f"{record}.{name}": icims for name, icims in mapped.items() if icims in unknown})
    return check
