"""The OpenAPI document describes every event the portal sends, as `webhooks`, with the fields it sends."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

from integrations.services.platform_webhook_events import EVENT_TYPES

pytestmark = pytest.mark.django_db


def test_every_event_type_is_a_webhook_in_the_schema_with_its_envelope(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())

    assert set(schema["webhooks"]) == set(EVENT_TYPES)
    created = schema["webhooks"]["scheduling_request.created"]["post"]
    assert "webhook-signature" in created["description"]
    ref = created["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    envelope = schema["components"]["schemas"][ref]
    assert set(envelope["properties"]) == {"type", "version", "timestamp", "data"}
    data = schema["components"]["schemas"][envelope["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
    assert {"scheduling_request_id", "workflow_id", "candidate_id", "job_id", "url"} <= set(data["properties"])
