"""The iCIMS API client: HTTP only. Nothing in this package imports Django models."""
