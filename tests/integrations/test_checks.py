"""Start-up checks: a misconfigured portal says so before the first secret is used."""

from __future__ import annotations

from integrations.checks import check_icims_allowed_hosts


def test_the_allow_list_of_the_tests_passes():
    assert check_icims_allowed_hosts(None) == []


def test_a_malformed_allowed_host_stops_the_portal(settings):
    settings.ICIMS_ALLOWED_HOSTS = [".icims.com", "https://api.icims.com/"]

    errors = check_icims_allowed_hosts(None)

    assert [error.id for error in errors] == ["integrations.E004"]
    assert "'https://api.icims.com/' is not a host name" in errors[0].msg


def test_an_empty_allow_list_stops_the_portal(settings):
    settings.ICIMS_ALLOWED_HOSTS = []

    assert [error.id for error in check_icims_allowed_hosts(None)] == ["integrations.E005"]
