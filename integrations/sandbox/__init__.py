"""A fake, stateful iCIMS tenant for development, tests and benchmarks.

It serves the shapes written down in the iCIMS API notes (`icims-api.md`, kept beside this
repository) and, for the unpublished interview, feedback and data stream APIs, the shapes assumed
in integrations/icims/. One dispatch function answers every request,
`SandboxTenant.handle`, either in-process through `responses` or over real HTTP through `wsgi.py`.
It never imports Django models, so it can run anywhere the portal's client can.
"""

from .tenant import SandboxTenant

__all__ = ["SandboxTenant"]
