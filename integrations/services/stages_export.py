"""A connection's stages as a CSV file that the import reads back unchanged."""

from __future__ import annotations

import csv
import io

from ..models import Connection, Stage
from ..stages_file import ACTIVE, BIN, STATUS, STATUS_ID

TRIGGERS_SCHEDULING, ADVANCE_TO_STATUS_ID = "Triggers scheduling", "Advance to Status ID"
EXPORT_COLUMNS = [BIN, STATUS, STATUS_ID, ACTIVE, TRIGGERS_SCHEDULING, ADVANCE_TO_STATUS_ID]


def stages_export_csv(*, connection: Connection) -> str:
    """All the connection's stages, active and inactive, in their imported order. The trigger columns
    are for reading; the import manages bins, statuses and ids and leaves triggers to the admin."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    stages = Stage.objects.filter(connection=connection).select_related("advance_to").order_by("position", "pk")
    for stage in stages:
        writer.writerow(
            [
                stage.bin,
                stage.status,
                stage.status_id,
                "yes" if stage.is_active else "no",
                "yes" if stage.triggers_scheduling else "no",
                stage.advance_to.status_id if stage.advance_to else "",
            ]
        )
    return output.getvalue()


def stages_export_file_name(*, connection: Connection) -> str:
    return f"stages-{connection.customer_id}.csv"
