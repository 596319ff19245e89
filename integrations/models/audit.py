"""The audit trail: who did what, beside the admin's own change history."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .api_tokens import ApiToken
from .connections import Connection


class AuditEvent(models.Model):
    """One thing a person or an API token did. Written by the portal, never edited."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "signed in"
        SIGN_IN_FAILED = "sign_in_failed", "sign-in failed"
        SIGN_OUT = "sign_out", "signed out"
        CONNECTION_TEST = "connection_test", "tested a connection"
        SECRET_CHANGED = "secret_changed", "changed a secret"
        API_TOKEN_CREATED = "api_token_created", "created an API token"
        API_TOKEN_REVOKED = "api_token_revoked", "revoked an API token"
        API_CALL = "api_call", "API action"
        PLATFORM_WEBHOOK_ADDED = "platform_webhook_added", "added a platform webhook endpoint"
        PLATFORM_WEBHOOK_ROTATED = "platform_webhook_rotated", "rotated a platform webhook secret"
        PLATFORM_WEBHOOK_REMOVED = "platform_webhook_removed", "removed a platform webhook endpoint"
        PLATFORM_WEBHOOK_CHANGED = "platform_webhook_changed", "changed a platform webhook endpoint"
        CREDENTIAL_LINK_CREATED = "credential_link_created", "created a credential link"
        CREDENTIAL_LINK_OPENED = "credential_link_opened", "opened a credential link"
        CREDENTIAL_LINK_TEST_FAILED = "credential_link_test_failed", "entered credentials that failed"
        CREDENTIAL_LINK_ACCEPTED = "credential_link_accepted", "entered credentials that work"
        CREDENTIAL_LINK_REFUSED = "credential_link_refused", "used an expired or used-up credential link"

    at = models.DateTimeField("when", auto_now_add=True, db_index=True)
    action = models.CharField("action", max_length=32, choices=Action.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="person",
        help_text="Empty for API actions and for the shell.",
    )
    actor_name = models.CharField(
        "name given", max_length=150, blank=True, help_text="The user name as typed (also for failed sign-ins)."
    )
    api_token = models.ForeignKey(
        ApiToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="API token"
    )
    connection = models.ForeignKey(
        Connection, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="connection"
    )
    summary = models.CharField("what", max_length=300, help_text="Names of things, never a secret's value.")
    address = models.GenericIPAddressField("client address", null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "audit event"
        indexes = [models.Index(fields=["connection", "-at"], name="audit_connection_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.summary}"
