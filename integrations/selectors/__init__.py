"""Reads: what the admin, the API and the health service show (services write, selectors read)."""
