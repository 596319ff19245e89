"""The hiring team lookup with iCIMS answers the sandbox does not give: the mapped coordinator and
sourcer fields present, or refused outright."""

from __future__ import annotations

import pytest
from responses import matchers

from integrations.services.live_lookups import DOCUMENTED_TEAM_FIELDS, job_hiring_team_lookup
from tests.fixtures.icims import icims_fixture
from tests.integrations.icims.support import CUSTOMER_URL

pytestmark = pytest.mark.django_db
JOB_URL = f"{CUSTOMER_URL}/jobs/1026"
MAPPED = [*DOCUMENTED_TEAM_FIELDS, "rcf3047", "rcf3048", "field23848"]


@pytest.fixture
def mapped(connection):
    connection.field_map = {"job.coordinator": "rcf3047", "job.sourcer": "rcf3048", "job.cost_centre": "field23848"}
    connection.save()
    return connection


def fields(names):
    return matchers.query_param_matcher({"fields": ",".join(["jobtitle", *names])})


def test_the_mapped_coordinator_sourcer_and_custom_fields_are_passed_on(icims, token_endpoint, mapped):
    job = {
        **icims_fixture("job"),
        "rcf3047": {"id": 77, "value": "Cora Coordinator", "profile": f"{CUSTOMER_URL}/people/77"},
        "rcf3048": [{"id": 78, "value": "Sam Sourcer", "profile": f"{CUSTOMER_URL}/people/78"}],
        "field23848": "CC-104",
    }
    icims.get(JOB_URL, json=job, match=[fields(MAPPED)])
    lookup = job_hiring_team_lookup(connection=mapped, job_id=1026)
    team = lookup["team"]
    assert team["coordinator"] == {"person_id": 77, "name": "Cora Coordinator", "email": None}
    assert team["sourcer"] == {"person_id": 78, "name": "Sam Sourcer", "email": None}
    assert team["hiring_manager"]["name"] == "Hannah Manager"
    assert (lookup["assumed_roles"], lookup["custom_fields"]) == ([], {"cost_centre": "CC-104"})


def test_without_a_field_map_coordinator_and_sourcer_are_null_and_not_guessed(icims, token_endpoint, connection):
    icims.get(JOB_URL, json=icims_fixture("job"), match=[fields(DOCUMENTED_TEAM_FIELDS)])

    lookup = job_hiring_team_lookup(connection=connection, job_id=1026)

    assert (lookup["team"]["coordinator"], lookup["team"]["sourcer"]) == (None, None)
    assert lookup["assumed_roles"] == ["coordinator", "sourcer"]


def test_a_tenant_refusing_the_mapped_fields_still_gets_its_documented_team(icims, token_endpoint, mapped):
    icims.get(
        JOB_URL,
        status=400,
        match=[fields(MAPPED)],
        json={"errors": [{"errorMessage": "The field coordinator is not valid.", "errorCode": 4}]},
    )
    icims.get(JOB_URL, json=icims_fixture("job"), match=[fields(DOCUMENTED_TEAM_FIELDS)])
    lookup = job_hiring_team_lookup(connection=mapped, job_id=1026)
    assert lookup["team"]["recruiter"] == {"person_id": 95, "name": "Rita Recruiter", "email": None}
    assert lookup["team"]["coordinator"] is None
