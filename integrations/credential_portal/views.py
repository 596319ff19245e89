"""`/credentials/<link token>/`: the customer's iCIMS admin enters the client id and secret, without signing
in, and is told at once whether they work.

Limits (README, "Customers hand over their credentials"): every client address may make
CREDENTIAL_LINK_REQUESTS_PER_ADDRESS requests to these pages per 10 minutes (any link, known or not), and
each link may be tested CREDENTIAL_LINK_TESTS_PER_LINK times an hour (each test asks iCIMS for a token).
The link token is in the path, so this view logs its own line naming only the link's prefix and keeps
Django from logging the path of its 4xx answers.

No CSRF token: no cookie or session grants anything here, the link token in the URL is the only
credential, so a forged cross-site POST would need the token, and whoever has it can post directly.
(Django's CSRF check would also log the path, token included, on every failure, and the page's
`Referrer-Policy: no-referrer` makes browsers send `Origin: null`, which the check refuses.)
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters

from goodtime_icims.client_address import client_address
from integrations.services.credential_links import (
    CredentialLinkPage,
    CredentialLinkRefused,
    CredentialsNotStored,
    credential_link_open,
    credential_link_prefix,
    credential_link_submit,
)

from .forms import CustomerCredentialsForm
from .rate_limit import rate_limit_hit

logger = logging.getLogger(__name__)

TEMPLATE = "credential_portal/credentials.html"
REFUSED_STATUS = {"unknown": 404, "expired": 410, "accepted": 410, "replaced": 410}


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("client_secret", "writeback_client_secret"), name="dispatch")
class CredentialLinkView(View):
    http_method_names = ["get", "post"]

    def dispatch(self, request: HttpRequest, token: str) -> HttpResponse:
        self.address = client_address(request)
        per_address = rate_limit_hit(
            key=f"address:{self.address}", limit=settings.CREDENTIAL_LINK_REQUESTS_PER_ADDRESS, window_seconds=600
        )
        if not per_address.allowed:
            response = self._refusal(
                request,
                429,
                f"Too many requests from your address. Try again in {_minutes(per_address.retry_after)}.",
            )
            response["Retry-After"] = str(per_address.retry_after)
        else:
            response = super().dispatch(request, token)
        # The path holds the link token: log the prefix only, and keep Django from logging the path.
        response._has_been_logged = True
        logger.info(
            "Credential link %s… %s %s",
            credential_link_prefix(token) or "(malformed)",
            request.method,
            response.status_code,
        )
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            page = credential_link_open(token=token, address=self.address)
        except CredentialLinkRefused as refused:
            return self._refusal(request, REFUSED_STATUS[refused.reason], str(refused))
        form = CustomerCredentialsForm(offers_writeback_client=page.offers_writeback_client)
        return self._page(request, page, form)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            page = credential_link_open(token=token, address=self.address, record=False)
        except CredentialLinkRefused as refused:
            return self._refusal(request, REFUSED_STATUS[refused.reason], str(refused))
        form = CustomerCredentialsForm(request.POST, offers_writeback_client=page.offers_writeback_client)
        if not form.is_valid():
            return self._page(request, page, form, status=400)
        per_link = rate_limit_hit(
            key=f"tests:{page.link.prefix}", limit=settings.CREDENTIAL_LINK_TESTS_PER_LINK, window_seconds=3600
        )
        if not per_link.allowed:
            response = self._page(
                request,
                page,
                form,
                status=429,
                notice=f"Too many tries with this link. Try again in {_minutes(per_link.retry_after)}.",
            )
            response["Retry-After"] = str(per_link.retry_after)
            return response
        try:
            submission = credential_link_submit(token=token, address=self.address, **form.cleaned_data)
        except CredentialLinkRefused as refused:
            return self._refusal(request, REFUSED_STATUS[refused.reason], str(refused))
        except CredentialsNotStored:
            return self._page(
                request,
                page,
                CustomerCredentialsForm(offers_writeback_client=page.offers_writeback_client),
                status=500,
                notice="Your credentials work, but a problem on our side kept us from saving them; nothing was "
                "changed. Please tell GoodTime: we have been notified in our audit trail.",
            )
        if submission.accepted:
            return render(request, TEMPLATE, {"page": page, "accepted": True, "result": submission.result})
        # The client ids typed are shown again to correct; the secrets never are.
        typed = {name: form.cleaned_data.get(name, "") for name in ("client_id", "writeback_client_id")}
        return self._page(
            request,
            page,
            CustomerCredentialsForm(initial=typed, offers_writeback_client=page.offers_writeback_client),
            result=submission.result,
            tests_left=per_link.left,
        )

    @staticmethod
    def _page(request, page: CredentialLinkPage, form, *, status=200, result=None, notice="", tests_left=None):
        context = {"page": page, "form": form, "result": result, "notice": notice, "tests_left": tests_left}
        return render(request, TEMPLATE, context, status=status)

    @staticmethod
    def _refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
        return render(request, TEMPLATE, {"refusal": message}, status=status)


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
