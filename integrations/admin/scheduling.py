"""Scheduling requests in the admin: what the triggers started, read-only (CSMs may view them)."""

from __future__ import annotations

from django.contrib import admin

from ..models import SchedulingRequest
from .view_only import ViewOnlyAdmin


@admin.register(SchedulingRequest)
class SchedulingRequestAdmin(ViewOnlyAdmin):
    """Only iCIMS triggers start a request, and the scheduling platform changes it, through the API."""

    list_display = [
        "created_at",
        "connection",
        "workflow_id",
        "candidate_id",
        "job_id",
        "trigger_stage",
        "state",
        "advance_outcome",
    ]
    list_filter = ["state", "connection", ("trigger_stage", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["connection", "trigger_stage"]
    search_fields = ["=workflow_id", "=candidate_id", "=job_id"]
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["connection", "workflow_id", "candidate_id", "job_id", "trigger_stage", "state"]}),
        (
            "History",
            {
                "fields": [
                    "created_at",
                    "opened_at",
                    "scheduled_at",
                    "cancelled_at",
                    "updated_at",
                    "last_event",
                    "advance_outcome",
                ]
            },
        ),
    ]
    readonly_fields = [name for fieldset in fieldsets for name in fieldset[1]["fields"]]
