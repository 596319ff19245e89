"""Test a connection end to end and say, in plain words, what works and what does not.

The test never trusts a cached token: it fetches a fresh one (a refused one evicts the cached
token), reads the customer, finds the data stream the StreamId names, and, when interviews or
feedback are on, fetches the write-back client's token and makes one harmless read with it. It says
which scopes each feature needs and whether the test showed them to work, and keeps the result on
the connection (`last_test_result`).
"""

from __future__ import annotations

import contextlib
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
from integrations.icims.interviews import IcimsInterviews
from integrations.models import AuditEvent, Connection
from integrations.models.connections import BASE_SCOPES, FEEDBACK_SCOPES, INTERVIEW_SCOPES

from .audit_record import audit_record
from .connection_stream_resolve import connection_stream_resolve
from .icims_clients import icims_client_for, icims_interviews_for


@dataclass(frozen=True)
class ConnectionCheck:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class FeatureScopes:
    """A feature, the scopes to ask iCIMS for, and whether this test showed them to work (None: not tried)."""

    feature: str
    scopes: list[str]
    shown_to_work: bool | None


@dataclass
class ConnectionTestResult:
    checks: list[ConnectionCheck] = field(default_factory=list)
    features: list[FeatureScopes] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def check(self, name: str) -> ConnectionCheck | None:
        return next((check for check in self.checks if check.name == name), None)

    def summary(self) -> str:
        lines = [f"{'OK  ' if check.ok else 'FAIL'} {check.name}: {check.detail}" for check in self.checks]
        for feature in self.features:
            shown = {True: "shown to work", False: "NOT shown to work", None: "not tried"}[feature.shown_to_work]
            lines.append(f"     scopes for {feature.feature} ({shown}): {', '.join(feature.scopes)}")
        return "\n".join(lines)

    def as_record(self, *, at: str, by: str) -> dict:
        """What `Connection.last_test_result` keeps: plain JSON, nothing secret."""
        return {
            "at": at,
            "by": by,
            "ok": self.ok,
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
            "features": [
                {"feature": f.feature, "scopes": f.scopes, "shown_to_work": f.shown_to_work} for f in self.features
            ],
        }


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


def _check_token(
    client: IcimsClient | IcimsInterviews, connection: Connection, *, name: str = "token"
) -> ConnectionCheck:
    auth = client.transport.auth
    try:
        # Always a token fetched now: a cached one would hide a secret that was changed or revoked.
        auth.fresh_token() if hasattr(auth, "fresh_token") else auth.token()
    except IcimsAuthError:
        return ConnectionCheck(
            name,
            False,
            f"iCIMS refused the client id {client.config.client_id!r}: the secret is wrong, or the client is disabled.",
        )
    except IcimsError as error:
        detail = _common_problem(error, what=f"the iCIMS login server {client.config.token_url}")
        return ConnectionCheck(name, False, detail or f"the login server failed: {error}.")
    return ConnectionCheck(name, True, "iCIMS issued a new access token for this client id and secret.")


def _check_customer(client: IcimsClient, connection: Connection) -> ConnectionCheck:
    name = "customer"
    cid = connection.customer_id
    if not cid.isdecimal():
        return ConnectionCheck(name, False, f"the CustomerId {cid!r} is not a number: iCIMS CustomerIds are digits.")
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


def _check_data_stream(client: IcimsClient, connection: Connection, *, store: bool = True) -> ConnectionCheck:
    resolution = connection_stream_resolve(connection=connection, client=client, store=store)
    return ConnectionCheck("data stream", resolution.ok, resolution.detail)


