"""The Search API as iCIMS runs it: filters and groups, ids ascending, 1000 per call, and two kinds of lag.

- Indexing delay: a record created or changed at t is found by its new values only from t + delay
  (about six minutes on iCIMS, per the integration guide); until then search sees the previous version,
  or nothing for a new record. Profile GETs see the change at once.
- Staleness: a result computed for the same body may be served again for up to `staleness` minutes.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

PAGE_SIZE = 1000
DEFAULT_STALENESS_MINUTES = 15
_OPERATORS = {"=", "==", "!==", "!=", "<", ">", "<=", ">="}
_ORDERING = {"<", ">", "<=", ">="}
_NEGATIVE = {"!=", "!=="}


class SearchError(ValueError):
    """A query iCIMS rejects as a whole; the message is iCIMS's."""


def _folder(record):
    return record.folder


def _status(record):
    return record.status


def _bin(record):
    return record.status.bin


def _email(record):
    from .records import HIDE_EMAIL

    return None if record.hidden & HIDE_EMAIL else record.email


# entity -> filter name -> (kind, getter). Only filters the iCIMS Search page documents (icims-api.md
# section 4): any other name is refused as iCIMS refuses it, so code relying on an undocumented one
# (e.g. `applicantworkflow.createddate`) fails here rather than at a real tenant.
FILTERS: dict[str, dict[str, tuple[str, Callable]]] = {
    "people": {
        "person.id": ("number", lambda r: r.id),
        "person.firstname": ("text", lambda r: r.firstname),
        "person.middlename": ("text", lambda r: r.middlename),
        "person.lastname": ("text", lambda r: r.lastname),
        "person.email": ("text", _email),
        "person.folder": ("list", _folder),
        "person.createddate": ("date", lambda r: r.created),
        "person.updateddate": ("date", lambda r: r.updated),
    },
    "jobs": {
        "job.id": ("number", lambda r: r.id),
        "job.jobtitle": ("text", lambda r: r.jobtitle),
        "job.folder": ("list", _folder),
        "job.createddate": ("date", lambda r: r.created),
        "job.updateddate": ("date", lambda r: r.updated),
    },
    "applicantworkflows": {
        "applicantworkflow.id": ("number", lambda r: r.id),
        "applicantworkflow.person.id": ("number", lambda r: r.person),
        "applicantworkflow.job.id": ("number", lambda r: r.job),
        "applicantworkflow.status": ("list", _status),
        "applicantworkflow.bin": ("list", _bin),
        "applicantworkflow.updateddate": ("date", lambda r: r.updated),
    },
}
ID_FILTER = {"people": "person.id", "jobs": "job.id", "applicantworkflows": "applicantworkflow.id"}


def snapshot(record):
    return dataclasses.replace(record, index_log=None)


def note_created(record, *, now: int) -> None:
    record.index_log = [(now, snapshot(record))]


def note_changed(record, *, now: int, change: Callable[[], None], delay: int) -> None:
    """Apply `change` to the record and remember what search keeps seeing until it is indexed."""
    if record.index_log is None:
        record.index_log = [(0, snapshot(record))]
    change()
    record.index_log.append((now, snapshot(record)))
    indexed = [index for index, (at, _) in enumerate(record.index_log) if at + delay <= now]
    if indexed:
        del record.index_log[: indexed[-1]]


def visible_version(record, *, now: int, delay: int):
    """The version of the record the search index holds at `now`, or None if it is not indexed yet."""
    if record.index_log is None:
        return record
    for at, version in reversed(record.index_log):
        if at + delay <= now:
            return version
    return None


def compile_query(entity: str, body: object) -> tuple[Callable, int]:
    """A predicate for the body, and the lowest id it can match (so id paging does not rescan)."""
    if not isinstance(body, dict):
        raise SearchError("At least one filter must be specified")
    if not body.get("filters") and not body.get("children"):
        raise SearchError("At least one filter must be specified")
    predicate = _compile_group(entity, body)
    lowest = 0
    if body.get("operator", "&") == "&":
        for item in body.get("filters") or []:
            if item.get("name") == ID_FILTER[entity] and item.get("operator") in (">", ">=") and item.get("value"):
                bound = int(item["value"][0]) + (1 if item["operator"] == ">" else 0)
                lowest = max(lowest, bound)
    return predicate, lowest


def run_query(*, entity: str, body: object, records: dict, ids: list[int], now: int, delay: int) -> list[int]:
    predicate, lowest = compile_query(entity, body)
    found: list[int] = []
    for record_id in ids[bisect.bisect_left(ids, lowest) :]:
        version = visible_version(records[record_id], now=now, delay=delay)
        if version is not None and predicate(version):
            found.append(record_id)
            if len(found) == PAGE_SIZE:
                break
    return found


