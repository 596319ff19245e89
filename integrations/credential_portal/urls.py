"""The customer's credential link page, mounted at /credentials/ by the project's urls.py."""

from __future__ import annotations

from django.urls import path

from .views import CredentialLinkView

urlpatterns = [path("<str:token>/", CredentialLinkView.as_view(), name="credential-link")]
