"""Reads: what the admin, the API and the commands show about a connection. Writes live in services/."""
