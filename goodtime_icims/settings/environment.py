"""The one place settings read the process environment.

A `.env` file in the project root (written by `make run` on first start, never committed) is
read first; real environment variables win over it. `ENV_FILE` names another file, or none when
empty: the test settings set it empty, so a developer's `.env` never changes what tests see.

Every variable can also come from a file, as container platforms hand over secrets: `NAME_FILE`
names a file whose contents (without the trailing newline) are the value of `NAME`, and wins
over `NAME` itself.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from environ.fileaware_mapping import FileAwareMapping

BASE_DIR = Path(__file__).resolve().parent.parent.parent

TRUE_SPELLINGS = frozenset({"true", "1", "yes", "on"})
FALSE_SPELLINGS = frozenset({"false", "0", "no", "off"})
_MISSING = object()


class SecretFileMapping(FileAwareMapping):
    """The environment, with `NAME_FILE` read in place of `NAME`; a missing file names its variable."""

    def __getitem__(self, key: str) -> str:
        path = self.env.get(key + "_FILE")
        if not path:
            return self.env[key]
        try:
            # Files written with `echo` end in a newline that is not part of the secret.
            return super().__getitem__(key).rstrip("\r\n")
        except OSError as error:
            raise ImproperlyConfigured(f"{key}_FILE={path}: cannot read the file ({error.strerror}).") from None


class PortalEnv(environ.FileAwareEnv):
    """django-environ's reader with `NAME_FILE` for every variable and booleans that refuse typos.

    django-environ reads any unknown word as False, so `SECURE_SSL_REDIRECT=flase` would quietly turn
    HTTPS redirects off; here it stops the process with the variable and the value named.
    """

    def __init__(self, environment: MutableMapping[str, str] | None = None) -> None:
        super().__init__()
        self.ENVIRON = SecretFileMapping(os.environ if environment is None else environment, cache=False)

    def bool(self, var: str, default: bool | environ.NoValue = environ.Env.NOTSET) -> bool:
        raw = self.get_value(var, cast=str, default=_MISSING if default is not self.NOTSET else self.NOTSET)
        if raw is _MISSING:
            return default
        spelling = raw.strip().lower()
        if spelling in TRUE_SPELLINGS:
            return True
        if spelling in FALSE_SPELLINGS:
            return False
        raise ImproperlyConfigured(f"{var}={raw!r} is not a boolean: use true/false, 1/0, yes/no or on/off (any case).")


env = PortalEnv()
_env_file = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if _env_file:
    environ.Env.read_env(_env_file, overwrite=False)
