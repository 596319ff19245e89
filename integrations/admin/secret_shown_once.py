"""Admin add pages whose new object comes with a secret that is shown once (API tokens, webhook endpoints)."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.response import TemplateResponse


class SecretShownOnceAdminMixin:
    """A valid add form goes to `add_with_secret` (a service makes the object and its secret), whose answer is
    `secret_page`: the secret in the page itself, never in a message (messages may live in a cookie), and
    kept by no cache. An invalid form, or a GET, is Django's own add page."""

    def add_view(self, request, form_url="", extra_context=None):
        if request.method != "POST":
            return super().add_view(request, form_url, extra_context)
        form = self.get_form(request)(request.POST)
        if not form.is_valid():
            return super().add_view(request, form_url, extra_context)
        return self.add_with_secret(request, form)

    def add_with_secret(self, request, form) -> HttpResponse:
        raise NotImplementedError

    def secret_page(self, request, template: str, *, title: str, **context) -> HttpResponse:
        response = TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **context},
        )
        response["Cache-Control"] = "no-store"
        return response
