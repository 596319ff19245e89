"""Scheduling requests in the admin: what the triggers started, read-only (CSMs may view them).

A request's page follows one candidate: names from the mirror and the stages, and one timeline of its
webhook events, decisions and write-backs with their attempts, each linked.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..models import SchedulingRequest, WebhookEvent, Writeback
from ..selectors.scheduling_request_timeline import (
    scheduling_request_timeline,
    scheduling_requests_with_names,
    stage_names,
)
from .csv_export import csv_export_action
from .view_only import ViewOnlyAdmin


def _named(name: str | None, icims_id: str) -> str:
    return format_html("{} <small>(iCIMS id {})</small>", name, icims_id) if name else f"iCIMS id {icims_id}"


@admin.register(SchedulingRequest)
class SchedulingRequestAdmin(ViewOnlyAdmin):
    """Only iCIMS triggers start a request, and the scheduling platform changes it, through the API."""

    list_display = [
        "created_at",
        "connection",
        "workflow_id",
        "candidate",
        "job",
        "trigger_stage",
        "state",
        "advance_outcome",
    ]
    list_filter = ["state", "connection", ("trigger_stage", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["connection", "trigger_stage"]
    search_fields = ["=workflow_id", "=candidate_id", "=job_id", "connection__name"]
    search_help_text = "An iCIMS workflow, candidate (person) or job id, exactly; or part of a connection's name."
    date_hierarchy = "created_at"
    actions = [
        csv_export_action(
            columns=[
                "id",
                "created_at",
                "connection__name",
                "workflow_id",
                "candidate_id",
                "candidate_name",
                "job_id",
                "job_title",
                "trigger_stage__status",
                "trigger_stage__status_id",
                "state",
                "opened_at",
                "scheduled_at",
                "cancelled_at",
                "advance_outcome",
            ],
            file_prefix="scheduling-requests",
            select_related=["connection", "trigger_stage"],
        )
    ]
    fieldsets = [
        (
            None,
            {"fields": ["connection", "workflow_id", "candidate", "job", "trigger_stage", "current_status", "state"]},
        ),
        ("Timeline", {"fields": ["timeline"]}),
        (
            "Dates",
            {
                "classes": ["collapse"],
                "fields": [
                    "created_at",
                    "opened_at",
                    "scheduled_at",
                    "cancelled_at",
                    "updated_at",
                    "last_event",
                    "advance_outcome",
                ],
            },
        ),
    ]
    readonly_fields = [name for fieldset in fieldsets for name in fieldset[1]["fields"]]

    def get_queryset(self, request):
        return scheduling_requests_with_names(super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # The timeline links only to pages this person may open (a CSM sees no webhook events).
            obj.viewer_may_open = {
                model: request.user.has_perm(f"integrations.view_{model._meta.model_name}")
                for model in (WebhookEvent, Writeback)
            }
        return obj

    @admin.display(description="candidate", ordering="candidate_name")
    def candidate(self, obj: SchedulingRequest) -> str:
        return _named(obj.candidate_name, obj.candidate_id)

    @admin.display(description="job", ordering="job_title")
    def job(self, obj: SchedulingRequest) -> str:
        return _named(obj.job_title, obj.job_id)

    @admin.display(description="status in iCIMS (last event)")
    def current_status(self, obj: SchedulingRequest) -> str:
        event = obj.last_event
        if event is None or not event.new_status:
            return "unknown"
        names = stage_names(connection_id=obj.connection_id, status_ids={event.new_status})
        name = names.get(event.new_status)
        return format_html("{} <small>(status id {})</small>", name, event.new_status) if name else event.new_status

    @admin.display(description="what happened, oldest first")
    def timeline(self, obj: SchedulingRequest) -> str:
        entries = scheduling_request_timeline(request=obj)
        if not entries:
            return "Nothing yet."
        rows = format_html_join(
            "",
            '<tr class="timeline-{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    entry.kind.replace(" ", "-"),
                    f"{entry.at:%Y-%m-%d %H:%M:%S} UTC",
                    entry.kind,
                    self._link(entry.record, entry.title, getattr(obj, "viewer_may_open", {})),
                    entry.detail,
                )
                for entry in entries
            ),
        )
        return format_html(
            '<table class="scheduling-timeline"><thead><tr><th>when</th><th>what</th><th></th><th>details</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @staticmethod
    def _link(record, title: str, may_open: dict) -> str:
        for model, url_name in ((WebhookEvent, "webhookevent"), (Writeback, "writeback")):
            if isinstance(record, model) and may_open.get(model):
                return format_html(
                    '<a href="{}">{}</a>', reverse(f"admin:integrations_{url_name}_change", args=[record.pk]), title
                )
        return title
