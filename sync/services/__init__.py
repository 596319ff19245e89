"""Writes to the mirror: `records_upsert` (the bulk write path) and `records_mark_missing` (end of a clean
full run)."""

from .records_mark_missing import records_mark_missing
from .records_upsert import UpsertCounts, records_upsert

__all__ = ["UpsertCounts", "records_mark_missing", "records_upsert"]
