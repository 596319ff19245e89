"""The allow-list of hosts a secret may be sent to (ICIMS_ALLOWED_HOSTS)."""

from __future__ import annotations

import pytest

from integrations.icims.destinations import DEFAULT_ALLOWED_HOSTS, DestinationRefused, HostAllowList

DEFAULTS = HostAllowList(DEFAULT_ALLOWED_HOSTS)


def public(host: str) -> list[str]:
    return ["52.4.10.20"]


@pytest.mark.parametrize(
    "url",
    [
        "https://api.icims.com/customers/2187/jobs/1",
        "https://login.icims.com/oauth/token",
        "https://api-eu.icims.com",
        "https://login.icims.eu/oauth/token",
        "https://login.icims.ca/oauth/token",
        "https://data-transfer-assembler.production.env.icims.tools/datastream/v2",
        "https://api.dev.icims.com:443/x",
        "https://icims.com",
    ],
)
def test_the_icims_hosts_are_allowed_by_default(url):
    assert DEFAULTS.refusal(url, resolve=public) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9999/oauth/token", "127.0.0.1:9999 is not an iCIMS host"),
        ("https://evil.example/oauth/token", "evil.example:443 is not an iCIMS host"),
        ("https://icims.com.evil.example/", "not an iCIMS host"),
        ("https://evilicims.com/", "not an iCIMS host"),
        ("http://api.icims.com/", "Use https:// for api.icims.com"),
        ("https://user:pw@api.icims.com/", "user name or password"),
        ("ftp://api.icims.com/", "not an http(s) URL"),
        ("https://169.254.169.254/latest/meta-data", "169.254.169.254:443 is not an iCIMS host"),
        ("https://[::1]/", "::1:443 is not an iCIMS host"),
    ],
)
def test_anything_else_is_refused_with_the_reason(url, reason):
    assert reason in DEFAULTS.refusal(url, resolve=public)


def test_a_name_under_an_icims_domain_that_resolves_inside_our_network_is_refused():
    for address in ("10.0.0.5", "127.0.0.1", "169.254.169.254", "fe80::1", "::ffff:192.168.1.1"):
        refusal = DEFAULTS.refusal("https://api.icims.com/", resolve=lambda host, a=address: [a])
        assert refusal == f"api.icims.com resolves to the internal address {address}; list it explicitly to allow it."


def test_a_listed_sandbox_may_use_plain_http_on_its_port_only():
    allowed = HostAllowList([*DEFAULT_ALLOWED_HOSTS, "127.0.0.1:8001"])

    assert allowed.refusal("http://127.0.0.1:8001/oauth/token") is None
    assert "127.0.0.1:8002 is not an iCIMS host" in allowed.refusal("http://127.0.0.1:8002/oauth/token")


def test_a_host_listed_without_a_port_allows_any_port():
    allowed = HostAllowList(["127.0.0.1", "sandbox.icims.test"])

    assert allowed.refusal("http://127.0.0.1:41234/") is None
    assert allowed.refusal("https://sandbox.icims.test/oauth/token", resolve=lambda host: ["127.0.0.1"]) is None


def test_an_address_is_never_allowed_through_a_domain():
    assert "must be listed by itself" in HostAllowList([".0.0.1"]).refusal("https://127.0.0.1/")


def test_a_domain_entry_with_a_port_allows_that_port_only():
    allowed = HostAllowList([".icims.test:8443"])

    assert allowed.refusal("https://api.icims.test:8443/", resolve=public) is None
    assert allowed.refusal("https://api.icims.test/", resolve=public) is not None


@pytest.mark.parametrize("entry", ["api.icims.com:http", "api.icims.com:70000", "https://api.icims.com/", ":"])
def test_a_malformed_entry_fails_loudly(entry):
    with pytest.raises(ValueError, match="ICIMS_ALLOWED_HOSTS"):
        HostAllowList([entry])


def test_check_raises_a_final_error_naming_the_host():
    with pytest.raises(DestinationRefused) as refused:
        DEFAULTS.check("http://127.0.0.1:9999/oauth/token")

    assert not refused.value.retryable
    assert str(refused.value).startswith("Nothing was sent: 127.0.0.1:9999 is not an iCIMS host")
