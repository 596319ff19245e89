"""API tokens: how the scheduling platform authenticates to /api/v1/."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .connections import Connection


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a SHA-256 hash of the token is stored; the token itself is
    shown once, when it is created, and cannot be recovered."""

    name = models.CharField(
        "name", max_length=200, help_text="Who or what uses this token, e.g. the platform's EU cluster."
    )
    prefix = models.CharField(
        "prefix",
        max_length=16,
        unique=True,
        editable=False,
        help_text="The token's visible start: finds the token without storing it, and tells tokens apart.",
    )
    token_hash = models.CharField(
        "token hash", max_length=64, editable=False, help_text="SHA-256 of the whole token, hex."
    )
    all_connections = models.BooleanField(
        "all connections",
        default=False,
        help_text="Sees every connection, present and future. Otherwise only the connections chosen below.",
    )
    connections = models.ManyToManyField(
        Connection,
        blank=True,
        related_name="api_tokens",
        verbose_name="connections",
        help_text="The only tenants this token sees (when it does not see all connections).",
    )
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
    last_used_at = models.DateTimeField(
        "last used", null=True, blank=True, editable=False, help_text="Updated at most once a minute."
    )
    expires_at = models.DateTimeField(
        "expires",
        null=True,
        blank=True,
        help_text="After this the token is refused. Empty: it never expires (not recommended).",
    )
    revoked_at = models.DateTimeField(
        "revoked", null=True, blank=True, editable=False, help_text="A revoked token is refused for good."
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, *, now) -> bool:
        return self.expires_at is not None and self.expires_at <= now
