"""The stages pages as each persona sees them: upload → preview → confirm, export, and hand edits
of triggers. The super admin and the CSM may import; the anonymous visitor is sent to log in."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from integrations.admin.stages import PREVIEW_SESSION_KEY
from integrations.models import Connection, Stage
from integrations.services.stages_lint import stages_lint
from integrations.stages_file import MAX_FILE_BYTES
from tests.integrations.stages_corpus import STANDARD_STAGES, big_export_bytes, corpus_file

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:integrations_stage_import")
CONFIRM_URL = reverse("admin:integrations_stage_import_confirm")
EXPORT_URL = reverse("admin:integrations_stage_export")
CHANGELIST_URL = reverse("admin:integrations_stage_changelist")


@pytest.fixture(params=["superadmin_client", "csm_client"])
def importer_client(request):
    """Each persona allowed to import stages."""
    return request.getfixturevalue(request.param)


def upload(client, connection, name: str, content: bytes | None = None):
    file = SimpleUploadedFile(name, corpus_file(name) if content is None else content)
    return client.post(IMPORT_URL, {"connection": connection.pk, "file": file})


def confirm_token(response) -> str:
    return response.context["token"]


def stored(connection):
    return list(connection.stages.order_by("position").values_list("bin", "status", "status_id", "is_active"))


@pytest.mark.parametrize("url", [IMPORT_URL, CONFIRM_URL, EXPORT_URL, CHANGELIST_URL])
def test_the_anonymous_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def test_an_anonymous_upload_writes_nothing(client, connection):
    response = upload(client, connection, "dos_line_endings.csv")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Stage.objects.exists()


def test_staff_outside_the_csm_group_cannot_import(client, connection):
    staff = get_user_model().objects.create_user("sam", password="pw", is_staff=True)
    client.force_login(staff)

    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, connection, "dos_line_endings.csv").status_code == 403
    assert not Stage.objects.exists()


def test_the_changelist_offers_import_and_export(importer_client, connection):
    response = importer_client.get(CHANGELIST_URL, {"connection__id__exact": connection.pk})

    assert f'href="{IMPORT_URL}?connection={connection.pk}"' in response.content.decode()
    assert f'href="{EXPORT_URL}?connection={connection.pk}"' in response.content.decode()


def test_upload_preview_confirm_imports_the_stages_as_the_persona(importer_client, connection):
    form = importer_client.get(IMPORT_URL, {"connection": connection.pk})
    assert form.status_code == 200

    preview = upload(importer_client, connection, "dos_line_endings.csv")

    assert preview.status_code == 200
    assert preview.context["plan"].summary == "8 added, 0 changed, 0 deactivated, 0 unchanged"
    assert b"To add (8)" in preview.content and b'id="stages-import-confirm"' in preview.content
    assert not Stage.objects.exists()  # nothing written before the confirm

    done = importer_client.post(CONFIRM_URL, {"token": confirm_token(preview)})

    assert done.status_code == 302
    assert done["Location"] == f"{CHANGELIST_URL}?connection__id__exact={connection.pk}"
    assert stored(connection) == [(*stage, True) for stage in STANDARD_STAGES]
    summary = LogEntry.objects.get(content_type__model="connection")
    assert summary.user == preview.wsgi_request.user
    assert summary.change_message.startswith("Imported stages from file dos_line_endings.csv: 8 added")
    page = importer_client.get(done["Location"])
    assert "Imported stages for Acme (2187) from dos_line_endings.csv: 8 added" in page.content.decode()


def test_reuploading_the_same_file_previews_all_unchanged(importer_client, connection):
    first = upload(importer_client, connection, "dos_line_endings.csv")
    importer_client.post(CONFIRM_URL, {"token": confirm_token(first)})

    again = upload(importer_client, connection, "valid.xlsx")

    assert again.context["plan"].summary == "1 added, 0 changed, 0 deactivated, 8 unchanged"
    assert b"Unchanged (8)" in again.content


def test_the_preview_shows_changes_and_deactivations(csm_client, connection, superadmin):
    first = upload(csm_client, connection, "dos_line_endings.csv")
    csm_client.post(CONFIRM_URL, {"token": confirm_token(first)})
    content = b"Bin,Status,Status ID\nApplied,New Submissions,D10100\n"

    preview = upload(csm_client, connection, "smaller.csv", content)

    html = preview.content.decode()
    assert "To change (1)" in html and "status: &#x27;New Submissions - External Portal&#x27; → " in html
    assert "To deactivate (missing from the file; kept, never deleted) (7)" in html
    assert connection.stages.filter(is_active=True).count() == 8


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("duplicate_ids.csv", "duplicate Status ID &#x27;C51230&#x27;: also on row 7."),
        ("status_id_under_two_bins.csv", "is under two bins"),
        ("formula_cell.csv", "looks like a spreadsheet formula (starts with &#x27;=&#x27;)"),
        ("missing_status.csv", "Status is missing."),
        ("unreadable_cell.csv", "Status has unreadable characters"),
    ],
)
def test_a_file_with_row_errors_shows_them_and_cannot_be_confirmed(importer_client, connection, name, error):
    preview = upload(importer_client, connection, name)

    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'id="stages-import-errors"' in html and error in html
    assert 'id="stages-import-confirm"' not in html
    assert PREVIEW_SESSION_KEY not in importer_client.session
    done = importer_client.post(CONFIRM_URL, {"token": "anything"})
    assert done["Location"] == IMPORT_URL
    assert not Stage.objects.exists()


def test_a_file_without_status_ids_previews_with_a_warning(importer_client, connection):
    preview = upload(importer_client, connection, "no_status_id.csv")

    assert b'id="stages-import-warnings"' in preview.content and b"no Status ID column" in preview.content
    assert b'id="stages-import-confirm"' in preview.content


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("empty.csv", None, "file is empty."),
        ("header_only.csv", None, "The file has a header but no rows."),
        ("missing_columns.csv", None, "Missing required column(s): Status."),
        ("binary_garbage.csv", None, "not readable text (it contains binary data)"),
        ("huge.csv", b"Bin,Status\n" + b"x" * MAX_FILE_BYTES, "the limit is 10 MB"),
    ],
)
def test_an_unreadable_file_is_refused_on_the_upload_form(importer_client, connection, name, content, error):
    response = upload(importer_client, connection, name, content)

    assert response.status_code == 200
    assert error in response.context["form"].errors["file"][0]
    assert "plan" not in response.context
    assert not Stage.objects.exists()


def test_a_confirmed_preview_cannot_be_replayed(csm_client, connection):
    preview = upload(csm_client, connection, "dos_line_endings.csv")
    csm_client.post(CONFIRM_URL, {"token": confirm_token(preview)})
    Stage.objects.all().delete()

    replay = csm_client.post(CONFIRM_URL, {"token": confirm_token(preview)})

    assert replay["Location"] == IMPORT_URL
    assert not Stage.objects.exists()


def test_a_wrong_token_imports_nothing(csm_client, connection):
    upload(csm_client, connection, "dos_line_endings.csv")

    response = csm_client.post(CONFIRM_URL, {"token": "forged"})

    assert response["Location"] == IMPORT_URL
    assert not Stage.objects.exists()


def test_confirm_rechecks_the_stages_stored_since_the_preview(csm_client, connection):
    content = b"Bin,Status,Status ID\nOffer,Offer Extended,C51230\nHired,Hired,\n"
    preview = upload(csm_client, connection, "mixed.csv", content)
    assert preview.context["plan"].summary == "2 added, 0 changed, 0 deactivated, 0 unchanged"
    # Meanwhile someone stores C51230 under the name the id-less row uses: both rows now match it.
    Stage.objects.create(connection=connection, bin="Hired", status="Hired", status_id="C51230")

    response = csm_client.post(CONFIRM_URL, {"token": confirm_token(preview)})

    assert response.status_code == 200
    assert "matches the same stored stage (Hired / Hired) as row 2." in response.content.decode()
    assert 'id="stages-import-confirm"' not in response.content.decode()
    assert list(Stage.objects.values_list("status", flat=True)) == ["Hired"]


def test_the_preview_survives_into_another_request_without_the_file(csm_client, connection):
    preview = upload(csm_client, connection, "latin1.csv")
    token = confirm_token(preview)
    csm_client.get(CHANGELIST_URL)  # another page in between, perhaps served by another process

    csm_client.post(CONFIRM_URL, {"token": token})

    assert connection.stages.filter(status="Entrevue planifiée").exists()


def test_a_5_mb_file_previews_a_capped_table_and_keeps_every_row_for_the_confirm(csm_client, connection):
    content = big_export_bytes()
    rows = content.count(b"\n") - 1

    preview = upload(csm_client, connection, "big.csv", content)

    assert f"To add ({rows})".encode() in preview.content
    assert f"… and {rows - 200} more.".encode() in preview.content
    # Applying that many rows is timed in the service tests; here: the session holds them all.
    assert len(csm_client.session[PREVIEW_SESSION_KEY]["rows"]) == rows


def test_export_downloads_the_connection_stages(importer_client, connection):
    preview = upload(importer_client, connection, "dos_line_endings.csv")
    importer_client.post(CONFIRM_URL, {"token": confirm_token(preview)})

    response = importer_client.get(EXPORT_URL, {"connection": connection.pk})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="stages-2187.csv"'
    again = upload(importer_client, connection, "stages-2187.csv", response.content)
    assert again.context["plan"].summary == "0 added, 0 changed, 0 deactivated, 8 unchanged"


def test_export_without_a_connection_asks_for_one(csm_client, connection):
    response = csm_client.get(EXPORT_URL)

    assert response.status_code == 200 and b"Download CSV" in response.content


@pytest.fixture
def stages(connection, superadmin):
    stages = {
        status_id: Stage.objects.create(
            connection=connection, bin=bin_name, status=status, status_id=status_id, position=position
        )
        for position, (bin_name, status, status_id) in enumerate(STANDARD_STAGES)
    }
    return stages


def change_form_data(stage: Stage, **changes) -> dict:
    data = {
        "connection": stage.connection_id,
        "bin": stage.bin,
        "status": stage.status,
        "status_id": stage.status_id,
        "is_active": "on" if stage.is_active else "",
        "position": stage.position,
        "triggers_scheduling": "on" if stage.triggers_scheduling else "",
        "advance_to": stage.advance_to_id or "",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value != ""}


def test_a_csm_marks_a_trigger_and_its_advance_to_status(csm_client, csm, stages):
    trigger = stages["C51218"]
    url = reverse("admin:integrations_stage_change", args=[trigger.pk])

    response = csm_client.post(url, change_form_data(trigger, triggers_scheduling="on", advance_to=stages["C51219"].pk))

    assert response.status_code == 302
    trigger.refresh_from_db()
    assert trigger.triggers_scheduling and trigger.advance_to == stages["C51219"]
    entry = LogEntry.objects.get(object_id=str(trigger.pk))
    assert entry.user == csm and "Triggers scheduling" in entry.get_change_message()


def test_the_advance_to_choices_are_active_stages_of_the_same_connection(csm_client, stages):
    other = Connection.objects.create(name="Globex", customer_id="9999")
    foreign = Stage.objects.create(connection=other, bin="Interview", status="Elsewhere", status_id="X1")
    stages["D10300"].is_active = False
    stages["D10300"].save()
    trigger = stages["C51218"]

    form = csm_client.get(reverse("admin:integrations_stage_change", args=[trigger.pk])).context["adminform"].form
    choices = set(form.fields["advance_to"].queryset)

    assert stages["C51219"] in choices
    assert foreign not in choices and trigger not in choices and stages["D10300"] not in choices


def test_advance_to_another_connection_or_without_trigger_is_refused(csm_client, stages):
    other = Connection.objects.create(name="Globex", customer_id="9999")
    foreign = Stage.objects.create(connection=other, bin="Interview", status="Elsewhere", status_id="X1")
    trigger = stages["C51218"]
    url = reverse("admin:integrations_stage_change", args=[trigger.pk])

    foreign_response = csm_client.post(url, change_form_data(trigger, triggers_scheduling="on", advance_to=foreign.pk))
    untriggered = csm_client.post(url, change_form_data(trigger, advance_to=stages["C51219"].pk))

    assert foreign_response.status_code == 200 and "advance_to" in foreign_response.context["adminform"].form.errors
    assert "Only a status that triggers scheduling" in str(untriggered.context["adminform"].form.errors)
    trigger.refresh_from_db()
    assert trigger.advance_to is None and not trigger.triggers_scheduling


def test_unticking_a_trigger_that_advances_is_refused_on_the_changelist(csm_client, stages):
    trigger = stages["C51218"]
    trigger.triggers_scheduling = True
    trigger.advance_to = stages["C51219"]
    trigger.save()
    ordered = list(Stage.objects.order_by("connection", "position", "bin", "status"))
    data = {"form-TOTAL_FORMS": len(ordered), "form-INITIAL_FORMS": len(ordered), "_save": "Save"}
    for index, stage in enumerate(ordered):
        data[f"form-{index}-id"] = stage.pk
        if stage.triggers_scheduling and stage != trigger:
            data[f"form-{index}-triggers_scheduling"] = "on"
    data_ticking = {**data, f"form-{ordered.index(stages['C51230'])}-triggers_scheduling": "on"}

    refused = csm_client.post(CHANGELIST_URL, data)
    trigger.refresh_from_db()
    assert refused.status_code == 200 and trigger.triggers_scheduling

    data_ticking[f"form-{ordered.index(trigger)}-triggers_scheduling"] = "on"
    accepted = csm_client.post(CHANGELIST_URL, data_ticking)
    assert accepted.status_code == 302
    assert Stage.objects.get(pk=stages["C51230"].pk).triggers_scheduling


def test_a_csm_cannot_delete_stages_but_a_super_admin_can(csm_client, stages, superadmin):
    url = reverse("admin:integrations_stage_delete", args=[stages["C51230"].pk])

    assert csm_client.get(url).status_code == 403
    csm_client.force_login(superadmin)
    assert csm_client.get(url).status_code == 200


def test_a_csm_can_view_connections_but_not_change_them(csm_client, connection):
    url = reverse("admin:integrations_connection_change", args=[connection.pk])

    assert csm_client.get(url).status_code == 200
    csm_client.post(url, {"name": "Renamed"})
    connection.refresh_from_db()
    assert connection.name == "Acme"


def test_an_imported_change_shows_in_the_stage_history(csm_client, connection):
    first = upload(csm_client, connection, "dos_line_endings.csv")
    csm_client.post(CONFIRM_URL, {"token": confirm_token(first)})
    renamed = upload(csm_client, connection, "renamed.csv", b"Bin,Status,Status ID\nOffer,Offer Sent,C51230\n")
    csm_client.post(CONFIRM_URL, {"token": confirm_token(renamed), "confirm_deactivations": "7"})
    offer = connection.stages.get(status_id="C51230")

    history = csm_client.get(reverse("admin:integrations_stage_history", args=[offer.pk])).content.decode()

    assert "Stages import from dos_line_endings.csv: added." in history
    assert "Stages import from renamed.csv: status: &#x27;Offer Extended&#x27; → &#x27;Offer Sent&#x27;." in history
    assert "casey" in history


def test_a_csm_adds_a_stage_by_hand_and_a_formula_name_is_refused(csm_client, connection):
    url = reverse("admin:integrations_stage_add")
    stage = Stage(connection=connection, bin="Offer", status="Offer Accepted", status_id="C51231")

    refused = csm_client.post(url, change_form_data(stage, status="@SUM(A1)"))
    added = csm_client.post(url, change_form_data(stage))

    assert "formula" in str(refused.context["adminform"].form.errors["status"])
    assert added.status_code == 302
    assert list(connection.stages.values_list("status", flat=True)) == ["Offer Accepted"]


def test_a_file_deactivating_more_than_a_quarter_needs_the_count_typed(csm_client, connection):
    first = upload(csm_client, connection, "dos_line_endings.csv")
    csm_client.post(CONFIRM_URL, {"token": confirm_token(first)})
    two_rows = b"Bin,Status\nApplied,New Submissions - External Portal\nOffer,Offer Extended\n"
    preview = upload(csm_client, connection, "two_rows.csv", two_rows)
    page = preview.content.decode()
    assert "This file deactivates 6 of the 8 active stages" in page
    assert "Type 6 to deactivate 6 of the 8 active stages" in page

    refused = csm_client.post(CONFIRM_URL, {"token": confirm_token(preview), "confirm_deactivations": "8"})

    assert "Nothing was imported: type 6 to confirm" in refused.content.decode()
    assert connection.stages.filter(is_active=True).count() == 8
    again = csm_client.post(CONFIRM_URL, {"token": confirm_token(refused), "confirm_deactivations": "6"})
    assert again.status_code == 302
    assert connection.stages.filter(is_active=True).count() == 2


def test_the_realistic_export_with_one_status_name_under_two_bins_imports(csm_client, connection):
    preview = upload(csm_client, connection, "status_name_in_two_bins.csv")
    csm_client.post(CONFIRM_URL, {"token": confirm_token(preview)})

    assert sorted(connection.stages.filter(status="Availability Requested").values_list("bin", "status_id")) == [
        ("Initial Screening", "C51212"),
        ("Interview", "C51217"),
    ]
    assert connection.stages.count() == 11


REFRESH_URL = reverse("admin:integrations_stage_import_refresh")


def test_refresh_from_icims_previews_the_list_api_like_a_file_and_confirms_the_same_way(
    csm_client, sandbox, sandbox_connection
):
    page = csm_client.get(IMPORT_URL).content.decode()
    assert "Refresh from iCIMS" in page

    preview = csm_client.post(REFRESH_URL, {"connection": sandbox_connection.pk})

    assert "iCIMS List API" in preview.content.decode()
    csm_client.post(CONFIRM_URL, {"token": confirm_token(preview)})
    assert sandbox_connection.stages.filter(status_id="C51218", bin="Interview").exists()


def test_refresh_from_a_tenant_without_the_list_says_to_upload_the_file(csm_client, sandbox, sandbox_connection):
    sandbox.lists_offer_bins = False

    page = csm_client.post(REFRESH_URL, {"connection": sandbox_connection.pk}).content.decode()

    assert "Could not refresh from iCIMS: this tenant&#x27;s List API does not offer" in page
    assert not sandbox_connection.stages.exists()


def test_the_stages_list_shows_what_the_linter_found(csm_client, sandbox, sandbox_connection, stored_event):
    Stage.objects.create(
        connection=sandbox_connection, bin="Interview", status="Gone", status_id="C59999", triggers_scheduling=True
    )
    stored_event(new_status="C51299")
    stages_lint(connection=sandbox_connection)

    page = csm_client.get(CHANGELIST_URL).content.decode()

    assert "Trigger status Interview / Gone (C59999) is no longer listed by iCIMS." in page
    assert "Status id C51299 came in 1 webhook" in page
