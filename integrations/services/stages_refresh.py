"""Refresh stages from iCIMS: the tenant's bins and statuses read from the List API, previewed exactly
like an uploaded export (the same file reader, checks and plan), then confirmed the same way."""

from __future__ import annotations

import csv
import io

import requests
from django.utils import timezone

from integrations.icims.bins_statuses import bins_and_statuses
from integrations.icims.budget import Purpose

from ..models import Connection
from ..stages_file import BIN, STATUS, STATUS_ID
from .icims_clients import icims_client_for
from .stages_import import StagesImportPlan, stages_import_preview


def stages_refresh_preview(*, connection: Connection, session: requests.Session | None = None) -> StagesImportPlan:
    """Plan the import of what iCIMS lists now; writes nothing.

    Raises BinsListUnavailable when the tenant's List API does not offer the list, IcimsError when
    iCIMS fails, and StagesFileError when what it lists is not importable (like a bad file would).
    """
    client = icims_client_for(connection=connection, purpose=Purpose.LIVE, session=session, max_attempts=1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([BIN, STATUS, STATUS_ID])
    writer.writerows([listed.bin, listed.status, listed.status_id] for listed in bins_and_statuses(client))
    file_name = f"iCIMS List API {timezone.now():%Y-%m-%d %H:%M} UTC"
    return stages_import_preview(connection=connection, content=out.getvalue().encode(), file_name=file_name)
