from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "icims"


@pytest.fixture
def icims_profile():
    """A recorded-shape iCIMS profile from tests/fixtures/icims/, fresh for each call."""

    def load(name: str) -> dict:
        return json.loads((FIXTURES / name).read_text())

    return load


class FakeTime:
    """Time for the sync's waits: sleeping moves the clock instead of waiting, so pauses pass at once."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.slept: list[float] = []
        self.on_sleep = None

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def run_sync(sandbox, sandbox_connection, fake_time):
    """Run one sync of the sandbox connection now, on the sandbox's clock, with waits that do not wait."""
    from sync.engine import sync_entity_run

    def run(entity: str, **options):
        options.setdefault("now", sandbox.clock.now)
        options.setdefault("fetch_concurrency", 1)  # the engine's threads are tested on their own
        return sync_entity_run(
            connection=sandbox_connection, entity=entity, sleep=fake_time.sleep, clock=fake_time.clock, **options
        )

    return run


@pytest.fixture
def in_scope(sandbox, sandbox_connection):
    """The ids the mirror should hold in scope, read from the sandbox's own state."""
    from sync.models import Entity

    def ids(entity: str) -> set[int]:
        if entity == Entity.JOBS:
            return {job_id for job_id, job in sandbox.jobs.items() if job.folder.value != "Deleted"}
        sandbox_connection.refresh_from_db()
        folders = set(
            sandbox_connection.candidate_folders if entity == Entity.CANDIDATES else sandbox_connection.user_folders
        )
        return {person_id for person_id, person in sandbox.people.items() if person.folder.value in folders}

    return ids


@pytest.fixture
def mirrored():
    """The ids the mirror holds in scope for the sandbox connection."""
    from sync.entities import entity_spec
    from sync.models import ScopeState

    def ids(entity: str) -> set[int]:
        return set(
            entity_spec(entity).model.objects.filter(scope_state=ScopeState.IN_SCOPE).values_list("icims_id", flat=True)
        )

    return ids
