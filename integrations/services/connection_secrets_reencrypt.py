"""Key rotation: re-encrypt every stored secret under the first key of FIELD_ENCRYPTION_KEYS.

Works on the raw column values (the Fernet tokens) so no plaintext is ever held in a model
instance and no model side-effects (auto_now, signals) fire. One transaction: either every
secret is re-encrypted or, when any cannot be decrypted, none is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import ExpressionWrapper, F, Value

from ..encryption import SecretDecryptionError, reencrypt_secret
from ..models import SECRET_FIELDS, Connection, PlatformWebhookEndpoint


@dataclass(frozen=True)
class ReencryptionReport:
    connections: int
    secrets: int


class SecretsNotReencrypted(Exception):
    """Some stored secrets cannot be decrypted with any configured key; nothing was changed."""

    def __init__(self, undecryptable: list[str]):
        self.undecryptable = undecryptable
        super().__init__(
            f"{len(undecryptable)} stored secret(s) cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS: "
            + ", ".join(undecryptable)
            + ". Add the key they were encrypted with and run again. Nothing was changed."
        )


def _raw(field: str) -> ExpressionWrapper:
    # A plain text output field skips EncryptedTextField.from_db_value: we get the token, not the secret.
    return ExpressionWrapper(F(field), output_field=models.TextField())


@transaction.atomic
def connection_secrets_reencrypt() -> ReencryptionReport:
    raw_names = {f"raw_{field}": field for field in SECRET_FIELDS}
    rows = list(
        Connection.objects.select_for_update()
        .order_by("pk")
        .annotate(**{raw: _raw(field) for raw, field in raw_names.items()})
        .values("pk", "customer_id", *raw_names)
    )

    updates: dict[int, dict[str, str]] = {}
    undecryptable: list[str] = []
    for row in rows:
        for raw, field in raw_names.items():
            if not row[raw]:
                continue
            try:
                updates.setdefault(row["pk"], {})[field] = reencrypt_secret(row[raw])
            except SecretDecryptionError:
                undecryptable.append(f"CustomerId {row['customer_id']} {field}")
    endpoint_tokens: dict[int, str] = {}
    for row in (
        PlatformWebhookEndpoint.objects.select_for_update()
        .order_by("pk")
        .annotate(raw=_raw("secret"))
        .values("pk", "raw")
    ):
        try:
            endpoint_tokens[row["pk"]] = reencrypt_secret(row["raw"]) if row["raw"] else ""
        except SecretDecryptionError:
            undecryptable.append(f"platform webhook endpoint {row['pk']} secret")
    if undecryptable:
        raise SecretsNotReencrypted(undecryptable)
    for pk, token in endpoint_tokens.items():
        if token:
            PlatformWebhookEndpoint.objects.filter(pk=pk).update(secret=Value(token, output_field=models.TextField()))

    for pk, tokens in updates.items():
        # Value(..., TextField) writes the new token as it is, rather than encrypting it again.
        Connection.objects.filter(pk=pk).update(
            **{field: Value(token, output_field=models.TextField()) for field, token in tokens.items()}
        )
    return ReencryptionReport(
        connections=len(updates),
        secrets=sum(len(tokens) for tokens in updates.values())
        + sum(bool(token) for token in endpoint_tokens.values()),
    )
