"""The onboarding checklist: the integration guide's steps, and which of them a connection has done."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from ..models import Connection, CredentialLink, Stage

NOT_DONE_YET = "not done yet"


@dataclass(frozen=True)
class OnboardingStep:
    label: str
    done: bool
    detail: str


def connections_with_onboarding_facts(queryset: QuerySet[Connection]) -> QuerySet[Connection]:
    """Annotate what the checklist needs from other tables, so a list of connections costs one query."""
    stages = Stage.objects.filter(connection=OuterRef("pk"))
    accepted_links = CredentialLink.objects.filter(connection=OuterRef("pk"), accepted_at__isnull=False)
    return queryset.annotate(
        has_stages=Exists(stages),
        has_trigger_stages=Exists(stages.filter(is_active=True, triggers_scheduling=True)),
        credentials_received_at=Subquery(accepted_links.order_by("-accepted_at").values("accepted_at")[:1]),
    )


def _credentials_received_at(connection: Connection):
    """When the customer's credentials last came in through a credential link (and passed the test)."""
    if hasattr(connection, "credentials_received_at"):
        return connection.credentials_received_at
    if connection.pk is None:
        return None
    link = connection.credential_links.filter(accepted_at__isnull=False).order_by("-accepted_at").first()
    return link.accepted_at if link else None


def _credentials_detail(connection: Connection) -> str:
    received_at = _credentials_received_at(connection)
    verified_at = connection.credentials_verified_at
    if received_at is not None and verified_at is not None:
        return (
            f"credentials received and verified {received_at:%Y-%m-%d %H:%M} UTC "
            "(entered by the customer through a credential link)"
            + (f"; last verified {verified_at:%Y-%m-%d %H:%M} UTC" if verified_at > received_at else "")
        )
    return _when(verified_at)


def _stage_facts(connection: Connection) -> tuple[bool, bool]:
    if hasattr(connection, "has_stages"):
        return connection.has_stages, connection.has_trigger_stages
    if connection.pk is None:
        return False, False
    stages = connection.stages.all()
    return stages.exists(), stages.filter(is_active=True, triggers_scheduling=True).exists()


def _when(moment) -> str:
    return f"done {moment:%Y-%m-%d %H:%M} UTC" if moment else NOT_DONE_YET


def connection_onboarding_checklist(*, connection: Connection) -> list[OnboardingStep]:
    """The guide's steps in order. Steps that later work (connection test, webhooks, sync) ticks show
    "not done yet" until it does."""
    has_stages, has_trigger_stages = _stage_facts(connection)
    verified = connection.credentials_verified_at is not None
    return [
        OnboardingStep("iCIMS CustomerId", bool(connection.customer_id), connection.customer_id or NOT_DONE_YET),
        OnboardingStep("iCIMS StreamId", bool(connection.stream_id), connection.stream_id or NOT_DONE_YET),
        OnboardingStep("Credentials verified", verified, _credentials_detail(connection)),
        # iCIMS grants scopes out of sight; a successful connection test is the only evidence we get.
        OnboardingStep(
            "Scopes granted for the chosen features",
            verified,
            "ask iCIMS for: " + ", ".join(connection.required_scopes()),
        ),
        OnboardingStep("Bins and statuses imported", has_stages, "imported" if has_stages else NOT_DONE_YET),
        OnboardingStep("Trigger statuses chosen", has_trigger_stages, "chosen" if has_trigger_stages else NOT_DONE_YET),
        OnboardingStep(
            "Webhook placed at iCIMS",
            connection.webhook_first_seen_at is not None,
            _when(connection.webhook_first_seen_at)
            if connection.webhook_first_seen_at
            else f"{NOT_DONE_YET}: ask iCIMS to send events to {connection.webhook_url}",
        ),
        OnboardingStep(
            "Initial sync done", connection.initial_sync_done_at is not None, _when(connection.initial_sync_done_at)
        ),
    ]


def connection_onboarding_progress(*, connection: Connection) -> str:
    """ "5/8": steps done out of all steps."""
    steps = connection_onboarding_checklist(connection=connection)
    return f"{sum(step.done for step in steps)}/{len(steps)}"
