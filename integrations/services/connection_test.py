"""Test a connection end to end and say, in plain words, what works and what does not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from integrations.icims.budget import Purpose
from integrations.icims.client import IcimsClient
from integrations.icims.errors import (
    IcimsAccessDenied,
    IcimsAuthError,
    IcimsBudgetExhausted,
    IcimsCircuitOpen,
    IcimsConnectionError,
    IcimsError,
    IcimsNotFound,
    IcimsRateLimited,
    IcimsTimeout,
)
from integrations.models import AuditEvent, Connection

from .audit_record import audit_record
from .icims_clients import icims_client_for


@dataclass(frozen=True)
class ConnectionCheck:
    name: str
    ok: bool
    detail: str


@dataclass
class ConnectionTestResult:
    checks: list[ConnectionCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def summary(self) -> str:
        return "\n".join(f"{'OK  ' if check.ok else 'FAIL'} {check.name}: {check.detail}" for check in self.checks)


def _common_problem(error: IcimsError, *, what: str) -> str | None:
    """Plain words for failures that mean the same whichever step hit them."""
    if isinstance(error, IcimsTimeout | IcimsConnectionError):
        return f"could not reach {what} ({error.message})."
    if isinstance(error, IcimsRateLimited):
        return "iCIMS says today's call allowance is used up; try again after its reset at 00:00 UTC."
    if isinstance(error, IcimsBudgetExhausted):
        return f"this connection's call budget is spent for now ({error.message})."
    if isinstance(error, IcimsCircuitOpen):
        return "calls are paused after repeated iCIMS failures; try again in a minute."
    return None


def _check_token(client: IcimsClient, connection: Connection) -> ConnectionCheck:
    name = "token"
    try:
        client.transport.auth.token()
    except IcimsAuthError:
        return ConnectionCheck(
            name,
            False,
            f"iCIMS refused the client id {client.config.client_id!r}: the secret is wrong, or the client is disabled.",
        )
    except IcimsError as error:
        detail = _common_problem(error, what=f"the iCIMS login server {client.config.token_url}")
        return ConnectionCheck(name, False, detail or f"the login server failed: {error}.")
    return ConnectionCheck(name, True, "iCIMS issued an access token for this client id and secret.")


def _check_customer(client: IcimsClient, connection: Connection) -> ConnectionCheck:
    name = "customer"
    cid = connection.customer_id
    try:
        client.get_customer()
    except IcimsAccessDenied:
        return ConnectionCheck(
            name,
            False,
            f"iCIMS denied access to customer {cid}: ask the customer to allow-list "
            "our egress IP addresses for the API user and check its security rules.",
        )
    except IcimsNotFound:
        return ConnectionCheck(
            name,
            False,
            f"customer {cid} was not found at {client.config.api_url}: check the CustomerId and the region.",
        )
    except IcimsAuthError:
        return ConnectionCheck(
            name,
            False,
            f"the token is not accepted for customer {cid}: this client is not authorised for this customer.",
        )
    except IcimsError as error:
        detail = _common_problem(error, what=f"the iCIMS API at {client.config.api_url}")
        return ConnectionCheck(name, False, detail or f"customer {cid} is not reachable: {error}.")
    return ConnectionCheck(name, True, f"customer {cid} answers at {client.config.api_url}.")


def _check_data_stream(client: IcimsClient, connection: Connection) -> ConnectionCheck:
    name = "data stream"
    if not connection.stream_id:
        return ConnectionCheck(name, True, "no StreamId is set, so this connection syncs by search; not checked.")
    try:
        subscriptions = client.get_stream_subscriptions()
    except (IcimsAuthError, IcimsAccessDenied, IcimsNotFound):
        return ConnectionCheck(
            name,
            False,
            f"these credentials have no data stream access for customer "
            f"{connection.customer_id}: ask iCIMS to enable the Streaming API for this client.",
        )
    except IcimsError as error:
        detail = _common_problem(error, what=f"the iCIMS data stream at {client.config.stream_url}")
        return ConnectionCheck(name, False, detail or f"the data stream failed: {error}.")
    count = len(subscriptions) if isinstance(subscriptions, list) else 0
    return ConnectionCheck(name, True, f"the data stream answers ({count} subscription{'s' * (count != 1)}).")


CHECKS: list[Callable[[IcimsClient, Connection], ConnectionCheck]] = [_check_token, _check_customer, _check_data_stream]


def connection_test(
    *, connection: Connection, session: requests.Session | None = None, actor: AbstractBaseUser | None = None
) -> ConnectionTestResult:
    """Fetch a token, read the customer, list the data stream subscriptions; stop at the first failure.

    Sets `credentials_verified_at` only when every check passes.
    """
    client = icims_client_for(connection=connection, purpose=Purpose.LIVE, session=session, max_attempts=1)
    result = ConnectionTestResult()
    for check in CHECKS:
        outcome = check(client, connection)
        result.checks.append(outcome)
        if not outcome.ok:
            break
    if result.ok:
        connection.credentials_verified_at = timezone.now()
        connection.save(update_fields=["credentials_verified_at", "updated_at"])
    failed = next((check for check in result.checks if not check.ok), None)
    audit_record(
        action=AuditEvent.Action.CONNECTION_TEST,
        summary=f"{connection}: {'works' if failed is None else f'failed at {failed.name}'}",
        actor=actor,
        connection=connection,
    )
    return result
