"""Whatever arrives, iCIMS never gets a 5xx: every bad request is a clear 4xx, every good one a 200."""

from __future__ import annotations

import gzip
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ACME_PASSWORD, basic_authorization

ENCODINGS = ["gzip", "x-gzip", "br", "deflate", "identity", "", "gzip, br"]
NASTY_FRAGMENTS = ['"\\u0000"', '"\\ud800"', "NaN", "Infinity", "1e999", "9" * 5000, "[" * 5000, '"\\"', "{}"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
event_like = st.fixed_dictionaries(
    {
        "eventType": st.one_of(st.sampled_from(["WorkFlowStatusChangeEvent", "JobPostToWebEvent"]), json_values),
        "customerId": st.one_of(st.just("2187"), st.just("3100"), json_values),
    },
    optional={"systemId": json_values, "newStatus": json_values, "links": json_values},
)
json_bodies = st.one_of(json_values, event_like).map(lambda value: json.dumps(value).encode())
nasty_bodies = st.lists(st.sampled_from(NASTY_FRAGMENTS), min_size=1, max_size=3).map(
    lambda parts: (
        '{"eventType": "WorkFlowStatusChangeEvent", "customerId": "2187", "x": ' + ",".join(parts) + "}"
    ).encode()
)
plain_bodies = st.one_of(st.binary(max_size=2000), json_bodies, nasty_bodies)
bodies = st.one_of(
    plain_bodies.map(lambda body: (body, None)),
    plain_bodies.map(lambda body: (gzip.compress(body), "gzip")),
    plain_bodies.map(lambda body: (gzip.compress(body)[: len(body) // 2], "gzip")),
    st.tuples(st.binary(max_size=200), st.sampled_from(ENCODINGS)),
)
authorizations = st.one_of(
    st.none(),
    st.just(basic_authorization("icims-acme", ACME_PASSWORD)),
    st.just(basic_authorization("icims-acme", "wrong")),
    st.text(max_size=200),
    st.text(max_size=200).map(lambda text: "Basic " + text),
    st.text(max_size=200).map(lambda text: "x-icims-v1-hmac-sha256 " + text),
    st.just(
        "x-icims-v1-hmac-sha256 user=icims-globex,signedheaders=content-type;host;x-icims-content-sha256;"
        "x-icims-date,signature=" + "0" * 64
    ),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(body=bodies, authorization=authorizations, icims_date=st.one_of(st.none(), st.text(max_size=40)), data=st.data())
def test_no_request_gets_a_server_error(client, acme, globex, body, authorization, icims_date, data):
    raw, encoding = body
    # Garbled, or shorter than the body. (A longer one makes a real server wait for bytes that never
    # come, until its timeout; Django's test client cannot play that.)
    garbled = st.text(max_size=12).filter(lambda text: not (text.strip().isdecimal() and int(text) > len(raw)))
    content_length = data.draw(st.one_of(st.none(), garbled, st.integers(-10, len(raw)).map(str)))
    headers = {}
    if authorization is not None:
        headers["HTTP_AUTHORIZATION"] = authorization
    if encoding is not None:
        headers["HTTP_CONTENT_ENCODING"] = encoding
    if icims_date is not None:
        headers["HTTP_X_ICIMS_DATE"] = icims_date
    if content_length is not None:
        headers["CONTENT_LENGTH"] = content_length  # a lying or garbled Content-Length

    response = client.generic("POST", "/v2/ats/webhook/icims", raw, content_type="application/json", **headers)

    assert response.status_code < 500, response.content
    if response.status_code != 200:
        assert set(response.json()["error"]) == {"userMessage", "debugErrorMessage"}
