"""Inbound iCIMS event notifications: event types, request body, authentication and the view."""
