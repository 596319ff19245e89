"""What a browser posts from the connection change form."""

from __future__ import annotations

from integrations.models import Connection

ALERT_SETTINGS_UNTOUCHED = {
    "alert_settings-TOTAL_FORMS": "0",
    "alert_settings-INITIAL_FORMS": "0",
    "alert_settings-MIN_NUM_FORMS": "0",
    "alert_settings-MAX_NUM_FORMS": "1",
}


def connection_form_data(connection: Connection | None = None, **overrides) -> dict[str, str]:
    """Every field as the form shows it: secrets blank (the form never renders them), booleans only when ticked."""
    data = {
        "name": "Globex",
        "customer_id": "4242",
        "stream_id": "stream-globex",
        "region": "us",
        "is_active": "on",
        "credential_mode": "customer",
        "client_id": "globex-client",
        "client_secret": "globex-client-secret-0001",
        "writeback_client_id": "",
        "writeback_client_secret": "",
        "candidate_folders": "Cand:Active",
        "user_folders": "HM:Active\nEmp:Current Employee",
        "hourly_call_budget": "80000",
        "trigger_mode": "live",
        "webhook_auth": "basic",
        "webhook_username": "icims-globex",
        "webhook_password": "globex-webhook-password-0002",
        "webhook_hmac_key": "",
        "webhook_hmac_key_previous": "",
        "api_url_override": "",
        "token_url_override": "",
        "stream_url_override": "",
    }
    if connection is not None:
        data.update(
            name=connection.name,
            customer_id=connection.customer_id,
            stream_id=connection.stream_id,
            region=connection.region,
            credential_mode=connection.credential_mode,
            client_id=connection.client_id,
            client_secret="",
            writeback_client_id=connection.writeback_client_id,
            candidate_folders="\n".join(connection.candidate_folders),
            user_folders="\n".join(connection.user_folders),
            hourly_call_budget=str(connection.hourly_call_budget),
            trigger_mode=connection.trigger_mode,
            webhook_auth=connection.webhook_auth,
            webhook_username=connection.webhook_username,
            webhook_password="",
        )
        if not connection.is_active:
            del data["is_active"]
        for flag in ("interview_sync_enabled", "feedback_enabled", "auto_advance_enabled"):
            if getattr(connection, flag):
                data[flag] = "on"
        # The change page's "alerts" inline, left as shown (no alert settings of its own yet).
        data.update(ALERT_SETTINGS_UNTOUCHED)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
