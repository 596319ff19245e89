"""Event notifications the tenant sends: a gzip'd `WorkFlowStatusChangeEvent` POSTed like iCIMS does.

As iCIMS does (icims-api.md section 15): only when a user moves a candidate into one of the statuses
the customer configured as triggers, and not for a change made through the API (a PATCH), unless
`echo_api_changes` is switched on to mimic a tenant that does echo them.

Status ids in the payload are the `C…`/`D…` node ids by default; `numeric_status_ids` strips the
prefix to mimic the one recorded fixture with bare numbers (icims-api.md section 9, unresolved).
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import requests

from integrations.icims import hmac_signing

logger = logging.getLogger(__name__)

DEFAULT_WEBHOOK_USERNAME = "icims-sandbox"
DEFAULT_WEBHOOK_PASSWORD = "sandbox-webhook-password"
DEFAULT_WEBHOOK_HMAC_USER = "icims-sandbox"
DEFAULT_WEBHOOK_HMAC_KEY = "sandbox-webhook-hmac-key"
# The sandbox tenant's trigger statuses: the "… - Schedule" ones (catalog.py).
DEFAULT_TRIGGER_STATUS_IDS = frozenset({"C51218", "C51220", "C51222"})


@dataclass
class WebhookTarget:
    """Where and how the tenant notifies, as iCIMS support would configure it for a customer."""

    url: str | None = None
    auth: str = "basic"  # "basic" | "hmac" | "none"
    username: str = DEFAULT_WEBHOOK_USERNAME
    password: str = DEFAULT_WEBHOOK_PASSWORD
    hmac_user: str = DEFAULT_WEBHOOK_HMAC_USER
    hmac_key: str = DEFAULT_WEBHOOK_HMAC_KEY
    # The statuses iCIMS support configured as triggers for this customer; None: every status notifies.
    trigger_status_ids: frozenset[str] | None = DEFAULT_TRIGGER_STATUS_IDS
    echo_api_changes: bool = False  # True: a status PATCHed through the API notifies too
    numeric_status_ids: bool = False
    timeout: float = 10.0

    def triggers_on(self, status_id: str) -> bool:
        return self.url is not None and (self.trigger_status_ids is None or status_id in self.trigger_status_ids)


@dataclass
class WebhookDelivery:
    url: str
    event: dict
    status_code: int | None = None
    error: str | None = None
    headers: dict = field(default_factory=dict)


def status_change_event(
    *,
    customer_id: str,
    customer_url: str,
    workflow_id: int,
    person_id: int,
    job_id: int,
    user_id: int,
    old_status: str,
    new_status: str,
    numeric_status_ids: bool,
) -> dict:
    def status(value: str) -> str:
        return value.lstrip("CD") if numeric_status_ids else value

    return {
        "eventType": "WorkFlowStatusChangeEvent",
        "customerId": customer_id,
        "systemId": str(workflow_id),
        "personId": str(person_id),
        "jobId": str(job_id),
        "userId": str(user_id),
        "oldStatus": status(old_status),
        "newStatus": status(new_status),
        "links": [
            {
                "rel": "applicantWorkflow",
                "title": "Applicant Workflow",
                "url": f"{customer_url}/applicantworkflows/{workflow_id}",
            },
            {"rel": "job", "title": "Job Profile", "url": f"{customer_url}/jobs/{job_id}"},
            {"rel": "person", "title": "Person Profile", "url": f"{customer_url}/people/{person_id}"},
            {"rel": "user", "title": "Posting User", "url": f"{customer_url}/people/{user_id}"},
        ],
    }


def delivery_request(target: WebhookTarget, event: dict, *, now: datetime) -> tuple[bytes, dict[str, str]]:
    """The exact bytes and headers iCIMS would send: gzip'd JSON, a Link header, and the auth."""
    body = gzip.compress(json.dumps(event).encode())
    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        "Link": ",".join(f'<{link["url"]}>;rel="{link["rel"]}";title="{link["title"]}"' for link in event["links"]),
    }
    if target.auth == "basic":
        token = base64.b64encode(f"{target.username}:{target.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    elif target.auth == "hmac":
        url = urlsplit(target.url or "")
        signed = hmac_signing.signed_headers_for(
            key=target.hmac_key,
            user=target.hmac_user,
            method="POST",
            host=url.netloc,
            path=url.path or "/",
            query=url.query,
            body=body,
            content_type="application/json",
            now=now,
        )
        headers.pop("Content-Type")
        headers.update(signed)
    return body, headers


def deliver(target: WebhookTarget, event: dict, *, now: datetime) -> WebhookDelivery:
    body, headers = delivery_request(target, event, now=now)
    delivery = WebhookDelivery(url=target.url or "", event=event, headers=headers)
    try:
        response = requests.post(delivery.url, data=body, headers=headers, timeout=target.timeout)
    except requests.RequestException as exc:
        delivery.error = type(exc).__name__
        logger.warning("Sandbox webhook to %s failed: %s", delivery.url, delivery.error)
        return delivery
    delivery.status_code = response.status_code
    logger.info("Sandbox webhook for workflow %s to %s: HTTP %s", event["systemId"], delivery.url, response.status_code)
    return delivery