def _check_writeback(interviews: IcimsInterviews, connection: Connection) -> ConnectionCheck:
    """The write-back client's own token, then one read that changes nothing."""
    name = "write-back client"
    token = _check_token(interviews, connection, name=name)
    if not token.ok:
        return token
    try:
        if connection.feedback_enabled:
            forms = interviews.get_feedback_forms()
            return ConnectionCheck(name, True, f"token issued; the feedback service lists {len(forms)} form(s).")
        # No list call is known for the (assumed) interview service: reading an id that cannot exist
        # proves the service accepts the token; "not found" is the expected answer.
        with contextlib.suppress(IcimsNotFound):
            interviews.get_interview("0")
        return ConnectionCheck(name, True, "token issued; the interview service accepts it.")
    except (IcimsAuthError, IcimsAccessDenied):
        service = "feedback" if connection.feedback_enabled else "interview"
        return ConnectionCheck(
            name,
            False,
            f"the {service} service refused the write-back client {interviews.config.client_id!r}: "
            "ask iCIMS to grant it the scopes below.",
        )
    except IcimsError as error:
        detail = _common_problem(error, what="the iCIMS interview and feedback services")
        return ConnectionCheck(name, False, detail or f"the write-back read failed: {error}.")


def connection_feature_scopes(
    *, connection: Connection, result: ConnectionTestResult | None = None
) -> list[FeatureScopes]:
    """The features bought, the scopes each needs, and (given a test result) whether the test showed them
    to work. Without a result: what to ask iCIMS for (the credential link shows this to the customer)."""

    def passed(*names: str) -> bool | None:
        if result is None:
            return None
        checks = [result.check(name) for name in names]
        if any(check is not None and not check.ok for check in checks):
            return False
        return None if any(check is None for check in checks) else True

    features = [FeatureScopes("sync and webhooks", list(BASE_SCOPES), passed("token", "customer", "data stream"))]
    if connection.interview_sync_enabled:
        features.append(FeatureScopes("interview sync back", list(INTERVIEW_SCOPES), passed("write-back client")))
    if connection.feedback_enabled:
        features.append(FeatureScopes("feedback forms", list(FEEDBACK_SCOPES), passed("write-back client")))
    return features


def connection_test(
    *,
    connection: Connection,
    session: requests.Session | None = None,
    actor: AbstractBaseUser | None = None,
    by: str = "",
) -> ConnectionTestResult:
    """Run every check (stopping after a failed token or customer, which the rest depend on), keep the
    result on the connection (by `by`, else the actor's name), set `credentials_verified_at` only when
    every check passes, and record the test in the audit trail."""
    result = connection_checks_run(connection=connection, session=session)
    connection_test_result_keep(connection=connection, result=result, by=by or (actor.get_username() if actor else ""))
    failed = next((check for check in result.checks if not check.ok), None)
    audit_record(
        action=AuditEvent.Action.CONNECTION_TEST,
        summary=f"{connection}: {'works' if failed is None else f'failed at {failed.name}'}",
        actor=actor,
        connection=connection,
    )
    return result


def connection_checks_run(
    *, connection: Connection, session: requests.Session | None = None, store: bool = True
) -> ConnectionTestResult:
    """The checks alone, on the connection as it is in memory. Without `store` nothing is written to its
    row (not even the data stream found): for credentials on trial, which may yet be refused."""
    client = icims_client_for(connection=connection, purpose=Purpose.LIVE, session=session, max_attempts=1)
    result = ConnectionTestResult()
    for check in (_check_token, _check_customer):
        result.checks.append(check(client, connection))
        if not result.checks[-1].ok:
            break
    else:
        result.checks.append(_check_data_stream(client, connection, store=store))
        if connection.interview_sync_enabled or connection.feedback_enabled:
            interviews = icims_interviews_for(
                connection=connection, purpose=Purpose.LIVE, session=session, max_attempts=1
            )
            result.checks.append(_check_writeback(interviews, connection))
    result.features = connection_feature_scopes(connection=connection, result=result)
    return result


def connection_test_result_keep(*, connection: Connection, result: ConnectionTestResult, by: str) -> None:
    """Keep the result on the connection, and `credentials_verified_at` when every check passed."""
    now = timezone.now()
    connection.last_test_result = result.as_record(at=now.isoformat(), by=by)
    fields = ["last_test_result"]
    if result.ok:
        connection.credentials_verified_at = now
        fields.append("credentials_verified_at")
    Connection.objects.filter(pk=connection.pk).update(**{name: getattr(connection, name) for name in fields})
