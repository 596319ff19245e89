"""Seeding: deterministic, sized as asked, with candidates, users and jobs in their folders."""

from __future__ import annotations

import pytest

from integrations.sandbox import SandboxTenant
from integrations.sandbox.catalog import CANDIDATE_FOLDERS, STATUSES, USER_FOLDERS
from integrations.sandbox.clock import SandboxClock

from .conftest import START


def _seed(**sizes):
    return SandboxTenant.seeded(clock=SandboxClock(START), **sizes)


def test_the_same_seed_gives_the_same_tenant():
    first = _seed(candidates=200, users=10, jobs=20, workflows=100, seed=5)
    again = _seed(candidates=200, users=10, jobs=20, workflows=100, seed=5)
    other = _seed(candidates=200, users=10, jobs=20, workflows=100, seed=6)

    assert list(first.people.values()) == list(again.people.values())
    assert list(first.workflows.values()) == list(again.workflows.values())
    assert list(first.people.values()) != list(other.people.values())


def test_sizes_are_what_was_asked_and_people_sit_in_candidate_and_user_folders():
    tenant = _seed(candidates=1000, users=100, jobs=50, workflows=500, seed=1)

    users = [p for p in tenant.people.values() if p.folder in USER_FOLDERS]
    candidates = [p for p in tenant.people.values() if p.folder in CANDIDATE_FOLDERS]
    assert (len(candidates), len(users), len(tenant.jobs), len(tenant.workflows)) == (1000, 100, 50, 500)
    assert {p.folder.value for p in candidates} == {"Cand:Active", "Cand:Unreviewed", "Cand:Inactive"}
    assert {p.folder.value for p in users} == {"HM:Active", "HM:Inactive", "Emp:Current Employee"}
    assert "Deleted" in {job.folder.value for job in tenant.jobs.values()}
    assert len({w.status.bin.value for w in tenant.workflows.values()}) > 5
    assert all(w.person in tenant.people and w.job in tenant.jobs for w in tenant.workflows.values())


def test_a_big_seed_works():
    tenant = _seed(candidates=20000, users=500, jobs=2000, workflows=20000, seed=9)

    assert len(tenant.people) == 20500
    assert len(tenant.search("people", {"filters": [{"name": "person.id", "value": ["0"], "operator": ">"}]})) == 1000


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ({"candidates": -1, "users": 1, "jobs": 0, "workflows": 0}, "negative"),
        ({"candidates": 5, "users": 0, "jobs": 3, "workflows": 0}, "at least one user"),
        ({"candidates": 0, "users": 2, "jobs": 3, "workflows": 4}, "at least one candidate"),
    ],
)
def test_impossible_sizes_are_refused_clearly(sizes, message):
    with pytest.raises(ValueError, match=message):
        _seed(**sizes)


def test_the_bins_and_statuses_export_lists_every_status_once():
    rows = SandboxTenant.bins_and_statuses_csv().splitlines()

    assert rows[0] == "Bin,Status,Status ID"
    assert len(rows) == len(STATUSES) + 1
    assert len({row.rsplit(",", 1)[1] for row in rows[1:]}) == len(STATUSES)
    assert "Offer,Offer - Accepted,C38356" in rows
