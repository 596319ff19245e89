"""Reading a body: limits hold on the bytes sent and on what they decompress to."""

from __future__ import annotations

import gzip
import io

import pytest

from integrations.webhooks.rejections import WebhookRejected
from integrations.webhooks.request_body import body_decompress, body_read, event_parse


def test_a_declared_length_over_the_limit_is_refused_before_reading():
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("read a body it should have refused")

    with pytest.raises(WebhookRejected) as refused:
        body_read(stream=Unreadable(), content_length="2000", max_bytes=1000)
    assert refused.value.status == 413


def test_a_body_longer_than_declared_is_still_cut_at_the_limit():
    with pytest.raises(WebhookRejected) as refused:
        body_read(stream=io.BytesIO(b"x" * 1001), content_length="10", max_bytes=1000)
    assert refused.value.status == 413


def test_decompression_stops_just_past_the_limit():
    with pytest.raises(WebhookRejected) as refused:
        body_decompress(raw=gzip.compress(b"0" * 10_000_000), content_encoding="gzip", max_bytes=1000)
    assert refused.value.status == 413


def test_several_gzip_members_are_read_as_one_body():
    raw = gzip.compress(b'{"eventType": "A", ') + gzip.compress(b'"customerId": "1"}')
    assert body_decompress(raw=raw, content_encoding="gzip", max_bytes=1000) == b'{"eventType": "A", "customerId": "1"}'


def test_a_gzip_body_without_the_header_is_still_read():
    raw = gzip.compress(b'{"a": 1}')
    assert body_decompress(raw=raw, content_encoding="", max_bytes=1000) == b'{"a": 1}'


def test_numeric_ids_are_kept_as_strings_and_odd_ones_are_not_indexed():
    event = event_parse(
        body=b'{"eventType": "WorkFlowStatusChangeEvent", "customerId": 2187, "systemId": 5, '
        b'"personId": {"id": "1"}, "jobId": true}'
    )
    assert event.customer_id == "2187"
    assert event.indexed["system_id"] == "5"
    assert event.indexed["person_id"] == ""
    assert event.indexed["job_id"] == ""
