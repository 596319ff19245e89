"""The hiring team lookup with iCIMS answers the sandbox does not give: the assumed coordinator and
sourcer fields present, or refused outright."""

from __future__ import annotations

import pytest
from responses import matchers

from integrations.services.live_lookups import DOCUMENTED_TEAM_FIELDS, TEAM_FIELDS, job_hiring_team_lookup
from tests.fixtures.icims import icims_fixture
from tests.integrations.icims.support import CUSTOMER_URL

pytestmark = pytest.mark.django_db
JOB_URL = f"{CUSTOMER_URL}/jobs/1026"


def fields(names):
    return matchers.query_param_matcher({"fields": ",".join(["jobtitle", *names])})


def test_a_coordinator_and_sourcer_iCIMS_returns_are_passed_on(icims, token_endpoint, connection):
    job = {
        **icims_fixture("job"),
        "coordinator": {"id": 77, "value": "Cora Coordinator", "profile": f"{CUSTOMER_URL}/people/77"},
        "sourcer": [{"id": 78, "value": "Sam Sourcer", "profile": f"{CUSTOMER_URL}/people/78"}],
    }
    icims.get(JOB_URL, json=job, match=[fields(TEAM_FIELDS)])
    team = job_hiring_team_lookup(connection=connection, job_id=1026)["team"]
    assert team["coordinator"] == {"person_id": 77, "name": "Cora Coordinator", "email": None}
    assert team["sourcer"] == {"person_id": 78, "name": "Sam Sourcer", "email": None}
    assert team["hiring_manager"]["name"] == "Hannah Manager"


def test_a_tenant_refusing_the_assumed_fields_still_gets_its_documented_team(icims, token_endpoint, connection):
    icims.get(
        JOB_URL,
        status=400,
        match=[fields(TEAM_FIELDS)],
        json={"errors": [{"errorMessage": "The field coordinator is not valid.", "errorCode": 4}]},
    )
    icims.get(JOB_URL, json=icims_fixture("job"), match=[fields(DOCUMENTED_TEAM_FIELDS)])
    lookup = job_hiring_team_lookup(connection=connection, job_id=1026)
    assert lookup["team"]["recruiter"] == {"person_id": 95, "name": "Rita Recruiter", "email": None}
    assert lookup["team"]["coordinator"] is None
