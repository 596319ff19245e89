"""Reads: what the admin, the API and the health service show. Nothing here writes."""
