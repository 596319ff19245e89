from __future__ import annotations

import pytest

from integrations.models import Connection
from sync.models import Entity, ScopeState
from sync.scope import job_is_deleted, scope_rule


def person(folder: str, folder_id: str = "") -> dict:
    return {"folder": folder, "folder_id": folder_id}


@pytest.mark.parametrize(
    ("folder", "deleted"),
    [
        ("Deleted", True),
        ("deleted", True),
        (" Deleted - Duplicate ", True),
        ("Approved", False),
        ("Closed (Filled)", False),
        ("Undeleted", False),
        ("", False),
    ],
)
def test_a_job_is_deleted_when_its_folder_says_deleted(folder, deleted):
    assert job_is_deleted(folder=folder) is deleted


def test_jobs_are_all_in_scope_except_deleted_ones():
    in_scope_of = scope_rule(connection=Connection(), entity=Entity.JOBS)

    assert in_scope_of(person("Approved")) == ScopeState.IN_SCOPE
    assert in_scope_of(person("")) == ScopeState.IN_SCOPE  # hidden folder: nothing says it is deleted
    assert in_scope_of(person("Deleted", "D31010")) == ScopeState.DELETED


def test_candidates_are_in_scope_only_in_the_connections_candidate_folders():
    connection = Connection(candidate_folders=["Cand:Active", "C32999"])
    scope_of = scope_rule(connection=connection, entity=Entity.CANDIDATES)

    assert scope_of(person("Cand:Active")) == ScopeState.IN_SCOPE
    assert scope_of(person(" cand:active ")) == ScopeState.IN_SCOPE  # iCIMS list values are not case-sensitive
    assert scope_of(person("Cand:Talent Pool", "C32999")) == ScopeState.IN_SCOPE  # matched by folder id
    assert scope_of(person("Cand:Unreviewed", "D32006")) == ScopeState.LEFT_SCOPE
    assert scope_of(person("HM:Active")) == ScopeState.LEFT_SCOPE
    assert scope_of(person("")) == ScopeState.LEFT_SCOPE  # hidden folder: not provably in scope


def test_users_are_in_scope_only_in_the_connections_user_folders():
    scope_of = scope_rule(connection=Connection(), entity=Entity.USERS)  # defaults: HM:Active, Emp:Current Employee

    assert scope_of(person("HM:Active")) == ScopeState.IN_SCOPE
    assert scope_of(person("Emp:Current Employee")) == ScopeState.IN_SCOPE
    assert scope_of(person("Cand:Active")) == ScopeState.LEFT_SCOPE


def test_an_unknown_entity_is_refused_with_the_known_ones_named():
    with pytest.raises(ValueError, match="jobs, candidates, users"):
        scope_rule(connection=Connection(), entity="applications")
