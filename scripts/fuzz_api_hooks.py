"""Schemathesis hooks for scripts/fuzz_api.sh: the one rule of the API that a JSON Schema cannot state.

An interview's `end_time` must be after its `start_time` (the schema says so in words; anything else is
a 400). Schemathesis draws the two independently, so a schema-valid body it means to be accepted is
put in order here before it is sent: its end moved to an hour after its start. Bodies meant to be
refused (negative cases) are sent as drawn.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import schemathesis


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # the API reads no offset as UTC


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    body = case.body
    if not isinstance(body, dict) or case.meta is None or not case.meta.generation.mode.is_positive:
        return
    start, end = _moment(body.get("start_time")), _moment(body.get("end_time"))
    if start is None or end is None or end > start:
        return
    try:
        body["end_time"] = (start + timedelta(hours=1)).isoformat()
    except OverflowError:  # a start at the end of time: move the start back instead
        body["start_time"] = (end - timedelta(hours=1)).isoformat()
