"""Importing a tenant's bins & statuses: preview the difference with the stored stages, then apply
it in one transaction.

A stage is identified by its iCIMS Status ID when the file has one, else by (bin, status): tenants
reuse a status name in several bins ("Availability Requested" under Initial Screening and under
Interview), each with its own id. Stages missing from the file become inactive; they are never
deleted, because triggers, advance-to links and past scheduling requests point at them. A file that
would deactivate more than a quarter of the active stages (a 2-row file, a wrong tenant's export)
is applied only with an explicit extra confirmation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from ..models import Connection, Stage
from ..stages_file import RowError, StagesFileRow, stages_file_read

BATCH_SIZE = 1000
MASS_DEACTIVATION_SHARE = 0.25

logger = logging.getLogger(__name__)


class StagesImportRejected(Exception):
    """The import has row errors (possibly new ones, found when re-checked at confirm time)."""

    def __init__(self, plan: StagesImportPlan):
        super().__init__(f"{len(plan.errors)} row error(s); nothing was imported.")
        self.plan = plan


class StagesMassDeactivationUnconfirmed(Exception):
    """The import would deactivate more than a quarter of the active stages and that was not confirmed."""

    def __init__(self, plan: StagesImportPlan):
        super().__init__(plan.mass_deactivation_warning)
        self.plan = plan


@dataclass(frozen=True)
class StageValues:
    bin: str
    status: str
    status_id: str
    is_active: bool

    @classmethod
    def of(cls, stage: Stage) -> StageValues:
        return cls(bin=stage.bin, status=stage.status, status_id=stage.status_id, is_active=stage.is_active)


FIELD_LABELS = {"bin": "bin", "status": "status", "status_id": "status id", "is_active": "active"}


@dataclass(frozen=True)
class PlannedStage:
    after: StageValues
    position: int
    line: int | None = None  # the file row; None for a stage that disappeared from the file
    stage_id: int | None = None  # None for a stage to add
    before: StageValues | None = None

    @property
    def differences(self) -> list[str]:
        """Human-readable "status: 'Old' → 'New'" lines, for the preview and the history."""
        if self.before is None:
            return []
        return [
            f"{label}: {getattr(self.before, name)!r} → {getattr(self.after, name)!r}"
            for name, label in FIELD_LABELS.items()
            if getattr(self.before, name) != getattr(self.after, name)
        ]


@dataclass
class StagesImportPlan:
    connection: Connection
    file_name: str
    rows: list[StagesFileRow]
    added: list[PlannedStage] = field(default_factory=list)
    changed: list[PlannedStage] = field(default_factory=list)
    kept: list[PlannedStage] = field(default_factory=list)
    deactivated: list[PlannedStage] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    active_before: int = 0

    @property
    def can_apply(self) -> bool:
        return not self.errors

    @property
    def deactivates_many(self) -> bool:
        """More than a quarter of the active stages would become inactive: needs an explicit confirmation."""
        return len(self.deactivated) > MASS_DEACTIVATION_SHARE * self.active_before

    @property
    def mass_deactivation_warning(self) -> str:
        return (
            f"This file deactivates {len(self.deactivated)} of the {self.active_before} active stages. "
            "If that is really meant (not a partial export or another tenant's file), confirm it explicitly."
        )

    @property
    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.deactivated)} deactivated, "
            f"{len(self.kept)} unchanged"
        )


def stages_import_preview(*, connection: Connection, content: bytes, file_name: str) -> StagesImportPlan:
    """Read the uploaded file and plan the import; writes nothing. Raises StagesFileError for an
    unreadable file."""
    parsed = stages_file_read(content=content, file_name=file_name)
    return stages_import_plan(
        connection=connection, rows=parsed.rows, file_name=file_name, errors=parsed.errors, warnings=parsed.warnings
    )


def stages_import_plan(
    *,
    connection: Connection,
    rows: Sequence[StagesFileRow],
    file_name: str,
    errors: Sequence[RowError] = (),
    warnings: Sequence[str] = (),
) -> StagesImportPlan:
    """Compare rows with the connection's stored stages; writes nothing."""
    plan = StagesImportPlan(
        connection=connection, file_name=file_name, rows=list(rows), errors=list(errors), warnings=list(warnings)
    )
    conflicts = _conflicts_within_file(plan.rows)
    plan.errors.extend(conflicts)
    conflicting_lines = {error.line for error in conflicts}

    stages = list(Stage.objects.filter(connection=connection).order_by("pk"))
    plan.active_before = sum(stage.is_active for stage in stages)
    by_status_id = {stage.status_id: stage for stage in stages if stage.status_id}
    by_name_unnumbered = {(stage.bin, stage.status): stage for stage in stages if not stage.status_id}
    by_name_numbered: dict[tuple[str, str], list[Stage]] = {}
    for stage in stages:
        if stage.status_id:
            by_name_numbered.setdefault((stage.bin, stage.status), []).append(stage)

    line_by_matched_pk: dict[int, int] = {}
    for position, row in enumerate(plan.rows):
        if row.line in conflicting_lines:
            continue
        name = (row.bin, row.status)
        if row.status_id:
            stage = by_status_id.get(row.status_id) or by_name_unnumbered.get(name)
        else:
            # Without an id, a stage that has one still matches by name; its id is kept.
            numbered = by_name_numbered.get(name, [])
            stage = by_name_unnumbered.get(name) or (numbered[0] if len(numbered) == 1 else None)
        if stage is not None and stage.pk in line_by_matched_pk:
            plan.errors.append(
                RowError(row.line, f"matches the same stored stage ({stage}) as row {line_by_matched_pk[stage.pk]}.")
            )
            continue
        after = StageValues(
            bin=row.bin,
            status=row.status,
            status_id=row.status_id or (stage.status_id if stage else ""),
            is_active=row.is_active,
        )
        if stage is None:
            plan.added.append(PlannedStage(after=after, position=position, line=row.line))
            continue
        line_by_matched_pk[stage.pk] = row.line
        before = StageValues.of(stage)
        planned = PlannedStage(after=after, position=position, line=row.line, stage_id=stage.pk, before=before)
        (plan.kept if before == after else plan.changed).append(planned)

    matched = set(line_by_matched_pk)
    for stage in stages:
        if stage.pk not in matched and stage.is_active:
            before = StageValues.of(stage)
            plan.deactivated.append(
                PlannedStage(
                    after=replace(before, is_active=False), position=stage.position, stage_id=stage.pk, before=before
                )
            )
    plan.errors.sort(key=lambda error: error.line)
    plan.warnings.extend(_deactivation_warnings(stages, {planned.stage_id for planned in plan.deactivated}))
    if plan.deactivates_many:
        plan.warnings.insert(0, plan.mass_deactivation_warning)
    return plan


