"""From an iCIMS profile JSON (icims-api.md 3.2) to the values a mirror row keeps.

Pure functions, no database. iCIMS leaves out fields that are empty or hidden by the customer's
security rules, and shapes vary between tenants, so every reader here is defensive: a missing field
becomes blank or None, an unexpected shape is logged (field name and type, never the value: these are
people's personal data) and becomes blank, and nothing raises.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger(__name__)

# The `fields=` each profile GET asks for: only what the mirror keeps (fewer fields, smaller answers).
JOB_FIELDS = (
    "jobid",
    "jobtitle",
    "folder",
    "hiringmanager",
    "recruiter",
    "secondaryrecruiter",
    "jobowner",
    "joblocation",
    "updateddate",
)
# `addresses` feeds the location; `resume` only tells whether there is one.
PERSON_FIELDS = (
    "firstname",
    "lastname",
    "middlename",
    "email",
    "folder",
    "phones",
    "addresses",
    "resume",
    "updateddate",
)

ICIMS_DATETIME_FORMAT = "%Y-%m-%d %I:%M %p"  # "2015-09-30 02:07 PM", always UTC
_OTHER_DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def _clean(text: str) -> str:
    # PostgreSQL text cannot hold NUL: one such character would make every write of the record fail.
    return text.replace("\x00", "").strip() if "\x00" in text else text.strip()


def _unexpected(field: str, value: Any) -> None:
    logger.warning("iCIMS field %s has an unexpected shape (%s); kept blank", field, type(value).__name__)


def text_value(value: Any, *, field: str) -> str:
    """A string field; list-shaped values give their display value."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, bool):
        _unexpected(field, value)
        return ""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict) and (display := list_value(value, field=field)[0]):
        return display
    _unexpected(field, value)
    return ""


def list_value(value: Any, *, field: str) -> tuple[str, str]:
    """(display value, node id) of a list field such as `{"id":"D32006","value":"Cand:Unreviewed",
    "formattedvalue":"Cand:Unreviewed"}`. `formattedvalue` is sometimes missing, sometimes the only key."""
    if value is None:
        return "", ""
    if isinstance(value, str):
        return _clean(value), ""
    if not isinstance(value, dict):
        _unexpected(field, value)
        return "", ""
    display = value.get("value")
    if not isinstance(display, str) or not display.strip():
        display = value.get("formattedvalue")
    node_id = value.get("id")
    return (
        _clean(display) if isinstance(display, str) else "",
        _clean(str(node_id)) if isinstance(node_id, str | int) and not isinstance(node_id, bool) else "",
    )


def icims_id_value(value: Any, *, field: str) -> int | None:
    """An iCIMS system id: an integer in profiles, a string in webhooks."""
    if isinstance(value, bool):
        _unexpected(field, value)
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    if value is not None:
        _unexpected(field, value)
    return None


def reference_value(value: Any, *, field: str) -> tuple[int | None, str]:
    """(iCIMS id, name) of a reference such as `{"id":564,"value":"<full name>","profile":".../people/564"}`."""
    if value is None:
        return None, ""
    if not isinstance(value, dict):
        _unexpected(field, value)
        return None, ""
    name = value.get("value")
    if not isinstance(name, str):
        name = value.get("formattedvalue")
    return icims_id_value(value.get("id"), field=field), _clean(name) if isinstance(name, str) else ""


def _icims_datetime_fast(value: str) -> datetime | None:
    """`yyyy-mm-dd hh:mm AM|PM` without strptime, which is most of the cost of mapping a profile."""
    if len(value) != 19 or value[4] != "-" or value[7] != "-" or value[10] != " " or value[13] != ":":
        return None
    meridiem = value[17:].upper()
    digits = (value[0:4], value[5:7], value[8:10], value[11:13], value[14:16])
    if value[16] != " " or meridiem not in ("AM", "PM") or not all(part.isdecimal() for part in digits):
        return None
    year, month, day, hour, minute = map(int, digits)
    if not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if meridiem == "PM" else 0)
    try:
        return datetime(year, month, day, hour, minute, tzinfo=UTC)
    except ValueError:
        return None


