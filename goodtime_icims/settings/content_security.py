"""Content-Security-Policy (django-csp): only this origin's scripts run, on the admin and the API docs alike.

Scripts: this origin only, no inline script and no eval (the Swagger UI is served from
drf-spectacular-sidecar with its start-up script as a file, not inline). Styles may be inline: the
admin sets a few style attributes and Swagger UI injects styles; CSS cannot run code.
"""

from __future__ import annotations

from csp.constants import NONE, SELF

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
