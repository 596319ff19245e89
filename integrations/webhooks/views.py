"""`POST /v2/ats/webhook/icims`: where iCIMS posts event notifications.

Checks run in a fixed order (Sentry style): size, credentials present, authenticate, decompress
and parse, customerId belongs to the connection; then the event is stored and answered. Nothing
here calls iCIMS: processing happens in a worker. The endpoint never answers with a stack trace.

A plain Django view, not a DRF one: iCIMS's interface needs none of DRF's negotiation, parsers or
throttles, and at the request rates this endpoint must take they cost more than the INSERT.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from integrations.services.webhook_event_ingest import (
    IcimsEvent,
    WebhookCredentialsChanged,
    WebhookEventRefused,
    webhook_event_ingest,
)

from .authentication import Authenticated, webhook_connection_authenticate
from .rejections import WebhookRejected, vendor_error_body
from .request_body import body_decompress, body_read, body_stream, event_parse

logger = logging.getLogger(__name__)


@method_decorator(csrf_exempt, name="dispatch")  # iCIMS authenticates per connection (authentication.py)
class IcimsWebhookView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return self._accept(request)
        except WebhookRejected as rejection:
            logger.info("Webhook refused (%s): %s", rejection.status, rejection.debug_message)
            return _error(
                rejection.status,
                rejection.user_message,
                rejection.debug_message,
                www_authenticate=rejection.status == 401,
            )
        except DataError:
            # Input our checks let through but the database refuses: the sender's to fix, not a retry.
            logger.exception("Webhook not stored: the database refused its data")
            return _error(400, "The scheduling integration could not store this event.", "Unstorable data.")
        except WebhookCredentialsChanged:
            # Changed between our read and our write, twice in a row: rare; iCIMS retries.
            logger.warning("Webhook not stored: the connection's credentials changed while it was received")
            return _error(
                503,
                "The scheduling integration is briefly unavailable; please try again.",
                "The connection's settings changed while this event was received.",
            )
        except (OperationalError, InterfaceError):
            logger.exception("Webhook not stored: database unavailable")
            return _error(
                503,
                "The scheduling integration is briefly unavailable; please try again.",
                "Temporary storage failure.",
            )
        except Exception:
            logger.exception("Webhook not stored: unexpected error")
            return _error(500, "The scheduling integration failed to receive this event.", "Internal error.")

    def _accept(self, django_request: HttpRequest) -> HttpResponse:
        max_bytes = settings.WEBHOOK_MAX_BODY_BYTES
        raw = body_read(
            stream=body_stream(environ=django_request.META, request_stream=django_request),
            content_length=django_request.META.get("CONTENT_LENGTH"),
            max_bytes=max_bytes,
        )
        headers = dict(django_request.headers)

        def authenticate(*, from_database: bool) -> Authenticated:
            return webhook_connection_authenticate(
                authorization=django_request.headers.get("Authorization", ""),
                headers=headers,
                method=django_request.method,
                path=django_request.path,
                query=django_request.META.get("QUERY_STRING", ""),
                body=raw,
                now=timezone.now(),
                hmac_tolerance=timedelta(seconds=settings.WEBHOOK_HMAC_TOLERANCE_SECONDS),
                from_database=from_database,
            )

        authenticated = authenticate(from_database=False)
        body = body_decompress(
            raw=raw, content_encoding=django_request.headers.get("Content-Encoding", ""), max_bytes=max_bytes
        )
        event = event_parse(body=body)
        try:
            return _store(authenticated, event=event, headers=headers)
        except (WebhookCredentialsChanged, WebhookEventRefused):
            if not authenticated.from_memory:
                raise
        # What this process remembered is out of date (the write itself said so, or it would refuse the
        # customerId): the database decides, once.
        return _store(authenticate(from_database=True), event=event, headers=headers)


def _store(authenticated: Authenticated, *, event: IcimsEvent, headers: dict[str, str]) -> HttpResponse:
    try:
        result = webhook_event_ingest(
            connection=authenticated.connection,
            event=event,
            headers=headers,
            credentials_as_stored=authenticated.credentials_as_stored,
        )
    except WebhookEventRefused as refused:
        if authenticated.from_memory:
            raise
        return _error(403, "This event names a customer these credentials do not cover.", str(refused))
    # The body written directly: the answer to every event, where a JSON encoder costs more than it does.
    status = b"received" if result.created else b"duplicate"
    return HttpResponse(b'{"status": "%s", "id": %d}' % (status, result.event_id), content_type="application/json")


def _error(status: int, user_message: str, debug_message: str, *, www_authenticate: bool = False) -> JsonResponse:
    response = JsonResponse(vendor_error_body(user_message=user_message, debug_message=debug_message), status=status)
    if www_authenticate:
        response["WWW-Authenticate"] = 'Basic realm="icims-webhook"'
    return response
