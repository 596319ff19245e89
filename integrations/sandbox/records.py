"""The tenant's records, stored compactly, and how each renders as iCIMS profile JSON.

A record keeps only what varies (indexes into the catalog, a few ints); phones, addresses and
e-mail addresses are derived from the id when a profile is rendered, so 100,000 people cost a few
megabytes. Times are epoch seconds of the sandbox clock.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import catalog

# Bits of `hidden`: fields a security rule hides from the integration user, so iCIMS omits them.
HIDE_EMAIL = 1
HIDE_PHONES = 2
HIDE_ADDRESSES = 4
HIDE_JOB_LOCATION = 8

PERSON_FIELDS = (
    "firstname",
    "lastname",
    "middlename",
    "email",
    "folder",
    "phones",
    "addresses",
    "createddate",
    "updateddate",
)
JOB_FIELDS = (
    "jobid",
    "jobtitle",
    "folder",
    "hiringmanager",
    "recruiter",
    "secondaryrecruiter",
    "jobowner",
    "joblocation",
    "createddate",
    "updateddate",
    *catalog.JOB_CUSTOM_FIELDS,
)
WORKFLOW_FIELDS = (
    "baseprofile",
    "associatedprofile",
    "status",
    "bin",
    "source",
    "sourcename",
    "sourceperson",
    "createddate",
    "updateddate",
)


def icims_datetime(epoch_seconds: int) -> str:
    """iCIMS DATETIME: UTC, minute resolution, `yyyy-mm-dd hh:mm a` (e.g. `2015-09-30 02:07 PM`)."""
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%d %I:%M %p")


@dataclass(slots=True)
class Person:
    id: int
    firstname: str
    lastname: str
    middlename: str | None
    folder: catalog.ListNode
    created: int
    updated: int
    hidden: int = 0
    has_resume: bool = False
    email_address: str | None = None  # None: derived from the name and id
    # Search sees a record as it was indexed; see search.visible_version.
    index_log: list | None = field(default=None, repr=False)

    @property
    def full_name(self) -> str:
        return f"{self.firstname} {self.lastname}"

    @property
    def email(self) -> str:
        if self.email_address is not None:
            return self.email_address
        local = f"{_ascii(self.firstname)}.{_ascii(self.lastname)}"
        return f"{local}.{self.id}@example.com"

    @property
    def is_user(self) -> bool:
        return self.folder in catalog.USER_FOLDERS

    def values(self, api: Links) -> dict:
        values: dict = {
            "firstname": self.firstname,
            "lastname": self.lastname,
            "folder": self.folder.as_json(),
            "createddate": icims_datetime(self.created),
            "updateddate": icims_datetime(self.updated),
        }
        if self.middlename:
            values["middlename"] = self.middlename
        if not self.hidden & HIDE_EMAIL:
            values["email"] = self.email
        if not self.hidden & HIDE_PHONES:
            phone_type = catalog.PHONE_TYPES[self.id % len(catalog.PHONE_TYPES)]
            values["phones"] = [
                {
                    "entry": 5000 + self.id,
                    "phonetype": phone_type.as_json(),
                    "phonenumber": f"{200 + self.id % 800:03d}-555-{self.id % 10000:04d}",
                    "phoneextension": "",
                }
            ]
        if not self.hidden & HIDE_ADDRESSES:
            values["addresses"] = [_address(self.id)]
        return values

    def links(self, api: Links) -> list[dict]:
        return [api.link("The current profile being viewed.", "people", self.id)]


@dataclass(slots=True)
class Job:
    id: int
    jobtitle: str
    folder: catalog.ListNode
    hiringmanager: int
    recruiter: int
    secondaryrecruiter: int | None
    jobowner: int
    location: int
    created: int
    updated: int
    hidden: int = 0
    index_log: list | None = field(default=None, repr=False)

    @property
    def jobid(self) -> str:
        return f"{datetime.fromtimestamp(self.created, UTC).year}-{self.id}"

    def values(self, api: Links) -> dict:
        values: dict = {
            "jobid": self.jobid,
            "jobtitle": self.jobtitle,
            "folder": self.folder.as_json(),
            "hiringmanager": api.person_ref(self.hiringmanager),
            "recruiter": api.person_ref(self.recruiter),
            "jobowner": api.person_ref(self.jobowner),
            "createddate": icims_datetime(self.created),
            "updateddate": icims_datetime(self.updated),
        }
        if self.secondaryrecruiter is not None:
            values["secondaryrecruiter"] = api.person_ref(self.secondaryrecruiter)
        # The tenant's own fields (names like real tenants', values made up): coordinator, sourcer, cost centre.
        values["rcf3047"] = api.person_ref(self.recruiter)
        values["rcf3048"] = api.person_ref(self.jobowner)
        values["field23848"] = f"CC-{100 + self.id % 7}"
        if not self.hidden & HIDE_JOB_LOCATION:
            location_id, company_id, description = catalog.JOB_LOCATIONS[self.location]
            values["joblocation"] = {
                "id": location_id,
                "companyid": company_id,
                "value": description,
                "address": api.url("companies", company_id, "fields", "addresses", location_id),
            }
        return values

    def links(self, api: Links) -> list[dict]:
        return [api.link("The current profile being viewed.", "jobs", self.id)]


@dataclass(slots=True)
class Workflow:
    id: int
    job: int
    person: int
    status: catalog.Status
    source: int
    created: int
    updated: int
    sourceperson: int | None = None
    index_log: list | None = field(default=None, repr=False)

    def values(self, api: Links) -> dict:
        source, sourcename = catalog.SOURCES[self.source]
        values: dict = {
            "baseprofile": api.job_ref(self.job),
            "associatedprofile": api.person_ref(self.person),
            "status": self.status.as_json(),
            "bin": self.status.bin.as_json(),
            "source": source,
            "sourcename": sourcename,
            "createddate": icims_datetime(self.created),
            "updateddate": icims_datetime(self.updated),
        }
        if self.sourceperson is not None:
            values["sourceperson"] = api.person_ref(self.sourceperson)
        return values

    def links(self, api: Links) -> list[dict]:
        return [
            api.link("The current profile being viewed.", "applicantworkflows", self.id),
            api.link("The base profile of this workflow.", "jobs", self.job),
            api.link("The associated profile of this workflow.", "people", self.person),
        ]


class Links:
    """Builds the URLs and profile references a response carries, for one base URL and customer."""

    def __init__(self, *, base_url: str, customer_id: str, people: dict, jobs: dict):
        self.customer_url = f"{base_url.rstrip('/')}/customers/{customer_id}"
        self._people = people
        self._jobs = jobs

    def url(self, *parts: object) -> str:
        return "/".join([self.customer_url, *(str(part) for part in parts)])

    def link(self, title: str, *parts: object) -> dict:
        return {"rel": "self", "title": title, "url": self.url(*parts)}

    def person_ref(self, person_id: int) -> dict:
        person = self._people.get(person_id)
        return {"id": person_id, "value": person.full_name if person else "", "profile": self.url("people", person_id)}

    def job_ref(self, job_id: int) -> dict:
        job = self._jobs.get(job_id)
        return {"id": job_id, "value": job.jobtitle if job else "", "profile": self.url("jobs", job_id)}


def render_profile(record: Person | Job | Workflow, *, fields: list[str] | None, api: Links) -> dict:
    """The profile JSON: the requested fields that have a value and are not hidden, plus `links`."""
    values = record.values(api)
    if fields is not None:
        values = {name: values[name] for name in fields if name in values}
    values["links"] = record.links(api)
    return values


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(char for char in folded.lower() if char.isalnum())


def _address(person_id: int) -> dict:
    city, zip_code, state_id, state, state_abbrev, country_id, country, country_abbrev = catalog.PLACES[
        person_id % len(catalog.PLACES)
    ]
    return {
        "entry": 4000 + person_id,
        "addresstype": catalog.ADDRESS_TYPES[0].as_json(),
        "addressstreet1": catalog.STREETS[person_id % len(catalog.PLACES)],
        "addresscity": city,
        "addresszip": zip_code,
        "addressstate": {"id": state_id, "value": state, "abbrev": state_abbrev},
        "addresscountry": {"id": country_id, "value": country, "abbrev": country_abbrev},
    }
