"""Write a development .env with fresh random secrets (never committed; see .gitignore)."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet


def main(path: str, port: str, sandbox_port: str) -> None:
    target = Path(path)
    if target.exists():
        return
    target.write_text(
        "# Written by `make run` for local development. Never commit this file.\n"
        "DEBUG=True\n"
        f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
        f"FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode()}\n"
        "# Where the sandbox tenant posts its events: this portal, not the production hosts.\n"
        + "".join(f"ICIMS_WEBHOOK_BASE_URL_{region}=http://127.0.0.1:{port}\n" for region in ("US", "EU", "CA"))
        + "# Hosts the portal may send iCIMS secrets to: the iCIMS domains and the sandbox tenant.\n"
        f"ICIMS_ALLOWED_HOSTS=.icims.com,.icims.eu,.icims.ca,.icims.tools,127.0.0.1:{sandbox_port}\n"
        "# A local receiver for outbound webhooks (platform_webhooks add --url http://127.0.0.1:8009/...).\n"
        "PLATFORM_WEBHOOK_ALLOWED_HOSTS=127.0.0.1:8009\n"
    )
    target.chmod(0o600)
    print(f"wrote {target} with fresh development secrets")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "8000", sys.argv[3] if len(sys.argv) > 3 else "8001")
