"""One-time credential links: how a customer hands over its own iCIMS client id and secret (option 2)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models

from .connections import Connection


class CredentialLink(models.Model):
    """A link a super admin sends the customer's iCIMS admin, who opens it without signing in, enters the
    client id and secret, and has them tested at once. Like an API token, only a SHA-256 hash of the link's
    secret part is stored; the link is shown once. It works until credentials are accepted through it, it
    expires, or a newer link for the same connection replaces it."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="credential_links", verbose_name="connection"
    )
    prefix = models.CharField(
        "prefix",
        max_length=16,
        unique=True,
        editable=False,
        help_text="The link's visible start: finds the link without storing it.",
    )
    token_hash = models.CharField("link hash", max_length=64, editable=False, help_text="SHA-256 of the link token.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="created by",
        help_text="Empty: created from the shell.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    expires_at = models.DateTimeField("expires", help_text="After this the link is refused.")
    opened_at = models.DateTimeField("first opened", null=True, blank=True, editable=False)
    failed_tests = models.PositiveIntegerField(
        "failed tests", default=0, editable=False, help_text="Credentials entered that did not work."
    )
    accepted_at = models.DateTimeField(
        "credentials accepted",
        null=True,
        blank=True,
        editable=False,
        help_text="When credentials entered through this link passed the connection test and were stored. "
        "The link is used up from then on.",
    )
    revoked_at = models.DateTimeField(
        "replaced", null=True, blank=True, editable=False, help_text="When a newer link for the connection replaced it."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "credential link"
        indexes = [models.Index(fields=["connection", "-created_at"], name="credential_link_connection")]

    def __str__(self) -> str:
        return f"credential link {self.prefix}… for {self.connection.name}"

    def state(self, *, now: datetime) -> str:
        """accepted, replaced, expired or open."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "replaced"
        if now >= self.expires_at:
            return "expired"
        return "open"
