"""Connections in the admin: super admins register and edit tenants; CSMs only look, and never at credentials."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.debug import sensitive_post_parameters

from sync.admin_actions import full_reconcile, reset_cursor, sync_now

from ..models import SECRET_FIELDS, Connection
from ..roles import csm_users
from ..selectors.connection_onboarding import connection_onboarding_progress, connections_with_onboarding_facts
from ..services.audit_record import audit_secrets_changed
from ..services.connection_history import connection_field_labels
from ..services.connection_pause import connections_set_active
from ..services.connection_save import connection_save
from .alerts import AlertSettingsInline
from .connection_actions import run_connection_test
from .connection_charts import chart_window_from, connection_charts_html, connection_charts_view
from .connection_credential_links import ConnectionCredentialLinkAdminMixin
from .connection_forms import ConnectionForm, clear_field_name
from .connection_health import (
    HealthFilter,
    calls_against_allowance,
    connection_status_context,
    data_age,
    health_badge,
    stored_health,
)
from .connection_testing import ConnectionTestingAdminMixin
from .tenancy import TenantScopedAdminMixin

PROGRESS_FIELDS = [
    "credentials_verified_at",
    "webhook_first_seen_at",
    "initial_sync_done_at",
    "created_at",
    "updated_at",
]


@admin.register(Connection)
class ConnectionAdmin(
    ConnectionCredentialLinkAdminMixin, ConnectionTestingAdminMixin, TenantScopedAdminMixin, admin.ModelAdmin
):
    form = ConnectionForm
    connection_path = "pk"
    # Declared on the form as write-only fields; excluded here so the model never gets a blank "keep".
    exclude = SECRET_FIELDS
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_form_template = "admin/integrations/connection/change_form.html"
    list_display = [
        "name",
        "health_state",
        "health_data_age",
        "health_last_error",
        "health_calls_today",
        "customer_id",
        "region",
        "onboarding_progress",
    ]
    list_filter = [HealthFilter, "is_active", "region"]
    list_select_related = ["health"]
    search_fields = ["name", "customer_id"]
    actions = ["pause", "resume", run_connection_test, sync_now, full_reconcile, reset_cursor]
    readonly_fields = ["required_scopes", "webhook_url_for_icims", "data_stream_found", *PROGRESS_FIELDS]
    inlines = [AlertSettingsInline]

    class Media:
        css = {"all": ["admin/integrations/health.css"]}

    def get_urls(self):
        def charts(request, object_id):
            return connection_charts_view(self, request, object_id)

        return [
            path("<path:object_id>/charts/", self.admin_site.admin_view(charts), name="integrations_connection_charts"),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        # Secrets load only where they are read (one connection's page, an action): the list decrypts none,
        # and a row whose secret no key decrypts cannot take the whole list down with it.
        queryset = super().get_queryset(request).defer(*SECRET_FIELDS)
        return connections_with_onboarding_facts(queryset)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "csms":
            kwargs["queryset"] = csm_users()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        # Only those who may edit a connection see its credential fields, and even they see no values.
        may_edit = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)

        def secret(name: str):
            return (name, clear_field_name(name)) if obj is not None and getattr(obj, name) else name

        stream_fields = ["stream_id", "data_stream_found"] if obj is not None else ["stream_id"]
        fieldsets = [(None, {"fields": ["name", "customer_id", *stream_fields, "region", "is_active"]})]
        if may_edit:
            fieldsets.append(("Access", {"fields": ["csms"]}))
            fieldsets.append(
                (
                    "Credentials",
                    {
                        "fields": [
                            "credential_mode",
                            "client_id",
                            secret("client_secret"),
                            "writeback_client_id",
                            secret("writeback_client_secret"),
                        ]
                    },
                )
            )
        fieldsets.append(
            (
                "Features",
                {
                    "fields": [
                        "trigger_mode",
                        "interview_sync_enabled",
                        "feedback_enabled",
                        "auto_advance_enabled",
                        "required_scopes",
                    ]
                },
            )
        )
        fieldsets.append(("Sync", {"fields": ["candidate_folders", "user_folders", "field_map", "hourly_call_budget"]}))
        webhook_fields = ["webhook_url_for_icims", "webhook_auth"]
        if may_edit:
            webhook_fields += [
                "webhook_username",
                secret("webhook_password"),
                secret("webhook_hmac_key"),
                secret("webhook_hmac_key_previous"),
            ]
        fieldsets.append(("Webhooks from iCIMS", {"fields": webhook_fields}))
        fieldsets.append(
            (
                "Advanced",
                {
                    "classes": ["collapse"],
                    "description": "Host overrides, for iCIMS sandboxes only. Blank: the region's hosts.",
                    "fields": ["api_url_override", "token_url_override", "stream_url_override"],
                },
            )
        )
        if obj is not None:
            fieldsets.append(("Progress", {"fields": PROGRESS_FIELDS}))
        return fieldsets

    @method_decorator(sensitive_post_parameters(*SECRET_FIELDS))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Status is the default tab; a POST is always the Settings form (re-shown with its errors).
        tab = "settings" if request.method == "POST" or request.GET.get("tab") == "settings" else "status"
        extra_context = {**(extra_context or {}), "connection_tab": tab}
        if tab == "status":
            connection = self.get_object(request, object_id)
            if connection is not None:
                extra_context.update(connection_status_context(connection))
                extra_context["charts_html"] = connection_charts_html(
                    connection=connection, window=chart_window_from(request)
                )
                extra_context.update(self.connection_test_context(request, connection))
                extra_context.update(self.credential_link_context(request, connection))
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        if "_continue" in request.POST and response.status_code == 302:
            response["Location"] += ("&" if "?" in response["Location"] else "?") + "tab=settings"
        return response

    def save_model(self, request, obj, form, change):
        connection_save(connection=obj)
        audit_secrets_changed(
            connection=obj,
            secret_labels=connection_field_labels(getattr(form, "changed_secrets", [])),
            actor=request.user,
        )
        self.resolve_stream_after_save(request, obj, set(form.changed_data))
        self.check_field_map_after_save(request, obj, form)

    def construct_change_message(self, request, form, formsets, add=False):
        """Name a cleared secret like a changed one: the history says which secret changed, never how."""
        message = super().construct_change_message(request, form, formsets, add)
        relabel = {
            form.fields[clear_field_name(name)].label: form.fields[name].label
            for name in SECRET_FIELDS
            if clear_field_name(name) in form.fields
        }
        for entry in message:
            changed = entry.get("changed")
            if changed and "name" not in changed:  # the connection itself, not an inline object
                changed["fields"] = list(dict.fromkeys(relabel.get(label, label) for label in changed["fields"]))
        return message

    @admin.display(description="onboarding")
    def onboarding_progress(self, obj: Connection) -> str:
        return connection_onboarding_progress(connection=obj)

    @admin.display(description="health", ordering="health__rank")
    def health_state(self, obj: Connection) -> str:
        health = stored_health(obj)
        if health is None:
            return health_badge("", "The alerts tick has not checked this connection yet.")
        return format_html('{}<span class="health-reason">{}</span>', health_badge(health.state), health.reason)

    @admin.display(description="data age", ordering="health__data_as_of")
    def health_data_age(self, obj: Connection) -> str:
        health = stored_health(obj)
        return data_age(health.data_as_of) if health else "-"

    @admin.display(description="last error")
    def health_last_error(self, obj: Connection) -> str:
        health = stored_health(obj)
        if health is None or not health.last_error:
            return "-"
        return format_html('<span title="{}">{}</span>', health.last_error, Truncator(health.last_error).chars(80))

    @admin.display(description="iCIMS calls", ordering="health__calls_today")
    def health_calls_today(self, obj: Connection) -> str:
        health = stored_health(obj)
        if health is None:
            return "-"
        return calls_against_allowance(health.calls_today, health.daily_limit, health.daily_remaining)

    @admin.display(description="scopes to ask iCIMS for")
    def required_scopes(self, obj: Connection) -> str:
        return format_html_join(mark_safe("<br>"), "<code>{}</code>", ((scope,) for scope in obj.required_scopes()))

    @admin.display(description="webhook URL to give iCIMS")
    def webhook_url_for_icims(self, obj: Connection) -> str:
        return format_html("<code>{}</code>", obj.webhook_url)

    @admin.action(description="Pause selected connections", permissions=["change"])
    def pause(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(description="Resume selected connections", permissions=["change"])
    def resume(self, request, queryset):
        self._set_active(request, queryset, active=True)

    def _set_active(self, request, queryset, *, active: bool) -> None:
        changed = connections_set_active(connections=queryset, active=active)
        for connection in changed:
            self.log_change(request, connection, [{"changed": {"fields": connection_field_labels(["is_active"])}}])
        verb = "Resumed" if active else "Paused"
        unchanged = queryset.count() - len(changed)
        note = f" ({unchanged} already {'active' if active else 'paused'})" if unchanged else ""
        self.message_user(request, f"{verb} {len(changed)} connection(s){note}.", messages.SUCCESS)
