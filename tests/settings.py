"""Settings for the test suite: the production settings with fixed, throw-away secrets."""

import os

os.environ["ENV_FILE"] = ""  # a developer's .env (from `make run`) must not change what tests see
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
# A fixed, published key: fine for tests, never for a real deployment.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "2qHunfX2ua5PO0ZC8CiZpQJbcIi1ub29L0czcqFr2t4=")
os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")

from goodtime_icims.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Parallel test processes (pytest-xdist) share one Redis database: each keeps its keys (cache, shared
# state, broker queues) under its own prefix and clears only those (tests/conftest.py).
TEST_REDIS_KEY_PREFIX = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}:"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": TEST_REDIS_KEY_PREFIX.rstrip(":"),
        }
    }
    ICIMS_SHARED_STATE_PREFIX = f"{TEST_REDIS_KEY_PREFIX}icims:"
    CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": TEST_REDIS_KEY_PREFIX}
# The manifest storage needs `collectstatic`; tests render admin pages without it.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_AUTOREFRESH = True  # no collectstatic in tests: serve from the finders
if DATABASES["default"]["ENGINE"] == "goodtime_icims.sqlite":
    # In memory, as Django does for its own SQLite engine; pytest-django recognises only that engine's
    # name and would otherwise put one database file per xdist worker under ./test_<path>.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
