"""Writes to the mirror: `records_upsert` (the bulk write path), `records_mark_missing` (end of a clean
full run) and `mirror_profiles_ensure` (a live fetch when a webhook beats the sync)."""

from .mirror_profiles_ensure import mirror_profiles_ensure
from .records_mark_missing import records_mark_missing
from .records_upsert import UpsertCounts, records_upsert

__all__ = ["UpsertCounts", "mirror_profiles_ensure", "records_mark_missing", "records_upsert"]
