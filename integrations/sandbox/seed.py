"""Deterministic generation of a tenant's records: the same seed and sizes give the same tenant.

Dates are offsets from the clock's time at seeding, so only they move between runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import catalog
from .records import HIDE_ADDRESSES, HIDE_EMAIL, HIDE_JOB_LOCATION, HIDE_PHONES, Job, Person, Workflow

FIRST_PERSON_ID = 1
FIRST_JOB_ID = 1001
FIRST_WORKFLOW_ID = 10001
_DAY = 86400
_YEAR = 365 * _DAY

# (folder, cumulative weight)
_USER_FOLDER_WEIGHTS = ((catalog.USER_FOLDERS[0], 0.6), (catalog.USER_FOLDERS[1], 0.75), (catalog.USER_FOLDERS[2], 1))
_CANDIDATE_FOLDER_WEIGHTS = (
    (catalog.CANDIDATE_FOLDERS[0], 0.4),
    (catalog.CANDIDATE_FOLDERS[1], 0.85),
    (catalog.CANDIDATE_FOLDERS[2], 1),
)
_JOB_FOLDER_WEIGHTS = (
    (catalog.JOB_FOLDERS[0], 0.45),
    (catalog.JOB_FOLDERS[1], 0.7),
    (catalog.JOB_FOLDERS[2], 0.75),
    (catalog.JOB_FOLDERS[3], 0.88),
    (catalog.JOB_FOLDERS[4], 0.95),
    (catalog.JOB_FOLDERS[5], 1),
)


@dataclass
class SeededRecords:
    people: dict[int, Person]
    jobs: dict[int, Job]
    workflows: dict[int, Workflow]
    user_ids: list[int]


def seed_records(*, candidates: int, users: int, jobs: int, workflows: int, seed: int, now: int) -> SeededRecords:
    if min(candidates, users, jobs, workflows) < 0:
        raise ValueError("Sizes cannot be negative.")
    if jobs and not users:
        raise ValueError("Jobs need at least one user to be their hiring manager and recruiter.")
    if workflows and not (candidates and jobs):
        raise ValueError("Workflows need at least one candidate and one job.")
    rng = random.Random(seed)  # noqa: S311 - test data, reproducible on purpose
    rand = rng.random
    people: dict[int, Person] = {}
    firsts, lasts, middles = catalog.FIRST_NAMES, catalog.LAST_NAMES, catalog.MIDDLE_NAMES
    for index in range(users + candidates):
        person_id = FIRST_PERSON_ID + index
        is_user = index < users
        created = now - int(rand() * _YEAR) - 3600
        updated = created + int(rand() * (now - 600 - created))
        hidden = (
            (HIDE_EMAIL if rand() < 0.05 else 0)
            | (HIDE_PHONES if rand() < 0.1 else 0)
            | (HIDE_ADDRESSES if rand() < 0.2 else 0)
        )
        people[person_id] = Person(
            id=person_id,
            firstname=firsts[int(rand() * len(firsts))],
            lastname=lasts[int(rand() * len(lasts))],
            middlename=middles[int(rand() * len(middles))] if rand() < 0.25 else None,
            folder=_pick(rand(), _USER_FOLDER_WEIGHTS if is_user else _CANDIDATE_FOLDER_WEIGHTS),
            created=created,
            updated=updated,
            hidden=0 if is_user else hidden,
            has_resume=not is_user and rand() < 0.5,
        )
    user_ids = list(range(FIRST_PERSON_ID, FIRST_PERSON_ID + users))
    hiring_team = [pid for pid in user_ids if people[pid].folder == catalog.USER_FOLDERS[0]] or user_ids

    job_records: dict[int, Job] = {}
    titles = catalog.JOB_TITLES
    for index in range(jobs):
        job_id = FIRST_JOB_ID + index
        created = now - int(rand() * _YEAR) - 3600
        job_records[job_id] = Job(
            id=job_id,
            jobtitle=titles[int(rand() * len(titles))],
            folder=_pick(rand(), _JOB_FOLDER_WEIGHTS),
            hiringmanager=hiring_team[int(rand() * len(hiring_team))],
            recruiter=hiring_team[int(rand() * len(hiring_team))],
            secondaryrecruiter=hiring_team[int(rand() * len(hiring_team))] if rand() < 0.3 else None,
            jobowner=hiring_team[int(rand() * len(hiring_team))],
            location=int(rand() * len(catalog.JOB_LOCATIONS)),
            created=created,
            updated=created + int(rand() * (now - 600 - created)),
            hidden=HIDE_JOB_LOCATION if rand() < 0.1 else 0,
        )

    workflow_records: dict[int, Workflow] = {}
    live_jobs = [job.id for job in job_records.values() if job.folder != catalog.JOB_FOLDER_DELETED]
    open_jobs = live_jobs or list(job_records)
    statuses, sources = catalog.STATUSES, catalog.SOURCES
    first_candidate = FIRST_PERSON_ID + users
    for index in range(workflows):
        workflow_id = FIRST_WORKFLOW_ID + index
        created = now - int(rand() * 90 * _DAY) - 3600
        workflow_records[workflow_id] = Workflow(
            id=workflow_id,
            job=open_jobs[int(rand() * len(open_jobs))],
            person=first_candidate + int(rand() * candidates),
            status=statuses[int(rand() * len(statuses))],
            source=int(rand() * len(sources)),
            created=created,
            updated=created + int(rand() * (now - 600 - created)),
        )
    return SeededRecords(people=people, jobs=job_records, workflows=workflow_records, user_ids=user_ids)


def _pick(roll: float, weighted: tuple) -> catalog.ListNode:
    for node, cumulative in weighted:
        if roll < cumulative:
            return node
    return weighted[-1][0]