def _conflicts_within_file(rows: Sequence[StagesFileRow]) -> list[RowError]:
    """A status id is one stage: the same id twice (in one bin or two) is an error. The same status
    name in several bins is normal when each row has its own id; without ids, (bin, status) is the stage."""
    errors = []
    first_of_status_id: dict[str, StagesFileRow] = {}
    first_of_unnumbered: dict[tuple[str, str], StagesFileRow] = {}
    for row in rows:
        if row.status_id:
            first = first_of_status_id.setdefault(row.status_id, row)
            if first is row:
                continue
            if first.bin.casefold() == row.bin.casefold():
                message = f"duplicate Status ID {row.status_id!r}: also on row {first.line}."
            else:
                message = (
                    f"Status ID {row.status_id!r} is under two bins: {row.bin!r} here and {first.bin!r} on row "
                    f"{first.line}. A status id is one stage, in one bin."
                )
            errors.append(RowError(row.line, message))
            continue
        first = first_of_unnumbered.setdefault((row.bin.casefold(), row.status.casefold()), row)
        if first is not row:
            errors.append(
                RowError(row.line, f"duplicate status {row.status!r} in bin {row.bin!r}: also on row {first.line}.")
            )
    return errors


def _deactivation_warnings(stages: Sequence[Stage], deactivated_ids: set[int]) -> list[str]:
    warnings = []
    by_pk = {stage.pk: stage for stage in stages}
    for stage in stages:
        if stage.pk in deactivated_ids and stage.triggers_scheduling:
            warnings.append(f"{stage} triggers scheduling and is not in the file: it becomes inactive.")
        if stage.triggers_scheduling and stage.is_active and stage.advance_to_id in deactivated_ids:
            warnings.append(
                f"{stage} advances candidates to {by_pk[stage.advance_to_id]}, which becomes inactive: "
                "pick another advance-to status."
            )
    return warnings


