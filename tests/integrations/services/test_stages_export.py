"""Exporting a connection's stages: the file a CSM can edit and import again."""

from __future__ import annotations

import csv
import io

import pytest

from integrations.models import Connection, Stage
from integrations.services.stages_export import stages_export_csv
from integrations.services.stages_import import stages_import_apply, stages_import_preview
from tests.integrations.stages_corpus import corpus_file

pytestmark = pytest.mark.django_db


def import_file(connection, user, name: str, content: bytes | None = None):
    plan = stages_import_preview(connection=connection, content=content or corpus_file(name), file_name=name)
    return stages_import_apply(connection=connection, rows=plan.rows, file_name=name, user_id=user.pk)


@pytest.fixture
def stages(connection, superadmin):
    import_file(connection, superadmin, "utf8_bom.csv")
    trigger = connection.stages.get(status_id="C51218")
    trigger.triggers_scheduling = True
    trigger.advance_to = connection.stages.get(status_id="C51219")
    trigger.save()
    connection.stages.filter(status_id="D10300").update(is_active=False)
    return connection.stages.all()


def test_the_export_has_every_stage_with_its_trigger_columns(connection, stages):
    rows = list(csv.reader(io.StringIO(stages_export_csv(connection=connection))))

    assert rows[0] == ["Bin", "Status", "Status ID", "Active", "Triggers scheduling", "Advance to Status ID"]
    assert rows[4] == ["Interview", "Ready to Schedule Interview", "C51218", "yes", "yes", "C51219"]
    assert rows[8] == ["Rejected", "Not Selected", "D10300", "no", "no", ""]
    assert rows[9] == ["Entrevue", "Entrevue planifiée", "C61001", "yes", "no", ""]
    assert len(rows) == 1 + 11


def test_an_exported_file_imports_again_as_all_unchanged(connection, stages, superadmin):
    exported = stages_export_csv(connection=connection).encode()

    plan = stages_import_preview(connection=connection, content=exported, file_name="stages-2187.csv")

    assert plan.errors == []
    assert (len(plan.added), len(plan.changed), len(plan.deactivated), len(plan.kept)) == (0, 0, 0, 11)


def test_the_export_holds_only_its_own_connection(connection, stages, superadmin):
    other = Connection.objects.create(name="Globex", customer_id="9999")
    Stage.objects.create(connection=other, bin="Other", status="Other status", status_id="X1")

    assert "Other status" not in stages_export_csv(connection=connection)
    assert "Other status" in stages_export_csv(connection=other)
