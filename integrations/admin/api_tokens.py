"""API tokens in the admin: super admins create them (the token is shown once, on the page after
saving), see their scope and last use, and revoke them. The token itself is never stored."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from ..models import ApiToken
from ..services.api_tokens import api_token_create, api_token_revoke
from .secret_shown_once import SecretShownOnceAdminMixin


class ApiTokenForm(forms.ModelForm):
    expires_in_days = forms.IntegerField(
        label="expires in (days)",
        min_value=0,
        max_value=3650,
        required=False,
        help_text="Empty: API_TOKEN_DEFAULT_EXPIRY_DAYS (365 unless configured); 0: never.",
    )

    class Meta:
        model = ApiToken
        fields = ["name", "all_connections", "connections"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("all_connections") == bool(cleaned.get("connections")):
            raise forms.ValidationError("Choose some connections, or tick “all connections”; not both, not neither.")
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(SecretShownOnceAdminMixin, admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["name", "prefix", "scope", "created_at", "created_by", "last_used_at", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "all_connections"]
    search_fields = ["name", "prefix"]
    filter_horizontal = ["connections"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "expires_at", "revoked_at"]
    actions = ["revoke_selected"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "all_connections", "connections", "expires_in_days"]
        return [
            "name",
            "prefix",
            "all_connections",
            "connections",
            "created_by",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ]

    @admin.display(description="scope")
    def scope(self, token: ApiToken) -> str:
        if token.all_connections:
            return "all connections"
        return ", ".join(connection.name for connection in token.connections.all()) or "no connection"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").prefetch_related("connections")

    def add_with_secret(self, request, form):
        issued = api_token_create(
            name=form.cleaned_data["name"],
            connections=form.cleaned_data["connections"],
            all_connections=form.cleaned_data["all_connections"],
            created_by=request.user,
            expires_in_days=form.cleaned_data.get("expires_in_days"),
        )
        self.log_addition(request, issued.token, [{"added": {}}])
        return self.secret_page(
            request,
            "admin/integrations/apitoken/created.html",
            title="API token created",
            token=issued.token,
            plaintext=issued.plaintext,
        )

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke_selected(self, request, queryset):
        revoked = sum(api_token_revoke(token=token, actor=request.user) for token in queryset)
        self.message_user(request, f"Revoked {revoked} token(s).", messages.SUCCESS)
