"""The write-back outbox in the admin: every change we sent to iCIMS, its attempts, and "retry now"."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.text import Truncator

from ..models import Writeback, WritebackAttempt
from ..services.writebacks_retry_now import writebacks_retry_now
from .view_only import ViewOnlyAdmin, pretty_json
from .waiting import WaitingFilter, waiting_label

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
class WritebackAdmin(ViewOnlyAdmin):
    """The outbox is a record; "retry now" is the one thing a person does with it."""

    list_display = [
        "created_at",
        "connection",
        "action",
        "state",
        "attempts",
        "next_attempt_at",
        "waiting",
        "scheduling_request",
        "short_error",
    ]
    list_filter = ["state", WaitingFilter, "action", "connection"]
    list_select_related = ["connection", "scheduling_request"]
    search_fields = ["=idempotency_key", "scheduling_request__workflow_id"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    inlines = [WritebackAttemptInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "connection",
                    "scheduling_request",
                    "action",
                    "state",
                    "attempts",
                    "next_attempt_at",
                    "waiting_since",
                    "waiting_reason",
                    "last_error",
                    "created_at",
                    "updated_at",
                    "completed_at",
                ]
            },
        ),
        ("What was sent and what came back", {"fields": ["idempotency_key", "payload_pretty", "result_pretty"]}),
    ]
    readonly_fields = [name for fieldset in fieldsets for name in fieldset[1]["fields"]]

    def has_retry_permission(self, request):
        return request.user.has_perm(RETRY_PERMISSION)

    @admin.display(description="waiting", ordering="waiting_since")
    def waiting(self, writeback: Writeback) -> str:
        return waiting_label(
            since=writeback.waiting_since, until=writeback.next_attempt_at, reason=writeback.waiting_reason
        )

    @admin.display(description="last error")
    def short_error(self, writeback: Writeback) -> str:
        return Truncator(writeback.last_error).chars(80)

    @admin.display(description="payload")
    def payload_pretty(self, writeback: Writeback) -> str:
        return pretty_json(writeback.payload)

    @admin.display(description="result")
    def result_pretty(self, writeback: Writeback) -> str:
        return pretty_json(writeback.result)

    @admin.action(description="Retry now (dead or retrying only)", permissions=["retry"])
    def retry_now(self, request, queryset):
        count = writebacks_retry_now(writebacks=queryset)
        skipped = queryset.count() - count
        message = f"{count} write-back(s) sent again."
        if skipped:
            message += f" {skipped} skipped: only dead or retrying write-backs are retried."
        self.message_user(request, message, messages.SUCCESS if count else messages.WARNING)
