"""Which fetched records the mirror keeps (integration guide, "Entities Synced and Frequency"), and the
search that asks iCIMS for every record in scope.

- Jobs: every job except deleted ones. iCIMS has no documented "deleted" flag on a job profile; a
  deleted job sits in the job folder "Deleted" (its status), so a job whose folder display value is
  "Deleted" (any case, optionally followed by a qualifier such as "Deleted - Duplicate") is deleted.
  A job whose folder is hidden or empty is kept: nothing says it is deleted.
- Candidates: people whose folder is one of the connection's candidate folders.
- Users: people whose folder is one of the connection's user folders.

Folders are matched by display value or list node id (iCIMS search accepts either), ignoring case and
surrounding spaces. A person whose folder is hidden is not provably in scope, so it is out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from integrations.models import Connection

from .models import Entity, ScopeState

JOB_DELETED_FOLDER = "Deleted"  # what a search excludes to walk the jobs in scope
_DELETED_JOB_FOLDER = re.compile(r"^deleted\b", re.IGNORECASE)


def job_is_deleted(*, folder: str) -> bool:
    return bool(_DELETED_JOB_FOLDER.match(folder.strip()))


def folders_normalised(folders: Iterable[Any]) -> frozenset[str]:
    return frozenset(str(folder).strip().casefold() for folder in folders or () if str(folder).strip())


def person_in_folders(*, folder: str, folder_id: str, configured: frozenset[str]) -> bool:
    return any(value and value.strip().casefold() in configured for value in (folder, folder_id))


def scope_rule(*, connection: Connection, entity: str) -> Callable[[dict[str, Any]], ScopeState]:
    """A function from a record's mapped values to the scope state a fetch puts it in.

    Built once per batch: the connection's folders are read and normalised once, not per record.
    """
    if entity == Entity.JOBS:

        def job_scope(values: dict[str, Any]) -> ScopeState:
            if job_is_deleted(folder=values["folder"]):
                return ScopeState.DELETED
            return ScopeState.IN_SCOPE

        return job_scope

    if entity == Entity.CANDIDATES:
        configured = folders_normalised(connection.candidate_folders)
    elif entity == Entity.USERS:
        configured = folders_normalised(connection.user_folders)
    else:
        raise ValueError(f"Unknown entity {entity!r}; expected one of {', '.join(Entity.values)}.")

    def person_scope(values: dict[str, Any]) -> ScopeState:
        if person_in_folders(folder=values["folder"], folder_id=values["folder_id"], configured=configured):
            return ScopeState.IN_SCOPE
        return ScopeState.LEFT_SCOPE

    return person_scope


def search_path(entity: str) -> str:
    """The iCIMS search endpoint for an entity: candidates and users are both people."""
    return "jobs" if entity == Entity.JOBS else "people"


def scope_filters(*, connection: Connection, entity: str) -> list[dict]:
    """The search filter for "every record in scope": jobs not deleted; people in the configured folders."""
    if entity == Entity.JOBS:
        return [{"name": "job.folder", "value": [JOB_DELETED_FOLDER], "operator": "!="}]
    folders = connection.candidate_folders if entity == Entity.CANDIDATES else connection.user_folders
    return [{"name": "person.folder", "value": [str(folder) for folder in folders], "operator": "="}]


def scope_folders(*, connection: Connection, entity: str) -> list[str]:
    """The folders that define the scope now; a change since the last walk calls for a new one."""
    if entity == Entity.CANDIDATES:
        return sorted(str(folder) for folder in connection.candidate_folders)
    if entity == Entity.USERS:
        return sorted(str(folder) for folder in connection.user_folders)
    return []
