"""Stages in the admin: the list a CSM edits triggers in, and the import (upload, preview, confirm)
and export pages. The pages are thin: the work is in services/stages_import.py and stages_export.py."""

from __future__ import annotations

import copy
import secrets

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from integrations.icims.errors import IcimsError

from ..models import Connection, Stage, StageLintReport
from ..services.stages_export import stages_export_csv, stages_export_file_name
from ..services.stages_import import (
    StagesImportPlan,
    StagesImportRejected,
    StagesMassDeactivationUnconfirmed,
    stages_import_apply,
    stages_import_preview,
)
from ..services.stages_refresh import stages_refresh_preview
from ..services.stages_triggers import stage_edit_errors
from ..stages_file import MAX_FILE_BYTES, StagesFileError, stages_rows_dump, stages_rows_load

# The parsed rows of the last error-free preview, kept server-side (the session lives in the
# database) so any web process can confirm it without the file being uploaded again.
PREVIEW_SESSION_KEY = "stages_import_preview"
PREVIEW_ROWS_SHOWN = 200


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = [
            "connection",
            "bin",
            "status",
            "status_id",
            "is_active",
            "position",
            "triggers_scheduling",
            "advance_to",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        advance_to = self.fields.get("advance_to")
        if advance_to is not None and self.instance.connection_id:
            advance_to.queryset = (
                Stage.objects.filter(connection_id=self.instance.connection_id, is_active=True)
                .exclude(pk=self.instance.pk)
                .exclude(status_id="")
            )

    def clean(self):
        cleaned = super().clean()
        edited = copy.copy(self.instance)
        for name in self._meta.fields or ():
            if name in cleaned:
                setattr(edited, name, cleaned[name])
        if not edited.connection_id:
            return cleaned
        for name, message in stage_edit_errors(stage=edited).items():
            # On the changelist only some fields are editable; report the rest on the row.
            self.add_error(name if name in self.fields else None, message)
        return cleaned


class StagesImportForm(forms.Form):
    connection = forms.ModelChoiceField(Connection.objects.all(), help_text="The tenant the file belongs to.")
    file = forms.FileField(
        help_text="The tenant's bins & statuses export, CSV or XLSX, with columns Bin, Status and Status ID "
        f"(at most {MAX_FILE_BYTES // 1024 // 1024} MB)."
    )


class StagesExportForm(forms.Form):
    connection = forms.ModelChoiceField(Connection.objects.all())


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    form = StageForm
    list_display = ["status", "bin", "status_id", "connection", "is_active", "triggers_scheduling", "advance_to"]
    list_display_links = ["status"]
    list_editable = ["triggers_scheduling"]
    list_filter = ["connection", "is_active", "triggers_scheduling", ("bin", admin.AllValuesFieldListFilter)]
    search_fields = ["status", "bin", "status_id", "connection__name", "connection__customer_id"]
    list_select_related = ["connection", "advance_to"]
    list_per_page = 100
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["connection", "bin", "status", "status_id", "is_active"]}),
        ("Scheduling", {"fields": ["triggers_scheduling", "advance_to"]}),
        ("Details", {"classes": ["collapse"], "fields": ["position", "created_at", "updated_at"]}),
    ]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=StageForm, **kwargs)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="integrations_stage_import"),
            path("import/confirm/", view(self.import_confirm_view), name="integrations_stage_import_confirm"),
            path("import/refresh/", view(self.import_refresh_view), name="integrations_stage_import_refresh"),
            path("export/", view(self.export_view), name="integrations_stage_export"),
            *super().get_urls(),
        ]

    def _check_can_import(self, request: HttpRequest) -> None:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied

    def import_view(self, request: HttpRequest) -> HttpResponse:
        self._check_can_import(request)
        form = StagesImportForm(
            request.POST or None,
            request.FILES or None,
            initial={
                "connection": request.GET.get("connection"),
            },
        )
        return self._import_page(request, form)

    def _import_page(self, request: HttpRequest, form: StagesImportForm, refresh_error: str = "") -> HttpResponse:
        if request.method == "POST" and form.is_bound and form.is_valid():
            upload = form.cleaned_data["file"]
            connection = form.cleaned_data["connection"]
            try:
                if upload.size > MAX_FILE_BYTES:
                    raise StagesFileError(
                        f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
                        f"{MAX_FILE_BYTES // 1024 // 1024} MB."
                    )
                plan = stages_import_preview(
                    connection=connection, content=upload.read(MAX_FILE_BYTES + 1), file_name=upload.name
                )
            except StagesFileError as error:
                form.add_error("file", str(error))
            else:
                return self._preview_response(request, plan)
        return TemplateResponse(
            request,
            "admin/integrations/stage/import_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Import stages",
                "form": form,
                "refresh_form": StagesExportForm(initial={"connection": request.GET.get("connection")}),
                "refresh_error": refresh_error,
            },
        )

    def import_refresh_view(self, request: HttpRequest) -> HttpResponse:
        """Read the bins and statuses from iCIMS and preview them exactly like an uploaded file."""
        self._check_can_import(request)
        if request.method != "POST":
            return redirect("admin:integrations_stage_import")
        form = StagesExportForm(request.POST)
        if not form.is_valid():
            return redirect("admin:integrations_stage_import")
        connection = form.cleaned_data["connection"]
        try:
            plan = stages_refresh_preview(connection=connection)
        except (IcimsError, StagesFileError) as error:
            message = error.message if isinstance(error, IcimsError) else str(error)
            return self._import_page(
                request,
                StagesImportForm(initial={"connection": connection.pk}),
                f"Could not refresh from iCIMS: {message}",
            )
        return self._preview_response(request, plan)

    def _preview_response(self, request: HttpRequest, plan: StagesImportPlan) -> HttpResponse:
        token = ""
        if plan.can_apply:
            token = secrets.token_urlsafe(16)
            request.session[PREVIEW_SESSION_KEY] = {
                "token": token,
                "connection_id": plan.connection.pk,
                "file_name": plan.file_name,
                "rows": stages_rows_dump(plan.rows),
                "deactivations": len(plan.deactivated),
            }
        else:
            request.session.pop(PREVIEW_SESSION_KEY, None)
        sections = [
            ("add", "To add", plan.added),
            ("change", "To change", plan.changed),
            ("deactivate", "To deactivate (missing from the file; kept, never deleted)", plan.deactivated),
            ("keep", "Unchanged", plan.kept),
        ]
        return TemplateResponse(
            request,
            "admin/integrations/stage/import_preview.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Import stages for {plan.connection}: preview",
                "plan": plan,
                "token": token,
                "sections": [
                    {
                        "key": key,
                        "title": title,
                        "count": len(items),
                        "items": items[:PREVIEW_ROWS_SHOWN],
                        "hidden": max(0, len(items) - PREVIEW_ROWS_SHOWN),
                    }
                    for key, title, items in sections
                ],
            },
        )

    def import_confirm_view(self, request: HttpRequest) -> HttpResponse:
        self._check_can_import(request)
        if request.method != "POST":
            return redirect("admin:integrations_stage_import")
        preview = request.session.get(PREVIEW_SESSION_KEY)
        if not preview or not secrets.compare_digest(preview["token"], request.POST.get("token", "")):
            messages.error(
                request,
                "This preview is no longer available (it was confirmed, replaced by a newer "
                "upload, or the session ended). Upload the file again.",
            )
            return redirect("admin:integrations_stage_import")
        connection = Connection.objects.filter(pk=preview["connection_id"]).first()
        if connection is None:
            request.session.pop(PREVIEW_SESSION_KEY, None)
            messages.error(request, "The connection was deleted; nothing was imported.")
            return redirect("admin:integrations_stage_import")
        # Many deactivations are applied only when the person typed how many (the preview asks for it).
        typed = request.POST.get("confirm_deactivations", "").strip()
        try:
            plan = stages_import_apply(
                connection=connection,
                rows=stages_rows_load(preview["rows"]),
                file_name=preview["file_name"],
                user_id=request.user.pk,
                allow_mass_deactivation=typed == str(preview.get("deactivations")),
            )
        except StagesImportRejected as rejected:
            messages.error(request, f"The stages changed since the preview: {rejected}")
            return self._preview_response(request, rejected.plan)
        except StagesMassDeactivationUnconfirmed as unconfirmed:
            messages.error(
                request,
                f"Nothing was imported: type {len(unconfirmed.plan.deactivated)} to confirm that "
                f"{len(unconfirmed.plan.deactivated)} stages become inactive.",
            )
            return self._preview_response(request, unconfirmed.plan)
        request.session.pop(PREVIEW_SESSION_KEY, None)
        messages.success(request, f"Imported stages for {connection} from {plan.file_name}: {plan.summary}.")
        return redirect(reverse("admin:integrations_stage_changelist") + f"?connection__id__exact={connection.pk}")

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = StagesExportForm(request.GET if "connection" in request.GET else None)
        if form.is_valid():
            connection = form.cleaned_data["connection"]
            response = HttpResponse(stages_export_csv(connection=connection), content_type="text/csv; charset=utf-8")
            file_name = stages_export_file_name(connection=connection)
            response["Content-Disposition"] = f'attachment; filename="{file_name}"'
            return response
        return TemplateResponse(
            request,
            "admin/integrations/stage/export_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Export stages",
                "form": form,
            },
        )

    @staticmethod
    def _lint_reports(connection_id: str) -> list[StageLintReport]:
        reports = StageLintReport.objects.select_related("connection").order_by("connection__name")
        if connection_id.isdecimal():
            reports = reports.filter(connection_id=int(connection_id))
        return [report for report in reports if report.finding_count or report.note]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "can_import_stages": self.has_add_permission(request) and self.has_change_permission(request),
            "filtered_connection_id": request.GET.get("connection__id__exact", ""),
            "stage_lint_reports": self._lint_reports(request.GET.get("connection__id__exact", "")),
        }
        return super().changelist_view(request, extra_context)
