"""The field map: typed as lines, its shape checked by the save rules, its names checked by a live read."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from integrations.services.connection_field_map import (
    connection_field_map_check,
    connection_field_map_errors,
    connection_field_map_parse,
)
from integrations.services.connection_save import connection_rules_check

pytestmark = pytest.mark.django_db


def test_lines_become_a_map_with_comments_and_blank_lines_skipped():
    text = "job.coordinator = rcf3047\n\n# the tenant's sourcer\nJob.Sourcer=RCF3048\n"

    assert connection_field_map_parse(text) == {"job.coordinator": "rcf3047", "job.sourcer": "rcf3048"}


def test_a_line_without_equals_or_a_field_mapped_twice_is_named():
    with pytest.raises(ValidationError) as refused:
        connection_field_map_parse("job.coordinator rcf3047\njob.sourcer = a\njob.sourcer = b")

    assert refused.value.messages == [
        "line 1: write `portal field = iCIMS field`, e.g. `job.coordinator = rcf3047`.",
        "line 3: job.sourcer is mapped twice.",
    ]


@pytest.mark.parametrize(
    ("field_map", "error"),
    [
        ({"coordinator": "rcf3047"}, "a portal field is job.NAME or application.NAME"),
        ({"candidate.owner": "rcf1"}, "a portal field is job.NAME or application.NAME"),
        ({"job.coordinator": "rcf 3047"}, "is not an iCIMS field name"),
        ([["job.coordinator", "rcf3047"]], "Give portal field → iCIMS field pairs."),
    ],
)
def test_a_badly_shaped_map_is_refused_by_the_save_rules(ready_connection, field_map, error):
    assert error in " ".join(connection_field_map_errors(field_map))
    ready_connection.field_map = field_map
    with pytest.raises(ValidationError) as refused:
        connection_rules_check(connection=ready_connection)
    assert "field_map" in refused.value.message_dict


def test_the_live_read_accepts_the_tenants_fields_and_names_the_unknown_ones(sandbox, sandbox_connection):
    sandbox_connection.field_map = {
        "job.coordinator": "rcf3047",
        "job.sourcer": "rcf9999",
        "application.channel": "sourcename",
        "application.referrer": "field1",
    }

    check = connection_field_map_check(connection=sandbox_connection)

    assert check.unknown == {"job.sourcer": "rcf9999", "application.referrer": "field1"}
    assert check.notes == []


def test_an_unreachable_icims_leaves_the_map_unchecked_and_says_so(sandbox, sandbox_connection):
    sandbox_connection.field_map = {"job.coordinator": "rcf3047"}
    sandbox.faults.inject("error", count=1, path=r"/search/jobs$")

    check = connection_field_map_check(connection=sandbox_connection)

    assert check.ok
    assert check.notes and check.notes[0].startswith("the job fields could not be checked")