class StalenessCache:
    """Results shared across callers, served again while younger than the caller's staleness."""

    def __init__(self, max_entries: int = 1000):
        self._entries: dict[tuple[str, str], tuple[int, list[int]]] = {}
        self._max_entries = max_entries

    def get(self, entity: str, body: object, *, now: int, staleness_minutes: int) -> list[int] | None:
        if staleness_minutes <= 0:
            return None
        entry = self._entries.get((entity, _canonical(body)))
        if entry is None or now - entry[0] > staleness_minutes * 60:
            return None
        return entry[1]

    def put(self, entity: str, body: object, *, now: int, ids: list[int]) -> None:
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[(entity, _canonical(body))] = (now, ids)

    def clear(self) -> None:
        self._entries.clear()


def _canonical(body: object) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False)


def _compile_group(entity: str, group: dict) -> Callable:
    if not isinstance(group, dict):
        raise SearchError("The following filter is either not valid or hidden: [children]")
    operator = group.get("operator", "&")
    if operator not in ("&", "|"):
        raise SearchError(f"The following filter is either not valid or hidden: [operator {operator}]")
    parts = [_compile_filter(entity, item) for item in group.get("filters") or []]
    parts += [_compile_group(entity, child) for child in group.get("children") or []]
    if operator == "&":
        return lambda record: all(part(record) for part in parts)
    return lambda record: any(part(record) for part in parts)


def _compile_filter(entity: str, item: object) -> Callable:
    name = item.get("name") if isinstance(item, dict) else None
    invalid = SearchError(f"The following filter is either not valid or hidden: [{name}]")
    if name not in FILTERS[entity]:
        raise invalid
    kind, getter = FILTERS[entity][name]
    operator = item.get("operator", "=")
    values = item.get("value") or []
    secondary = item.get("secondaryValue") or []
    if (
        not isinstance(operator, str)
        or operator not in _OPERATORS
        or not isinstance(values, list)
        or not isinstance(secondary, list)
    ):
        raise invalid
    if kind in ("list", "text") and operator in _ORDERING:
        raise invalid
    if kind == "date":
        return _date_filter(getter, operator, values, secondary)
    if kind == "number":
        try:
            numbers = [int(value) for value in values]
        except (TypeError, ValueError):
            raise invalid from None
        return _number_filter(getter, operator, numbers)
    wanted = [str(value).lower() for value in values]
    if kind == "list":
        positive = lambda record: _node_matches(getter(record), wanted)  # noqa: E731
    elif operator in ("==", "!=="):
        positive = lambda record: _text(getter(record)) in wanted  # noqa: E731
    else:
        positive = lambda record: any(value in _text(getter(record)) for value in wanted)  # noqa: E731
    if operator in _NEGATIVE:
        return lambda record: getter(record) is not None and not positive(record)
    return lambda record: getter(record) is not None and positive(record)


def _node_matches(node, wanted: Iterable[str]) -> bool:
    return node.id.lower() in wanted or node.value.lower() in wanted


def _text(value: str | None) -> str:
    return (value or "").lower()


def _number_filter(getter: Callable, operator: str, numbers: list[int]) -> Callable:
    if operator in _ORDERING:
        if not numbers:
            return lambda record: True
        bound = numbers[0]
        compare = {"<": int.__lt__, ">": int.__gt__, "<=": int.__le__, ">=": int.__ge__}[operator]
        return lambda record: compare(getter(record), bound)
    wanted = set(numbers)
    if operator in _NEGATIVE:
        return lambda record: getter(record) not in wanted
    return lambda record: getter(record) in wanted


def _date_filter(getter: Callable, operator: str, values: list, secondary: list) -> Callable:
    start = _parse_date(values[0], end_of_day=False) if values else None
    if operator in _ORDERING:
        if start is None:  # iCIMS ignores a badly formatted date: the filter matches everything
            return lambda record: True
        if operator in ("<=", ">"):
            start = _parse_date(values[0], end_of_day=True)
        compare = {"<": int.__lt__, ">": int.__gt__, "<=": int.__le__, ">=": int.__ge__}[operator]
        return lambda record: compare(_minute(getter(record)), start)
    end = _parse_date(secondary[0], end_of_day=True) if secondary else None
    low = start if start is not None else -(2**62)
    high = end if end is not None else 2**62

    def in_range(record) -> bool:
        return low <= _minute(getter(record)) <= high

    if operator in _NEGATIVE:
        return lambda record: not in_range(record)
    return in_range


def _minute(epoch_seconds: int) -> int:
    return epoch_seconds - epoch_seconds % 60


def _parse_date(value: object, *, end_of_day: bool) -> int | None:
    """`yyyy-MM-dd hh:mm a` or `yyyy-MM-dd`, UTC; a date alone means its first (or last) minute."""
    text = str(value).strip()
    for pattern, is_date_only in (("%Y-%m-%d %I:%M %p", False), ("%Y-%m-%d", True)):
        try:
            moment = int(datetime.strptime(text, pattern).replace(tzinfo=UTC).timestamp())
        except ValueError:
            continue
        return moment + (86400 - 60 if is_date_only and end_of_day else 0)
    return None
