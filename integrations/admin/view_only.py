"""Admin pieces for records people read but never edit: mirrors, ledgers, events, outboxes."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from .tenancy import TenantScopedAdminMixin


class ViewOnlyAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    """Readable by whoever has the view permission (a CSM: only their tenants' rows); nobody adds,
    changes or deletes.

    These rows are records written by the portal itself (a sync, a webhook, an outbox): an edit
    by hand would make them say something that did not happen. Actions such as replay or retry
    are declared on the subclasses, each with its own permission.
    """

    # Some of these tables hold millions of rows: skip the unfiltered COUNT(*) on filtered pages.
    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def pretty_json(value) -> str:
    """A JSON value as readable, escaped HTML for a read-only field."""
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False))
