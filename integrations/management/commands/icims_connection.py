"""`icims_connection test --customer-id ID`: configure and check connections from the shell."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from integrations.models import Connection
from integrations.services.connection_test import connection_test


def handle_test(command: BaseCommand, *, customer_id: str, **options) -> None:
    connection = Connection.objects.filter(customer_id=customer_id).first()
    if connection is None:
        raise CommandError(f"No connection has the CustomerId {customer_id!r}.")
    result = connection_test(connection=connection)
    command.stdout.write(result.summary())
    if not result.ok:
        raise CommandError(f"The connection {connection} does not work.")
    command.stdout.write(command.style.SUCCESS(f"The connection {connection} works."))


class Command(BaseCommand):
    help = "Configure and check iCIMS connections."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{test}")
        test = subcommands.add_parser("test", help="Fetch a token, read the customer and its data stream; "
                                      "exit non-zero and say why when something does not work.")
        test.add_argument("--customer-id", required=True, help="The connection's iCIMS CustomerId.")
        test.set_defaults(handler=handle_test)

    def handle(self, *args, handler, subcommand, **options):
        handler(self, **options)