def datetime_value(value: Any, *, field: str) -> datetime | None:
    """An iCIMS DATETIME (`yyyy-mm-dd hh:mm a`, UTC) as an aware datetime."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        _unexpected(field, value)
        return None
    value = value.strip()
    if parsed := _icims_datetime_fast(value):
        return parsed
    for date_format in (ICIMS_DATETIME_FORMAT, *_OTHER_DATETIME_FORMATS):
        try:
            return datetime.strptime(value, date_format).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        _unexpected(field, value)
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def phones_value(value: Any, *, field: str = "phones") -> list[dict[str, str]]:
    """Every phone as `{"type", "number", "extension"}`; entries without a number are dropped."""
    if value is None:
        return []
    if not isinstance(value, list):
        _unexpected(field, value)
        return []
    phones = []
    for entry in value:
        if not isinstance(entry, dict):
            _unexpected(field, entry)
            continue
        number = text_value(entry.get("phonenumber"), field=field)
        if number:
            phones.append(
                {
                    "type": list_value(entry.get("phonetype"), field=field)[0],
                    "number": number,
                    "extension": text_value(entry.get("phoneextension"), field=field),
                }
            )
    return phones


def _address_part(value: Any, *, field: str) -> str:
    # State and country carry an abbreviation ("NY", "US") that reads better in a location line.
    if isinstance(value, dict):
        abbrev = value.get("abbrev")
        if isinstance(abbrev, str) and abbrev.strip():
            return _clean(abbrev)
    return text_value(value, field=field)


def location_value(value: Any, *, field: str = "addresses") -> str:
    """ "City, ST, CC" of the first address."""
    if value is None:
        return ""
    if not isinstance(value, list):
        _unexpected(field, value)
        return ""
    first = next((entry for entry in value if isinstance(entry, dict)), None)
    if first is None:
        return ""
    parts = (
        text_value(first.get("addresscity"), field=field),
        _address_part(first.get("addressstate"), field=field),
        _address_part(first.get("addresscountry"), field=field),
    )
    return ", ".join(part for part in parts if part)


def self_link(profile: dict) -> str:
    """The profile's own URL, from `links` (the entry titled as the current profile, else the first self)."""
    links = profile.get("links")
    if not isinstance(links, list):
        return ""
    selves = [link for link in links if isinstance(link, dict) and link.get("rel") == "self"]
    for link in selves:
        if link.get("title") == "The current profile being viewed." and isinstance(link.get("url"), str):
            return link["url"]
    return next((link["url"] for link in selves if isinstance(link.get("url"), str)), "")


def resume_value(value: Any, *, profile: dict, field: str = "resume") -> tuple[bool, str]:
    """(has resume, URL to fetch it from, live). iCIMS's resume shape is not documented: a URL in the value
    is used when there is one, else the documented binary endpoint under the profile's own URL."""
    if value is None or value == "" or value == [] or value == {}:
        return False, ""
    url = ""
    if isinstance(value, str) and value.startswith("http"):
        url = _clean(value)
    elif isinstance(value, dict):
        url = next(
            (
                _clean(value[key])
                for key in ("url", "href", "binary", "profile")
                if isinstance(value.get(key), str) and value[key].startswith("http")
            ),
            "",
        )
    if not url and (profile_url := self_link(profile)):
        url = _clean(profile_url).rstrip("/") + "/fields/resume/binary"
    return True, url


def job_values(profile: dict) -> dict[str, Any]:
    """The Job row's iCIMS values from a `GET /jobs/{id}?fields=JOB_FIELDS` answer."""
    if not isinstance(profile, dict):
        _unexpected("job", profile)
        profile = {}
    folder, folder_id = list_value(profile.get("folder"), field="folder")
    values: dict[str, Any] = {
        "jobid": text_value(profile.get("jobid"), field="jobid"),
        "jobtitle": text_value(profile.get("jobtitle"), field="jobtitle"),
        "folder": folder,
        "folder_id": folder_id,
        "updateddate": datetime_value(profile.get("updateddate"), field="updateddate"),
    }
    for role in ("hiringmanager", "recruiter", "secondaryrecruiter", "jobowner"):
        values[f"{role}_icims_id"], values[f"{role}_name"] = reference_value(profile.get(role), field=role)
    location = profile.get("joblocation")
    if isinstance(location, dict):
        values["joblocation_icims_id"] = icims_id_value(location.get("id"), field="joblocation")
        values["joblocation"] = text_value(location.get("value") or location.get("formattedvalue"), field="joblocation")
    else:
        values["joblocation_icims_id"] = None
        values["joblocation"] = text_value(location, field="joblocation")
    return values


def person_values(profile: dict) -> dict[str, Any]:
    """A Candidate or IcimsUser row's iCIMS values from a `GET /people/{id}?fields=PERSON_FIELDS` answer."""
    if not isinstance(profile, dict):
        _unexpected("person", profile)
        profile = {}
    folder, folder_id = list_value(profile.get("folder"), field="folder")
    email = profile.get("email")
    if isinstance(email, list):  # one primary email is documented; take the first if a tenant sends several
        email = next((item for item in email if isinstance(item, str)), None)
    has_resume, resume_url = resume_value(profile.get("resume"), profile=profile)
    return {
        "firstname": text_value(profile.get("firstname"), field="firstname"),
        "middlename": text_value(profile.get("middlename"), field="middlename"),
        "lastname": text_value(profile.get("lastname"), field="lastname"),
        "email": text_value(email, field="email"),
        "folder": folder,
        "folder_id": folder_id,
        "phones": phones_value(profile.get("phones")),
        "location": location_value(profile.get("addresses")),
        "has_resume": has_resume,
        "resume_url": resume_url,
        "updateddate": datetime_value(profile.get("updateddate"), field="updateddate"),
    }
