"""Refresh from iCIMS: the List API's bins and statuses, previewed exactly like an uploaded export."""

from __future__ import annotations

import pytest

from integrations.icims.bins_statuses import BinsListUnavailable
from integrations.sandbox import catalog
from integrations.services.stages_import import stages_import_apply
from integrations.services.stages_refresh import stages_refresh_preview

pytestmark = pytest.mark.django_db


def test_the_tenants_bins_and_statuses_are_previewed_and_applied_like_a_file(sandbox, sandbox_connection, superadmin):
    plan = stages_refresh_preview(connection=sandbox_connection)

    assert plan.errors == [] and len(plan.added) == len(catalog.STATUSES)
    assert plan.file_name.startswith("iCIMS List API")
    assert (plan.added[0].after.bin, plan.added[0].after.status, plan.added[0].after.status_id) == (
        "Incomplete",
        "Incomplete Application",
        "D10105",
    )
    stages_import_apply(connection=sandbox_connection, rows=plan.rows, file_name=plan.file_name, user_id=superadmin.pk)
    assert set(sandbox_connection.stages.values_list("status_id", flat=True)) == set(catalog.STATUS_BY_ID)

    again = stages_refresh_preview(connection=sandbox_connection)
    assert (len(again.kept), len(again.added), len(again.deactivated)) == (len(catalog.STATUSES), 0, 0)


def test_a_tenant_whose_list_api_does_not_offer_them_is_told_to_import_the_file(sandbox, sandbox_connection):
    sandbox.lists_offer_bins = False

    with pytest.raises(BinsListUnavailable, match="import the bins & statuses export file instead"):
        stages_refresh_preview(connection=sandbox_connection)
    assert not sandbox_connection.stages.exists()
