"""The rules for a stage edited by hand: which statuses trigger scheduling and where they advance to."""

from __future__ import annotations

from ..models import Stage
from ..stages_file import FORMULA_PREFIXES


def stage_edit_errors(*, stage: Stage) -> dict[str, str]:
    """Field name -> message for every rule the edited (unsaved) stage breaks; empty when it is valid."""
    errors: dict[str, str] = {}
    for name in ("bin", "status", "status_id"):
        value = getattr(stage, name) or ""
        if value.strip().startswith(FORMULA_PREFIXES):
            errors[name] = (
                f"Must not start with {value.strip()[0]!r}: spreadsheets would run it as a formula when exported."
            )
    target = stage.advance_to
    if target is None:
        return errors
    if not stage.triggers_scheduling:
        errors["advance_to"] = "Only a status that triggers scheduling advances candidates; tick it or clear this."
    elif target.pk is not None and target.pk == stage.pk:
        errors["advance_to"] = "A status cannot advance candidates to itself."
    elif target.connection_id != stage.connection_id:
        errors["advance_to"] = f"{target} belongs to another connection; pick a status of {stage.connection}."
    elif not target.is_active:
        errors["advance_to"] = f"{target} is inactive (missing from the latest import); pick an active status."
    elif not target.status_id:
        errors["advance_to"] = f"{target} has no iCIMS Status ID, so candidates cannot be moved to it."
    return errors
