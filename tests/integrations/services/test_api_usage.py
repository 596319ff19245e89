"""Every call is recorded by purpose, in one bucket per connection, hour and purpose, with the right client."""

from __future__ import annotations

from responses import matchers

from integrations.icims.budget import Purpose
from integrations.models import ApiCallLedger
from integrations.services.api_usage import api_call_record
from integrations.services.icims_clients import icims_client_for, icims_interviews_for
from tests.fixtures.icims import icims_fixture
from tests.integrations.icims.support import CUSTOMER_URL, TOKEN_URL


def test_one_bucket_per_connection_hour_and_purpose(connection):
    for _ in range(3):
        api_call_record(connection_id=connection.pk, purpose="webhook", status=200)

    bucket = ApiCallLedger.objects.get(connection=connection)
    assert (bucket.purpose, bucket.calls, bucket.failed_calls) == ("webhook", 3, 0)


def test_purposes_in_the_ledger_are_the_budget_purposes():
    assert {choice.value for choice in ApiCallLedger.Purpose} == {purpose.value for purpose in Purpose}


def test_interview_calls_use_the_writeback_client_and_data_calls_the_data_client(connection, icims):
    connection.writeback_client_id = "acme-writeback"
    connection.writeback_client_secret = "writeback-secret-5678"
    connection.save()
    icims.post(
        TOKEN_URL,
        json={"access_token": "data-token", "expires_in": 3600},
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "grant_type": "client_credentials",
                    "client_id": "acme-client",
                    "client_secret": "acme-secret-value-1234",
                    "audience": "https://api.icims.com/v1/",
                }
            )
        ],
    )
    icims.post(
        TOKEN_URL,
        json={"access_token": "writeback-token", "expires_in": 3600},
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "grant_type": "client_credentials",
                    "client_id": "acme-writeback",
                    "client_secret": "writeback-secret-5678",
                    "audience": "https://api.icims.com/v1/",
                }
            )
        ],
    )
    icims.get(
        f"{CUSTOMER_URL}/jobs/1026",
        json=icims_fixture("job"),
        match=[matchers.header_matcher({"Authorization": "Bearer data-token"})],
    )
    icims.get(
        f"{CUSTOMER_URL}/biz-collab-feedback-service/v1/forms",
        json=icims_fixture("feedback_forms"),
        match=[matchers.header_matcher({"Authorization": "Bearer writeback-token"})],
    )

    icims_client_for(connection=connection, purpose=Purpose.LIVE).get_job(1026)
    icims_interviews_for(connection=connection).get_feedback_forms()

    assert ApiCallLedger.objects.get(purpose="writeback").calls == 1
