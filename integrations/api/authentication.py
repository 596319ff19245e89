"""`Authorization: Bearer <token>` for the REST API: tokens issued by `api_token create` or the admin."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from integrations.models import ApiToken
from integrations.services.api_tokens import ApiTokenRefused, api_token_authenticate


class ApiCaller:
    """Who is calling: the holder of an API token. Not a Django user; it cannot log in to the admin."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, token: ApiToken) -> None:
        self.token = token

    def __str__(self) -> str:
        return f"API token {self.token.prefix}"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None  # no credentials, or not ours: the permission check answers 401
        value = value.strip()
        if not value or " " in value:
            raise exceptions.AuthenticationFailed("Send exactly one token: `Authorization: Bearer <token>`.")
        try:
            token = api_token_authenticate(plaintext=value)
        except ApiTokenRefused as refused:
            raise exceptions.AuthenticationFailed(str(refused)) from None
        return ApiCaller(token), token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token, e.g. `gti_1a2b3c4d_…`, from `manage.py api_token create` or the admin.",
        }
