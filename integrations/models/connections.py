"""A connection: one iCIMS tenant, its credentials and its settings."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from ..fields import EncryptedTextField
from ..regions import REGION_HOSTS, Region

DEFAULT_CANDIDATE_FOLDERS = ["Cand:Active"]
DEFAULT_USER_FOLDERS = ["HM:Active", "Emp:Current Employee"]
DEFAULT_HOURLY_CALL_BUDGET = 80_000

# The scopes to ask iCIMS for, per feature (integration guide, "Grant API Access", option 2).
BASE_SCOPES = ["Data-stream:stream:read", "data-transfer-assembler:stream:read"]
INTERVIEW_SCOPES = [
    "interview-service:interview:create",
    "interview-service:interview:read",
    "interview-service:interview:update",
    "interview-service:interview:delete",
]
FEEDBACK_SCOPES = ["biz-collab-feedback-service:feedbackReq:rw", "biz-collab-feedback-service:forms:ro"]

# Fields whose values are never shown, logged or written to history.
SECRET_FIELDS = (
    "client_secret",
    "writeback_client_secret",
    "webhook_password",
    "webhook_hmac_key",
    "webhook_hmac_key_previous",
)


customer_id_is_digits = RegexValidator(
    r"^[0-9]+$", "The CustomerId is a number iCIMS assigned, digits only (e.g. 2187).", code="customer_id_digits"
)


def default_candidate_folders() -> list[str]:
    return list(DEFAULT_CANDIDATE_FOLDERS)


def default_user_folders() -> list[str]:
    return list(DEFAULT_USER_FOLDERS)


class Connection(models.Model):
    """One iCIMS tenant (CustomerId) connected to the scheduling platform."""

    class CredentialMode(models.TextChoices):
        PLATFORM = "platform", "Option 1: the platform's own OAuth clients"
        CUSTOMER = "customer", "Option 2: the customer's own client id and secret"

    class TriggerMode(models.TextChoices):
        OFF = "off", "Off: trigger statuses do nothing"
        SHADOW = "shadow", "Shadow: record what would have started, change nothing"
        LIVE = "live", "Live: trigger statuses open scheduling requests"

    class WebhookAuth(models.TextChoices):
        BASIC = "basic", "Basic (username and password)"
        HMAC = "hmac", "HMAC (x-icims-v1-hmac-sha256)"

    name = models.CharField("name", max_length=200, unique=True, help_text="How the portal refers to this tenant.")
    customer_id = models.CharField(
        "iCIMS CustomerId",
        max_length=32,
        unique=True,
        validators=[customer_id_is_digits],
        help_text="Assigned by the iCIMS Implementation Manager; digits only; part of every API URL.",
    )
    stream_id = models.CharField(
        "iCIMS StreamId",
        max_length=128,
        blank=True,
        help_text="The data stream channel iCIMS created for this tenant: a stream id or a subscription id, "
        "both are accepted. Blank: sync by search.",
    )
    # What the connection test found the StreamId to mean (integrations/icims/data_stream.py). Used only
    # while `stream_id` still equals `stream_resolved_for`: a changed StreamId is unresolved until tested.
    stream_resolved_for = models.CharField("resolved StreamId", max_length=128, blank=True, editable=False)
    stream_resolved_stream = models.CharField("data stream", max_length=128, blank=True, editable=False)
    stream_resolved_subscription = models.CharField(
        "data stream subscription", max_length=128, blank=True, editable=False
    )
    region = models.CharField(
        "region",
        max_length=2,
        choices=Region.choices,
        default=Region.US,
        help_text="Picks the iCIMS API, login and data-stream hosts, and the webhook URL.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Paused connections are not synced and their webhooks are not processed."
    )

    api_url_override = models.URLField(
        "API URL override", blank=True, help_text="For iCIMS sandboxes only, e.g. https://api.dev.icims.com."
    )
    token_url_override = models.URLField("token URL override", blank=True, help_text="For iCIMS sandboxes only.")
    stream_url_override = models.URLField("data stream URL override", blank=True, help_text="For iCIMS sandboxes only.")

    credential_mode = models.CharField(
        "credentials",
        max_length=16,
        choices=CredentialMode.choices,
        default=CredentialMode.PLATFORM,
        help_text="Option 1 uses the platform clients from the environment; option 2 the customer's own.",
    )
    client_id = models.CharField(
        "client id",
        max_length=200,
        blank=True,
        help_text="Option 2: the customer's client id for list, profile, search and data stream APIs.",
    )
    client_secret = EncryptedTextField("client secret", help_text="Option 2: stored encrypted; never shown again.")
    writeback_client_id = models.CharField(
        "interview/feedback client id",
        max_length=200,
        blank=True,
        help_text="Option 2, optional: a second client for the interview and feedback APIs. "
        "Blank: the first client is used.",
    )
    writeback_client_secret = EncryptedTextField("interview/feedback client secret", help_text="Stored encrypted.")

    interview_sync_enabled = models.BooleanField(
        "interview sync back", default=False, help_text="Write interviews back to iCIMS."
    )
    feedback_enabled = models.BooleanField("feedback forms", default=False, help_text="Use iCIMS feedback forms.")
    auto_advance_enabled = models.BooleanField(
        "auto-advance",
        default=False,
        help_text="Move a candidate to the trigger's advance-to status once opened for scheduling.",
    )

    trigger_mode = models.CharField(
        "scheduling triggers",
        max_length=8,
        choices=TriggerMode.choices,
        default=TriggerMode.LIVE,
        help_text="What a candidate moved into a trigger status does. Shadow lets you watch before going live.",
    )

    candidate_folders = models.JSONField(
        "candidate folders",
        default=default_candidate_folders,
        help_text="iCIMS person folders whose candidates are synced.",
    )
    user_folders = models.JSONField(
        "user folders", default=default_user_folders, help_text="iCIMS person folders whose users are synced."
    )
    field_map = models.JSONField(
        "iCIMS field map",
        default=dict,
        blank=True,
        help_text="Portal field → this tenant's iCIMS field name, one per line as `job.coordinator = rcf3047`. "
        "job.coordinator and job.sourcer fill the hiring team; any other job.NAME or application.NAME is passed "
        "through as a custom field. Checked by a live read when saved.",
    )
    hourly_call_budget = models.PositiveIntegerField(
        "hourly call budget",
        default=DEFAULT_HOURLY_CALL_BUDGET,
        help_text="The most iCIMS API calls this connection may make in one hour.",
    )

    webhook_auth = models.CharField(
        "webhook authentication",
        max_length=8,
        choices=WebhookAuth.choices,
        default=WebhookAuth.BASIC,
        help_text="How iCIMS authenticates the event notifications it sends us.",
    )
    webhook_username = models.CharField("webhook username", max_length=150, blank=True)
    webhook_password = EncryptedTextField("webhook password", help_text="Basic: stored encrypted.")
    webhook_hmac_key = EncryptedTextField("webhook HMAC key", help_text="HMAC: stored encrypted.")
    webhook_hmac_key_previous = EncryptedTextField(
        "previous webhook HMAC key", help_text="Still accepted during a key rotation; clear it when done."
    )

    credentials_verified_at = models.DateTimeField(
        "credentials verified",
        null=True,
        blank=True,
        editable=False,
        help_text="Set by a successful connection test.",
    )
    webhook_first_seen_at = models.DateTimeField(
        "first webhook received",
        null=True,
        blank=True,
        editable=False,
        help_text="Set by the first authenticated event from iCIMS.",
    )
    initial_sync_done_at = models.DateTimeField("initial sync done", null=True, blank=True, editable=False)
    last_test_result = models.JSONField(
        "last connection test",
        default=dict,
        blank=True,
        editable=False,
        help_text="When, by whom, and each check with its outcome (services/connection_test.py).",
    )

    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "iCIMS connection"
        constraints = [
            # The webhook endpoint finds the connection by this name (Basic user, or HMAC `user=`).
            models.UniqueConstraint(
                fields=["webhook_username"],
                condition=~Q(webhook_username=""),
                name="connection_unique_webhook_username",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer_id})"

    @property
    def api_url(self) -> str:
        return (self.api_url_override or REGION_HOSTS[self.region].api_url).rstrip("/")

    @property
    def token_url(self) -> str:
        return self.token_url_override or REGION_HOSTS[self.region].token_url

    @property
    def stream_url(self) -> str:
        return (self.stream_url_override or REGION_HOSTS[self.region].stream_url).rstrip("/")

    @property
    def audience(self) -> str:
        return f"{self.api_url}/v1/" if self.api_url_override else REGION_HOSTS[self.region].audience

    @property
    def webhook_url(self) -> str:
        return settings.ICIMS_WEBHOOK_BASE_URLS[self.region].rstrip("/") + "/v2/ats/webhook/icims"

    @property
    def resolved_data_stream(self) -> tuple[str, str] | None:
        """(stream id, subscription id) the current StreamId resolved to, or None when not (yet) resolved."""
        if self.stream_id and self.stream_id == self.stream_resolved_for and self.stream_resolved_subscription:
            return self.stream_resolved_stream, self.stream_resolved_subscription
        return None

    def required_scopes(self) -> list[str]:
        scopes = list(BASE_SCOPES)
        if self.interview_sync_enabled:
            scopes += INTERVIEW_SCOPES
        if self.feedback_enabled:
            scopes += FEEDBACK_SCOPES
        return scopes

    def data_credentials(self) -> tuple[str, str]:
        """(client id, secret) for list, profile, search and data stream calls."""
        if self.credential_mode == self.CredentialMode.PLATFORM:
            return settings.ICIMS_PLATFORM_CLIENT_ID, settings.ICIMS_PLATFORM_CLIENT_SECRET
        return self.client_id, self.client_secret

    def writeback_credentials(self) -> tuple[str, str]:
        """(client id, secret) for interview and feedback calls."""
        if self.credential_mode == self.CredentialMode.PLATFORM:
            return settings.ICIMS_PLATFORM_WRITEBACK_CLIENT_ID, settings.ICIMS_PLATFORM_WRITEBACK_CLIENT_SECRET
        if self.writeback_client_id:
            return self.writeback_client_id, self.writeback_client_secret
        return self.client_id, self.client_secret
