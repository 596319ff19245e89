"""Profile GETs answer with the shapes of icims-api.md section 3."""

from __future__ import annotations

from integrations.sandbox.records import HIDE_EMAIL, HIDE_PHONES

from .conftest import CUSTOMER_URL


def test_a_person_profile_has_the_icims_shape(api, tenant):
    person = tenant.create_person(firstname="Zoë", lastname="Łukasz-王芳", middlename="José", email="zoe@example.com")
    body = api.get(f"{CUSTOMER_URL}/people/{person.id}").json()

    assert body["firstname"] == "Zoë"
    assert body["lastname"] == "Łukasz-王芳"
    assert body["middlename"] == "José"
    assert body["email"] == "zoe@example.com"
    assert body["folder"] == {"id": "D32006", "value": "Cand:Unreviewed", "formattedvalue": "Cand:Unreviewed"}
    assert body["updateddate"] == body["createddate"] == "2026-11-26 06:00 PM"
    phone = body["phones"][0]
    assert set(phone) == {"entry", "phonetype", "phonenumber", "phoneextension"}
    assert set(phone["phonetype"]) == {"id", "value", "formattedvalue"}
    address = body["addresses"][0]
    assert {
        "entry",
        "addresstype",
        "addressstreet1",
        "addresscity",
        "addresszip",
        "addressstate",
        "addresscountry",
    } <= set(address)
    assert set(address["addresscountry"]) == {"id", "value", "abbrev"}
    assert body["links"] == [
        {"rel": "self", "title": "The current profile being viewed.", "url": f"{CUSTOMER_URL}/people/{person.id}"}
    ]


def test_only_the_requested_fields_come_back_plus_links(api, tenant):
    body = api.get(f"{CUSTOMER_URL}/people/5?fields=firstname,folder").json()

    assert set(body) == {"firstname", "folder", "links"}


def test_fields_hidden_by_security_rules_are_simply_absent(api, tenant):
    person = tenant.create_person(firstname="Ana", lastname="Santos", hidden=HIDE_EMAIL | HIDE_PHONES)

    body = api.get(f"{CUSTOMER_URL}/people/{person.id}?fields=firstname,email,phones,addresses").json()

    assert set(body) == {"firstname", "addresses", "links"}


def test_seeded_people_include_hidden_fields_and_non_ascii_names(tenant):
    candidates = [person for person in tenant.people.values() if not person.is_user]

    assert any(person.hidden & HIDE_EMAIL for person in candidates)
    assert any(not person.firstname.isascii() or not person.lastname.isascii() for person in candidates)


def test_a_job_profile_references_its_hiring_team_as_people(api, tenant):
    body = api.get(f"{CUSTOMER_URL}/jobs/1001").json()
    job = tenant.jobs[1001]

    assert body["jobtitle"] == job.jobtitle
    assert body["jobid"].endswith("-1001")
    manager = tenant.people[job.hiringmanager]
    assert body["hiringmanager"] == {
        "id": manager.id,
        "value": manager.full_name,
        "profile": f"{CUSTOMER_URL}/people/{manager.id}",
    }
    assert manager.folder.value in ("HM:Active", "HM:Inactive", "Emp:Current Employee")
    assert set(body["folder"]) == {"id", "value", "formattedvalue"}
    assert {"recruiter", "jobowner", "updateddate", "links"} <= set(body)


def test_a_deleted_job_is_still_served_in_the_deleted_folder(api, tenant):
    tenant.delete_job(1002)

    body = api.get(f"{CUSTOMER_URL}/jobs/1002?fields=folder").json()

    assert body["folder"]["value"] == "Deleted"


def test_a_workflow_profile_links_its_job_and_person(api, tenant):
    workflow = tenant.workflows[10001]

    body = api.get(f"{CUSTOMER_URL}/applicantworkflows/10001").json()

    assert body["baseprofile"]["id"] == workflow.job
    assert body["associatedprofile"]["id"] == workflow.person
    assert body["status"]["id"] == workflow.status.id
    assert body["status"]["id"][0] in "CD"
    assert [link["title"] for link in body["links"]] == [
        "The current profile being viewed.",
        "The base profile of this workflow.",
        "The associated profile of this workflow.",
    ]
    assert {"source", "sourcename", "updateddate"} <= set(body)


def test_an_unknown_profile_is_a_404_in_the_icims_error_format(api):
    response = api.get(f"{CUSTOMER_URL}/jobs/999999")

    assert response.status_code == 404
    assert response.json() == {"errors": [{"errorMessage": "Job not found.", "errorCode": 2}]}
    assert response.headers["X-Error"] == "2:Job not found."


def test_another_customers_data_is_a_404_access_denied(api):
    response = api.get("https://sandbox.icims.test/customers/2187/people/5")

    assert response.status_code == 404
    assert response.json()["errors"][0]["errorCode"] == 3


def test_a_resume_is_a_pdf_when_the_person_has_one_and_json_when_not(api, tenant):
    with_resume = tenant.create_person(firstname="Søren", lastname="Nørgaard", has_resume=True)
    without = tenant.create_person(firstname="Liam", lastname="Jones")

    pdf = api.get(f"{CUSTOMER_URL}/people/{with_resume.id}/fields/resume/binary")
    none = api.get(f"{CUSTOMER_URL}/people/{without.id}/fields/resume/binary")

    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert none.headers["Content-Type"] == "application/json"  # exactly, as G1 relies on


def test_the_customer_health_check_answers(api):
    assert api.get(CUSTOMER_URL).status_code == 200