def stages_import_apply(
    *,
    connection: Connection,
    rows: Sequence[StagesFileRow],
    file_name: str,
    user_id: int,
    allow_mass_deactivation: bool = False,
) -> StagesImportPlan:
    """Re-plan against the current stages and apply the plan in one transaction, all or nothing.
    Raises StagesImportRejected, writing nothing, if the rows have errors, and
    StagesMassDeactivationUnconfirmed if it deactivates more than a quarter of the active stages
    without `allow_mass_deactivation`."""
    with transaction.atomic():
        # One import per connection at a time: a second one waits, then plans against the first one's result.
        Connection.objects.select_for_update().filter(pk=connection.pk).first()
        plan = stages_import_plan(connection=connection, rows=rows, file_name=file_name)
        if not plan.can_apply:
            raise StagesImportRejected(plan)
        if plan.deactivates_many and not allow_mass_deactivation:
            raise StagesMassDeactivationUnconfirmed(plan)
        _write_plan(plan, user_id=user_id)
    logger.info(
        "Stages import for connection %s from %s by user %s: %s", connection.pk, file_name, user_id, plan.summary
    )
    return plan


def _write_plan(plan: StagesImportPlan, *, user_id: int) -> None:
    connection = plan.connection
    stages_by_pk = Stage.objects.filter(connection=connection).in_bulk()

    added = Stage.objects.bulk_create(
        [Stage(connection=connection, position=planned.position, **vars(planned.after)) for planned in plan.added],
        batch_size=BATCH_SIZE,
    )
    if added and added[0].pk is None:  # pragma: no cover - only databases that cannot return ids
        added = list(Stage.objects.filter(connection=connection).exclude(pk__in=stages_by_pk))

    to_update = []
    for planned in [*plan.changed, *plan.deactivated]:
        stage = stages_by_pk[planned.stage_id]
        for name, value in vars(planned.after).items():
            setattr(stage, name, value)
        stage.position = planned.position
        to_update.append(stage)
    for planned in plan.kept:
        stage = stages_by_pk[planned.stage_id]
        if stage.position != planned.position:  # order in the file is cosmetic: not a change
            stage.position = planned.position
            to_update.append(stage)
    if to_update:
        # bulk_update skips auto_now: set updated_at so the changelist shows when a stage last changed.
        now = timezone.now()
        for stage in to_update:
            stage.updated_at = now
        Stage.objects.bulk_update(
            to_update,
            ["bin", "status", "status_id", "is_active", "position", "updated_at"],
            batch_size=BATCH_SIZE,
        )

    source = f"Stages import from {plan.file_name}"
    stage_type = ContentType.objects.get_for_model(Stage)
    entries = [
        LogEntry(
            user_id=user_id,
            content_type=stage_type,
            object_id=str(stage.pk),
            object_repr=str(stage)[:200],
            action_flag=ADDITION,
            change_message=f"{source}: added.",
        )
        for stage in added
    ]
    for planned in [*plan.changed, *plan.deactivated]:
        stage = stages_by_pk[planned.stage_id]
        entries.append(
            LogEntry(
                user_id=user_id,
                content_type=stage_type,
                object_id=str(stage.pk),
                object_repr=str(stage)[:200],
                action_flag=CHANGE,
                change_message=f"{source}: " + "; ".join(planned.differences) + ".",
            )
        )
    entries.append(
        LogEntry(
            user_id=user_id,
            content_type=ContentType.objects.get_for_model(Connection),
            object_id=str(connection.pk),
            object_repr=str(connection)[:200],
            action_flag=CHANGE,
            change_message=f"Imported stages from file {plan.file_name}: {plan.summary}.",
        )
    )
    LogEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
