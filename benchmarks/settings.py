"""Production settings plus a bare view to measure the server's ceiling. Benchmarks only."""

from goodtime_icims.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"

# Pages rendered in-process (benchmarks.cockpit) need no `collectstatic` manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
