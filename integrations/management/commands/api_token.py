"""REST API tokens from the shell: `api_token create|revoke|list`.

`create` prints the token once, on its own line, so a script can capture it; it is never stored or
shown again. Revoke by the token's prefix (what `list` shows).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from integrations.models import ApiToken, Connection
from integrations.services.api_tokens import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create, revoke or list REST API tokens (/api/v1/)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="subcommand", required=True)
        create = commands.add_parser("create", help="Create a token and print it once.")
        create.add_argument("--name", required=True, help="Who or what uses the token.")
        scope = create.add_mutually_exclusive_group(required=True)
        scope.add_argument(
            "--connection",
            dest="customer_ids",
            action="append",
            metavar="CUSTOMER_ID",
            help="A connection (iCIMS CustomerId) the token may see; repeat for more.",
        )
        scope.add_argument("--all-connections", action="store_true", help="The token sees every connection.")
        create.add_argument(
            "--expires-in-days",
            type=int,
            default=None,
            help="Days until the token is refused (default API_TOKEN_DEFAULT_EXPIRY_DAYS; 0: never).",
        )
        revoke = commands.add_parser("revoke", help="Revoke a token for good.")
        revoke.add_argument("prefix", help="The token's prefix, as `list` shows it (e.g. 1a2b3c4d).")
        commands.add_parser("list", help="Tokens, their scope and last use (never the tokens themselves).")

    def handle(self, *args, subcommand: str, **options):
        getattr(self, f"handle_{subcommand}")(**options)

    def handle_create(
        self,
        *,
        name: str,
        customer_ids: list[str] | None,
        all_connections: bool,
        expires_in_days: int | None,
        **options,
    ):
        customer_ids = customer_ids or []
        connections = list(Connection.objects.filter(customer_id__in=customer_ids))
        unknown = sorted(set(customer_ids) - {connection.customer_id for connection in connections})
        if unknown:
            raise CommandError(f"No connection with CustomerId {', '.join(unknown)}; nothing was created.")
        try:
            issued = api_token_create(
                name=name, connections=connections, all_connections=all_connections, expires_in_days=expires_in_days
            )
        except ValueError as refused:
            raise CommandError(str(refused)) from None
        scope = "every connection" if all_connections else ", ".join(str(c) for c in connections)
        self.stderr.write(f"Created API token {issued.token.prefix} for {scope}. It is shown once, now:")
        self.stdout.write(issued.plaintext)

    def handle_revoke(self, *, prefix: str, **options):
        token = ApiToken.objects.filter(prefix=prefix.removeprefix("gti_").split("_")[0]).first()
        if token is None:
            raise CommandError(f"No API token with prefix {prefix}.")
        if api_token_revoke(token=token):
            self.stdout.write(f"Revoked API token {token}.")
        else:
            self.stdout.write(f"API token {token} was already revoked.")

    def handle_list(self, **options):
        for token in ApiToken.objects.prefetch_related("connections"):
            scope = (
                "all connections"
                if token.all_connections
                else (", ".join(c.customer_id for c in token.connections.all()) or "no connection")
            )
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            expires = f"expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "never expires"
            self.stdout.write(f"{token.prefix}  {token.name}  [{scope}]  {state}, {expires}, last used {used}")
