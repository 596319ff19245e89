"""Admin pages scoped to the tenants a person sees (integrations/selectors/tenancy.py).

Mixed into every admin whose rows belong to a connection: the list, the change pages (another
tenant's row is "not found"), the connection filter in the sidebar and the connection choices in
forms all show only the CSM's own tenants. Superusers see everything.
"""

from __future__ import annotations

from django.contrib import admin

from ..models import Connection
from ..selectors.tenancy import connections_visible_to, tenant_rows_visible_to, user_sees_every_tenant


class TenantScopedAdminMixin:
    # The lookup from a row to its connection; "pk" on the connection admin itself.
    connection_path = "connection"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.connection_path == "pk":
            if user_sees_every_tenant(user=request.user):
                return queryset
            return queryset.filter(pk__in=connections_visible_to(user=request.user))
        return tenant_rows_visible_to(user=request.user, queryset=queryset, connection_path=self.connection_path)

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if user_sees_every_tenant(user=request.user):
            return filters
        # The plain related filter lists every connection by name; this one only those in the CSM's rows.
        return [
            (entry, admin.RelatedOnlyFieldListFilter) if entry == self.connection_path else entry for entry in filters
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Connection:
            kwargs["queryset"] = connections_visible_to(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
