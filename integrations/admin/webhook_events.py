"""Webhook events in the admin: read-only, searchable, and replayable by those allowed to."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator

from ..models import Connection, WebhookEvent
from ..services.webhook_event_ingest import headers_redact
from ..services.webhook_events_replay import webhook_events_replay, webhook_events_replay_failed
from .view_only import ViewOnlyAdmin, pretty_json
from .waiting import WaitingFilter, waiting_label

REPLAY_PERMISSION = "integrations.change_webhookevent"


class ReplayFailedForm(forms.Form):
    since = forms.SplitDateTimeField(
        label="received since",
        widget=admin.widgets.AdminSplitDateTime,
        help_text="Every failed event received at or after this time (UTC) is processed again.",
    )
    connection = forms.ModelChoiceField(
        Connection.objects.all(), required=False, label="connection", help_text="Blank: every connection."
    )


@admin.register(WebhookEvent)
class WebhookEventAdmin(ViewOnlyAdmin):
    """Events are a record of what iCIMS sent; replay is the only thing to do with them."""

    list_display = [
        "received_at",
        "connection",
        "event_type",
        "state",
        "system_id",
        "person_id",
        "attempts",
        "waiting",
        "short_outcome",
    ]
    list_filter = ["state", WaitingFilter, "event_type", "connection", ("received_at", admin.DateFieldListFilter)]
    list_select_related = ["connection"]
    search_fields = ["customer_id", "system_id", "person_id", "job_id", "user_id", "dedupe_key"]
    date_hierarchy = "received_at"
    actions = ["replay_selected"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "connection",
                    "event_type",
                    "customer_id",
                    "received_at",
                    "state",
                    "state_changed_at",
                    "attempts",
                    "processed_at",
                    "waiting_since",
                    "waiting_until",
                    "waiting_reason",
                    "outcome",
                    "last_error",
                ]
            },
        ),
        ("iCIMS ids", {"fields": ["system_id", "person_id", "job_id", "user_id", "old_status", "new_status"]}),
        ("As received", {"classes": ["collapse"], "fields": ["payload_pretty", "headers_pretty", "dedupe_key"]}),
    ]
    readonly_fields = [name for fieldset in fieldsets for name in fieldset[1]["fields"]]
    change_list_template = "admin/integrations/webhookevent/change_list.html"

    def has_replay_permission(self, request):
        return request.user.has_perm(REPLAY_PERMISSION)

    @admin.display(description="waiting", ordering="waiting_since")
    def waiting(self, event: WebhookEvent) -> str:
        return waiting_label(since=event.waiting_since, until=event.waiting_until, reason=event.waiting_reason)

    @admin.display(description="outcome")
    def short_outcome(self, event: WebhookEvent) -> str:
        return Truncator(event.last_error or event.outcome).chars(80)

    @admin.display(description="payload")
    def payload_pretty(self, event: WebhookEvent) -> str:
        return pretty_json(event.payload)

    @admin.display(description="request headers")
    def headers_pretty(self, event: WebhookEvent) -> str:
        # Stored redacted already; redacting again costs nothing and guards rows written any other way.
        return pretty_json(headers_redact(headers=event.headers))

    @admin.action(description="Replay selected events", permissions=["replay"])
    def replay_selected(self, request, queryset):
        count = webhook_events_replay(events=queryset)
        skipped = queryset.count() - count
        message = f"{count} event(s) sent for processing again."
        if skipped:
            message += f" {skipped} skipped: a worker is processing them right now."
        self.message_user(request, message, messages.SUCCESS if count else messages.WARNING)

    def get_urls(self):
        return [
            path(
                "replay-failed/",
                self.admin_site.admin_view(self.replay_failed_view),
                name="integrations_webhookevent_replay_failed",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_replay": self.has_replay_permission(request)}
        return super().changelist_view(request, extra_context=extra_context)

    def replay_failed_view(self, request):
        if not self.has_replay_permission(request):
            raise PermissionDenied
        form = ReplayFailedForm(request.POST or None, initial={"since": timezone.now() - timedelta(days=1)})
        if request.method == "POST" and form.is_valid():
            count = webhook_events_replay_failed(
                since=form.cleaned_data["since"], connection=form.cleaned_data["connection"]
            )
            self.message_user(
                request,
                f"{count} failed event(s) sent for processing again.",
                messages.SUCCESS if count else messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:integrations_webhookevent_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Replay failed webhook events",
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/integrations/webhookevent/replay_failed.html", context)
