"""The REST API for the scheduling platform, under /api/v1/ (DESIGN.md section 6: a stable interface)."""
