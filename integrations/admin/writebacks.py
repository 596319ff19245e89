"""The write-back outbox in the admin: every change we sent to iCIMS, its attempts, and "retry now"."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.utils.html import format_html

from ..models import Writeback, WritebackAttempt
from ..services.writeback_retry import writebacks_retry_now

RETRY_PERMISSION = "integrations.change_writeback"


class WritebackAttemptInline(admin.TabularInline):
    model = WritebackAttempt
    fields = ["started_at", "finished_at", "outcome", "http_status", "error", "response_headers"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Writeback)
class WritebackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "connection", "action", "state", "attempts", "next_attempt_at", "scheduling_request",
                    "short_error"]
    list_filter = ["state", "action", "connection"]
    list_select_related = ["connection", "scheduling_request"]
    search_fields = ["=idempotency_key", "scheduling_request__workflow_id"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    inlines = [WritebackAttemptInline]
    fieldsets = [
        (None, {"fields": ["connection", "scheduling_request", "action", "state", "attempts", "next_attempt_at",
                           "last_error", "created_at", "updated_at", "completed_at"]}),
        ("What was sent and what came back", {"fields": ["idempotency_key", "payload_pretty", "result_pretty"]}),
    ]
    readonly_fields = [name for fieldset in fieldsets for name in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the outbox is a record; "retry now" is the one thing a person does with it

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm(RETRY_PERMISSION)

    @admin.display(description="last error")
    def short_error(self, writeback: Writeback) -> str:
        text = writeback.last_error
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description="payload")
    def payload_pretty(self, writeback: Writeback) -> str:
        return format_html("<pre>{}</pre>", json.dumps(writeback.payload, indent=2, sort_keys=True))

    @admin.display(description="result")
    def result_pretty(self, writeback: Writeback) -> str:
        return format_html("<pre>{}</pre>", json.dumps(writeback.result, indent=2, sort_keys=True))

    @admin.action(description="Retry now (dead or retrying only)", permissions=["retry"])
    def retry_now(self, request, queryset):
        count = writebacks_retry_now(writebacks=queryset)
        skipped = queryset.count() - count
        message = f"{count} write-back(s) sent again."
        if skipped:
            message += f" {skipped} skipped: only dead or retrying write-backs are retried."
        self.message_user(request, message, messages.SUCCESS if count else messages.WARNING)
