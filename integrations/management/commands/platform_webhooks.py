"""The scheduling platform's webhook endpoints from the shell: `platform_webhooks add|list|rotate-secret|remove`.

`add` and `rotate-secret` print the signing secret once, on its own line on stdout, so a script can
capture it; it is stored encrypted and never shown again. Bad input changes nothing and exits non-zero.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from integrations.models import PlatformWebhookEndpoint
from integrations.services.platform_webhook_endpoints import (
    PlatformWebhookEndpointInvalid,
    platform_webhook_endpoint_add,
    platform_webhook_endpoint_remove,
    platform_webhook_endpoint_rotate_secret,
)
from integrations.services.platform_webhook_events import EVENT_TYPES


class Command(BaseCommand):
    help = "Add, list, rotate the secret of, or remove the scheduling platform's webhook endpoints."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="subcommand", required=True)
        add = commands.add_parser("add", help="Add an endpoint and print its signing secret once.")
        add.add_argument(
            "--url", required=True, help="HTTPS on a public address (or a PLATFORM_WEBHOOK_ALLOWED_HOSTS host)."
        )
        add.add_argument(
            "--events",
            nargs="+",
            default=[],
            metavar="TYPE",
            help=f"Event types to send (default: every type): {', '.join(EVENT_TYPES)}.",
        )
        add.add_argument("--description", default="", help="What receives them.")
        commands.add_parser("list", help="Endpoints, their events and state (never a secret).")
        rotate = commands.add_parser("rotate-secret", help="A new signing secret, printed once; the old one stops now.")
        rotate.add_argument("endpoint", help="The endpoint's id or URL, as `list` shows it.")
        remove = commands.add_parser("remove", help="Remove an endpoint and its delivery log.")
        remove.add_argument("endpoint", help="The endpoint's id or URL, as `list` shows it.")

    def handle(self, *args, subcommand: str, **options):
        getattr(self, f"handle_{subcommand.replace('-', '_')}")(**options)

    def handle_add(self, *, url: str, events: list[str], description: str, **options):
        try:
            made = platform_webhook_endpoint_add(url=url, event_types=events, description=description)
        except PlatformWebhookEndpointInvalid as refused:
            raise CommandError(f"{refused} Nothing was added.") from None
        self.stderr.write(f"Added endpoint {made.endpoint.pk} {url}. Its signing secret is shown once, now:")
        self.stdout.write(made.secret)

    def handle_list(self, **options):
        for endpoint in PlatformWebhookEndpoint.objects.all():
            events = ", ".join(endpoint.event_types) or "every event"
            state = "enabled" if endpoint.is_enabled else f"disabled ({endpoint.disabled_reason or 'by a person'})"
            streak = f", {endpoint.failure_streak} failures in a row" if endpoint.failure_streak else ""
            self.stdout.write(f"{endpoint.pk}  {endpoint.url}  [{events}]  {state}{streak}")

    def handle_rotate_secret(self, *, endpoint: str, **options):
        made = platform_webhook_endpoint_rotate_secret(endpoint=self._endpoint(endpoint))
        self.stderr.write(f"New signing secret for endpoint {made.endpoint.pk} {made.endpoint.url}, shown once, now:")
        self.stdout.write(made.secret)

    def handle_remove(self, *, endpoint: str, **options):
        found = self._endpoint(endpoint)
        platform_webhook_endpoint_remove(endpoint=found)
        self.stdout.write(f"Removed endpoint {endpoint}.")

    def _endpoint(self, given: str) -> PlatformWebhookEndpoint:
        matches = PlatformWebhookEndpoint.objects.filter(pk=int(given)) if given.isdecimal() else None
        if matches is None or not matches.exists():
            matches = PlatformWebhookEndpoint.objects.filter(url=given)
        if matches.count() != 1:
            raise CommandError(f"No single endpoint {given!r}; `platform_webhooks list` shows them.")
        return matches.get()
