"""The mirror in the admin: look, search and filter; never edit (the sync owns every row)."""

from __future__ import annotations

from django.contrib import admin

from integrations.admin.view_only import ViewOnlyAdmin, pretty_json

from .admin_actions import state_full_reconcile, state_reset_cursor, state_sync_now
from .models import Candidate, IcimsUser, Job, SyncRun, SyncState
from .selectors import sync_daily_calls, walk_forecast


class MirroredRecordAdmin(ViewOnlyAdmin):
    list_filter = ["connection", "scope_state", "folder", "updateddate"]
    list_select_related = ["connection"]
    date_hierarchy = "updateddate"
    bookkeeping_fieldsets = [
        ("Scope", {"fields": ["scope_state", "scope_changed_at"]}),
        (
            "Sync",
            {
                "classes": ["collapse"],
                "fields": ["synced_at", "seen_at", "created_at", "content_hash", "raw_profile"],
            },
        ),
    ]

    @admin.display(description="raw profile")
    def raw_profile(self, obj) -> str:
        return pretty_json(obj.raw)


@admin.register(Job)
class JobAdmin(MirroredRecordAdmin):
    list_display = [
        "icims_id",
        "jobid",
        "jobtitle",
        "folder",
        "hiringmanager_name",
        "recruiter_name",
        "joblocation",
        "scope_state",
        "updateddate",
        "connection",
    ]
    list_display_links = ["icims_id", "jobid", "jobtitle"]
    readonly_fields = ["raw_profile"]
    search_fields = ["=icims_id", "jobid", "jobtitle", "hiringmanager_name", "recruiter_name"]

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ["connection", "icims_id", "jobid", "jobtitle", "folder", "folder_id", "updateddate"]}),
            (
                "Hiring team",
                {
                    "fields": [
                        ("hiringmanager_name", "hiringmanager_icims_id"),
                        ("recruiter_name", "recruiter_icims_id"),
                        ("secondaryrecruiter_name", "secondaryrecruiter_icims_id"),
                        ("jobowner_name", "jobowner_icims_id"),
                    ]
                },
            ),
            ("Location", {"fields": [("joblocation", "joblocation_icims_id")]}),
            *self.bookkeeping_fieldsets,
        ]


class PersonRecordAdmin(MirroredRecordAdmin):
    list_display = [
        "icims_id",
        "lastname",
        "firstname",
        "email",
        "folder",
        "location",
        "has_resume",
        "scope_state",
        "updateddate",
        "connection",
    ]
    list_display_links = ["icims_id", "lastname", "firstname"]
    readonly_fields = ["raw_profile", "phone_numbers"]
    search_fields = ["=icims_id", "firstname", "lastname", "email"]

    def get_fieldsets(self, request, obj=None):
        return [
            (
                None,
                {
                    "fields": [
                        "connection",
                        "icims_id",
                        "firstname",
                        "middlename",
                        "lastname",
                        "email",
                        "folder",
                        "folder_id",
                        "updateddate",
                    ]
                },
            ),
            ("Contact", {"fields": ["phone_numbers", "location", "has_resume", "resume_url"]}),
            *self.bookkeeping_fieldsets,
        ]

    @admin.display(description="phones")
    def phone_numbers(self, obj) -> str:
        shown = []
        for phone in obj.phones:
            if not isinstance(phone, dict):
                continue
            text = phone.get("number", "")
            if phone.get("extension"):
                text += f" ext. {phone['extension']}"
            if phone.get("type"):
                text = f"{phone['type']}: {text}"
            shown.append(text)
        return "; ".join(shown)


@admin.register(Candidate)
class CandidateAdmin(PersonRecordAdmin):
    pass


@admin.register(IcimsUser)
class IcimsUserAdmin(PersonRecordAdmin):
    pass


@admin.register(SyncRun)
class SyncRunAdmin(ViewOnlyAdmin):
    list_display = [
        "started_at",
        "connection",
        "entity",
        "mode",
        "status",
        "fell_back_to_search",
        "seen_count",
        "created_count",
        "updated_count",
        "unchanged_count",
        "left_scope_count",
        "deleted_count",
        "calls_spent",
        "progress",
        "finished_at",
    ]
    list_filter = ["connection", "entity", "mode", "status", "fell_back_to_search", "started_at"]
    search_fields = ["connection__name", "connection__customer_id", "error"]
    list_select_related = ["connection"]
    date_hierarchy = "started_at"
    readonly_fields = ["progress"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "connection",
                    "entity",
                    "mode",
                    "status",
                    "fell_back_to_search",
                    "started_at",
                    "finished_at",
                    "heartbeat_at",
                    "error",
                ]
            },
        ),
        ("Window or cursor", {"fields": [("window_start", "window_end"), "cursor_in", "cursor_out"]}),
        (
            "Counts",
            {
                "fields": [
                    "seen_count",
                    "created_count",
                    "updated_count",
                    "unchanged_count",
                    "left_scope_count",
                    "deleted_count",
                    "calls_spent",
                    "progress",
                ]
            },
        ),
    ]

    @admin.display(description="progress")
    def progress(self, obj) -> str:
        return obj.progress


@admin.register(SyncState)
class SyncStateAdmin(ViewOnlyAdmin):
    list_display = [
        "connection",
        "entity",
        "last_success_at",
        "search_watermark",
        "walk_progress",
        "last_full_run_at",
        "last_error_at",
    ]
    readonly_fields = ["walk_progress"]
    actions = [state_sync_now, state_full_reconcile, state_reset_cursor]
    list_filter = ["connection", "entity"]
    list_select_related = ["connection"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "connection",
                    "entity",
                    "last_success_at",
                    "last_error",
                    "last_error_at",
                    "last_full_run_at",
                    "updated_at",
                ]
            },
        ),
        (
            "Cursors",
            {
                "fields": [
                    "search_watermark",
                    "stream_key",
                    "walk_progress",
                    "backfill_window_end",
                    "backfill_checkpoint",
                    "backfill_started_at",
                    "scope_folders",
                ]
            },
        ),
    ]

    @admin.display(description="full walk")
    def walk_progress(self, obj) -> str:
        return walk_forecast(state=obj, daily_calls=sync_daily_calls(connection=obj.connection)) or "none pending"

    def has_sync_permission(self, request) -> bool:
        """Starting or resetting a sync is editing the connection: super admins, not CSMs."""
        return request.user.has_perm("integrations.change_connection")
