"""A request we sign verifies; any change to it, or the wrong key, does not."""

from __future__ import annotations

from datetime import UTC, datetime

from integrations.icims.hmac_signing import parse_authorization, signature_matches, signed_headers_for

NOW = datetime(2026, 11, 26, 18, 30, tzinfo=UTC)
BODY = b'{"eventType":"WorkFlowStatusChangeEvent","customerId":"2187"}'


def _signed(key="k3y", body=BODY):
    return signed_headers_for(
        key=key,
        user="icims",
        method="POST",
        host="portal.example.com",
        path="/v2/ats/webhook/icims",
        query="",
        body=body,
        content_type="application/json",
        now=NOW,
    )


def _verify(headers, *, key="k3y", body=BODY, path="/v2/ats/webhook/icims"):
    parsed = parse_authorization(headers["authorization"])
    assert parsed is not None
    return signature_matches(
        key=key, authorization=parsed, method="POST", path=path, query="", headers=headers, body=body
    )


def test_a_signed_request_verifies_with_the_same_key():
    headers = _signed()
    assert headers["x-icims-date"] == "2026-11-26T18:30:00Z"
    assert headers["authorization"].startswith("x-icims-v1-hmac-sha256 user=icims, signedheaders=")
    assert ", signature=" in headers["authorization"]  # comma and space, as G3's working client writes it
    assert _verify(headers)


def test_the_parser_accepts_parts_separated_with_or_without_a_space():
    headers = _signed()
    compact = headers["authorization"].replace(", ", ",")

    assert parse_authorization(compact) == parse_authorization(headers["authorization"])
    assert _verify({**headers, "authorization": compact})


def test_the_wrong_key_a_changed_body_or_path_fail():
    headers = _signed()
    assert not _verify(headers, key="other")
    assert not _verify(headers, body=BODY + b" ")
    assert not _verify(headers, path="/elsewhere")


def test_a_malformed_authorization_header_is_not_parsed():
    assert parse_authorization("Basic dXNlcjpwYXNz") is None
    assert parse_authorization("x-icims-v1-hmac-sha256 user=a,signedheaders=host,signature=xyz") is None
