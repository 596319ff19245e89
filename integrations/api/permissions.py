"""Only callers with an API token get in; which tenants they see is the tenancy module's business."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from integrations.models import ApiToken


class HasApiToken(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiToken)
