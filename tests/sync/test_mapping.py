from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.mapping import JOB_FIELDS, PERSON_FIELDS, datetime_value, job_values, person_values


def test_a_candidate_profile_maps_to_every_mirrored_field(icims_profile):
    values = person_values(icims_profile("sync-person-candidate.json"))

    assert values == {
        "firstname": "Jane",
        "middlename": "Q",
        "lastname": "Doe",
        "email": "jane@example.com",
        "folder": "Cand:Active",
        "folder_id": "C32101",
        "phones": [
            {"type": "Pager", "number": "302-555-5555", "extension": "5"},
            {"type": "Mobile", "number": "302-555-0100", "extension": ""},
        ],
        "location": "New York, NY, US",
        "has_resume": True,
        "resume_url": "https://api.icims.com/customers/2187/people/8986/fields/resume/binary",
        "updateddate": datetime(2024, 5, 1, 13, 30, tzinfo=UTC),
    }


def test_a_user_without_state_or_resume_maps_to_city_and_country_and_no_resume(icims_profile):
    values = person_values(icims_profile("sync-person-user.json"))

    assert values["location"] == "London, GB"
    assert values["folder"] == "HM:Active"
    assert values["folder_id"] == "D32011"
    assert values["phones"] == [{"type": "Work", "number": "+44 20 7946 0000", "extension": ""}]
    assert (values["has_resume"], values["resume_url"]) == (False, "")
    assert values["updateddate"] == datetime(2023, 12, 31, 23, 59, tzinfo=UTC)


def test_fields_hidden_by_security_rules_map_to_blank_values(icims_profile):
    values = person_values(icims_profile("sync-person-hidden-fields.json"))

    assert values == {
        "firstname": "",
        "middlename": "",
        "lastname": "Nobody",
        "email": "",
        "folder": "",
        "folder_id": "",
        "phones": [],
        "location": "",
        "has_resume": False,
        "resume_url": "",
        "updateddate": None,
    }


def test_odd_shapes_are_logged_by_field_name_and_kept_blank_without_leaking_values(icims_profile, caplog):
    with caplog.at_level(logging.WARNING, logger="sync.mapping"):
        values = person_values(icims_profile("sync-person-odd-shapes.json"))

    assert values["firstname"] == ""  # an object where a string belongs
    assert values["lastname"] == "42"  # a number is still a usable text
    assert values["email"] == "first@example.com"
    assert (values["folder"], values["folder_id"]) == ("Cand:Active", "C32101")  # only formattedvalue
    assert values["phones"] == []
    assert values["location"] == "Paris, France"  # the first address that is an object
    assert values["has_resume"] is True
    assert values["updateddate"] is None
    logged = caplog.text
    assert "phones" in logged and "updateddate" in logged and "firstname" in logged
    assert "last tuesday" not in logged and "not a list" not in logged


def test_a_job_profile_maps_to_every_mirrored_field(icims_profile):
    values = job_values(icims_profile("sync-job.json"))

    assert values == {
        "jobid": "2014-1026",
        "jobtitle": "Senior Software Engineer",
        "folder": "Approved",
        "folder_id": "D31001",
        "updateddate": datetime(2015, 9, 30, 14, 7, tzinfo=UTC),
        "hiringmanager_icims_id": 564,
        "hiringmanager_name": "Harriet Manager",
        "recruiter_icims_id": 95,
        "recruiter_name": "Rita Recruiter",
        "secondaryrecruiter_icims_id": 96,
        "secondaryrecruiter_name": "Sam Second",
        "jobowner_icims_id": 97,
        "jobowner_name": "Olive Owner",
        "joblocation_icims_id": 5,
        "joblocation": "Chicago - 540 W. Madison Street",
    }


def test_a_job_with_hidden_fields_and_odd_references_keeps_what_it_can(icims_profile):
    values = job_values(icims_profile("sync-job-hidden-fields.json"))

    assert values["jobid"] == "" and values["folder"] == "" and values["updateddate"] is None
    assert (values["hiringmanager_icims_id"], values["hiringmanager_name"]) == (564, "Harriet Manager")
    assert (values["recruiter_icims_id"], values["recruiter_name"]) == (None, "")  # a bare string is no reference
    assert (values["secondaryrecruiter_icims_id"], values["secondaryrecruiter_name"]) == (None, "")
    assert (values["joblocation_icims_id"], values["joblocation"]) == (None, "Remote")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015-09-30 02:07 PM", datetime(2015, 9, 30, 14, 7, tzinfo=UTC)),
        ("2015-09-30 12:00 AM", datetime(2015, 9, 30, 0, 0, tzinfo=UTC)),
        ("2015-09-30 12:30 PM", datetime(2015, 9, 30, 12, 30, tzinfo=UTC)),
        ("2015-09-30 11:59 pm", datetime(2015, 9, 30, 23, 59, tzinfo=UTC)),
        ("2015-02-30 10:00 AM", None),
        ("2015-09-30 13:00 PM", None),
        ("2015-09-30 10:00 XM", None),
        ("2015-09-30", datetime(2015, 9, 30, tzinfo=UTC)),
        ("2015-09-30T14:07:00+02:00", datetime(2015, 9, 30, 12, 7, tzinfo=UTC)),
        ("", None),
        (None, None),
        ("30/09/2015", None),
        (1443621600, None),
    ],
)
def test_icims_datetimes_are_read_as_utc(text, expected):
    assert datetime_value(text, field="updateddate") == expected


def test_profile_gets_ask_only_for_the_fields_the_mirror_keeps():
    assert set(JOB_FIELDS) == {
        "jobid",
        "jobtitle",
        "folder",
        "hiringmanager",
        "recruiter",
        "secondaryrecruiter",
        "jobowner",
        "joblocation",
        "updateddate",
    }
    assert set(PERSON_FIELDS) == {
        "firstname",
        "lastname",
        "middlename",
        "email",
        "folder",
        "phones",
        "addresses",
        "resume",
        "updateddate",
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
profile_keys = st.sampled_from([*JOB_FIELDS, *PERSON_FIELDS, "links", "id", "value", "formattedvalue"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(profile_keys, json_values, max_size=10))
def test_no_profile_shape_makes_the_mapping_raise(profile):
    logging.getLogger("sync.mapping").disabled = True
    try:
        assert set(person_values(profile)) >= {"firstname", "folder", "updateddate"}
        assert set(job_values(profile)) >= {"jobid", "folder", "updateddate"}
    finally:
        logging.getLogger("sync.mapping").disabled = False
