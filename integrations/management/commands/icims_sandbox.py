"""Serve the fake iCIMS tenant over HTTP on loopback (the `sandbox` process of `make run`)."""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand, CommandError

from integrations.sandbox import SandboxTenant
from integrations.sandbox.webhooks import DEFAULT_TRIGGER_STATUS_IDS, WebhookTarget
from integrations.sandbox.wsgi import make_sandbox_server


class Command(BaseCommand):
    help = "Serve a seeded, stateful fake iCIMS tenant (customer 1000, client sandbox-client) on 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", 8001)))
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same tenant.")
        parser.add_argument("--candidates", type=int, default=3000)
        parser.add_argument("--users", type=int, default=200)
        parser.add_argument("--jobs", type=int, default=300)
        parser.add_argument("--workflows", type=int, default=4000)
        parser.add_argument("--daily-allowance", type=int, default=10000, help="API calls per sandbox day.")
        parser.add_argument(
            "--webhook-url",
            default=None,
            help="Where status changes are POSTed (default: the portal on $PORTAL_PORT, else 8000).",
        )
        parser.add_argument("--webhook-auth", choices=["basic", "hmac", "none"], default="basic")
        parser.add_argument(
            "--trigger-status",
            action="append",
            dest="trigger_statuses",
            default=None,
            help="A status id that notifies the webhook (repeatable; default: the sandbox's trigger statuses "
            "C51218, C51220, C51222).",
        )
        parser.add_argument(
            "--echo-api-changes",
            action="store_true",
            help="Also notify for status changes made through the API (iCIMS does not).",
        )

    def handle(
        self,
        *args,
        port: int,
        seed: int,
        candidates: int,
        users: int,
        jobs: int,
        workflows: int,
        daily_allowance: int,
        webhook_url: str | None,
        webhook_auth: str,
        trigger_statuses: list[str] | None,
        echo_api_changes: bool = False,
        **options,
    ):
        # Not $PORT: honcho gives every process its own PORT (the sandbox's is the portal's + 200).
        portal_port = os.environ.get("PORTAL_PORT", "8000")
        webhook = WebhookTarget(
            url=webhook_url or f"http://127.0.0.1:{portal_port}/v2/ats/webhook/icims",
            auth=webhook_auth,
            trigger_status_ids=frozenset(trigger_statuses) if trigger_statuses else DEFAULT_TRIGGER_STATUS_IDS,
            echo_api_changes=echo_api_changes,
        )
        started = time.monotonic()
        try:
            tenant = SandboxTenant.seeded(
                candidates=candidates,
                users=users,
                jobs=jobs,
                workflows=workflows,
                seed=seed,
                daily_allowance=daily_allowance,
                webhook=webhook,
            )
            server = make_sandbox_server(tenant, port=port)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"iCIMS sandbox: customer {tenant.customer_id} at {tenant.base_url} "
            f"({len(tenant.people)} people, {len(tenant.jobs)} jobs, {len(tenant.workflows)} workflows, "
            f"seeded in {time.monotonic() - started:.1f}s); webhooks to {webhook.url} ({webhook.auth})"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
