"""Inbound iCIMS event notifications: request body, authentication and the view; the event types and what
each gets are declared in integrations/services/webhook_event_types.py."""
