"""Outbound webhooks in the admin (super admins only): endpoints, whose signing secret is shown once
when made or rotated, and each endpoint's delivery log with the request, the answer and Replay."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from ..models import PlatformWebhookAttempt, PlatformWebhookDelivery, PlatformWebhookEndpoint
from ..services.platform_webhook_deliver import platform_webhook_replay
from ..services.platform_webhook_endpoints import (
    EndpointWithSecret,
    PlatformWebhookEndpointInvalid,
    platform_webhook_endpoint_add,
    platform_webhook_endpoint_remove,
    platform_webhook_endpoint_rotate_secret,
    platform_webhook_endpoint_update,
    platform_webhook_endpoint_validate,
)
from ..services.platform_webhook_events import EVENT_TYPES
from .secret_shown_once import SecretShownOnceAdminMixin
from .view_only import pretty_json


class SuperuserOnlyMixin:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class PlatformWebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="HTTPS on a public address, unless PLATFORM_WEBHOOK_ALLOWED_HOSTS lists its host:port.",
    )
    event_types = forms.MultipleChoiceField(
        label="events",
        choices=[(name, f"{name}: {meaning}") for name, meaning in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None ticked: every event type, including ones added later.",
    )

    class Meta:
        model = PlatformWebhookEndpoint
        fields = ["url", "description", "event_types", "is_enabled"]

    def clean(self):
        cleaned = super().clean()
        if "url" in cleaned:
            try:
                platform_webhook_endpoint_validate(url=cleaned["url"], event_types=cleaned.get("event_types") or [])
            except PlatformWebhookEndpointInvalid as refused:
                self.add_error("url", str(refused))
        return cleaned


@admin.register(PlatformWebhookEndpoint)
class PlatformWebhookEndpointAdmin(SuperuserOnlyMixin, SecretShownOnceAdminMixin, admin.ModelAdmin):
    form = PlatformWebhookEndpointForm
    change_form_template = "admin/integrations/platformwebhookendpoint/change_form.html"
    list_display = ["url", "description", "events", "is_enabled", "failure_streak", "delivery_log"]
    list_filter = ["is_enabled"]
    readonly_fields = [
        "delivery_log",
        "failure_streak",
        "failing_since",
        "disabled_at",
        "disabled_reason",
        "secret_rotated_at",
        "created_at",
    ]

    def has_add_permission(self, request):
        return self.has_view_permission(request)

    has_change_permission = has_delete_permission = SuperuserOnlyMixin.has_view_permission

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["url", "description", "event_types"]
        return ["url", "description", "event_types", "is_enabled", *self.readonly_fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            form.base_fields["event_types"].initial = obj.event_types
        return form

    @admin.display(description="events")
    def events(self, endpoint: PlatformWebhookEndpoint) -> str:
        return ", ".join(endpoint.event_types) or "every event"

    @admin.display(description="delivery log")
    def delivery_log(self, endpoint: PlatformWebhookEndpoint) -> str:
        if endpoint.pk is None:
            return "-"
        url = reverse("admin:integrations_platformwebhookdelivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        return format_html('<a href="{}">deliveries</a>', url)

    def add_with_secret(self, request, form):
        made = platform_webhook_endpoint_add(
            url=form.cleaned_data["url"],
            event_types=form.cleaned_data["event_types"],
            description=form.cleaned_data["description"],
            actor=request.user,
        )
        self.log_addition(request, made.endpoint, [{"added": {}}])
        return self._secret_page(request, made, title="Platform webhook endpoint added")

    def save_model(self, request, obj, form, change):
        platform_webhook_endpoint_update(
            endpoint=obj,
            url=form.cleaned_data["url"],
            event_types=form.cleaned_data["event_types"],
            description=form.cleaned_data["description"],
            is_enabled=form.cleaned_data["is_enabled"],
            actor=request.user,
        )

    def delete_model(self, request, obj):
        platform_webhook_endpoint_remove(endpoint=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for endpoint in queryset:
            platform_webhook_endpoint_remove(endpoint=endpoint, actor=request.user)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/rotate-secret/",
                view(self.rotate_secret_view),
                name="integrations_platformwebhookendpoint_rotate_secret",
            ),
            *super().get_urls(),
        ]

    def rotate_secret_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            return redirect("admin:index")
        endpoint = get_object_or_404(PlatformWebhookEndpoint, pk=object_id)
        made = platform_webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
        return self._secret_page(request, made, title="New signing secret")

    def _secret_page(self, request, made: EndpointWithSecret, *, title: str) -> HttpResponse:
        return self.secret_page(
            request,
            "admin/integrations/platformwebhookendpoint/secret.html",
            title=title,
            endpoint=made.endpoint,
            secret=made.secret,
        )


class PlatformWebhookAttemptInline(admin.StackedInline):
    model = PlatformWebhookAttempt
    fields = [
        "started_at",
        "duration_ms",
        "replay",
        "response_status",
        "error",
        "next_attempt_at",
        "headers_pretty",
        "request_body",
        "response_body",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "attempts (newest first)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="request headers")
    def headers_pretty(self, attempt: PlatformWebhookAttempt) -> str:
        return pretty_json(attempt.request_headers)


@admin.register(PlatformWebhookDelivery)
class PlatformWebhookDeliveryAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    """The delivery log: one row per event and endpoint, its attempts, and Replay."""

    change_form_template = "admin/integrations/platformwebhookdelivery/change_form.html"
    list_display = [
        "created_at",
        "event_type",
        "event_id",
        "endpoint",
        "state",
        "attempts",
        "last_status",
        "short_error",
    ]
    list_filter = ["state", "endpoint", "message__event_type"]
    list_select_related = ["message", "endpoint"]
    search_fields = ["=message__event_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["replay"]
    inlines = [PlatformWebhookAttemptInline]
    fields = [
        "endpoint",
        "event_type",
        "event_id",
        "state",
        "attempts",
        "next_attempt_at",
        "last_status",
        "last_error",
        "created_at",
        "delivered_at",
        "payload_pretty",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_replay_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    @admin.display(description="type", ordering="message__event_type")
    def event_type(self, delivery: PlatformWebhookDelivery) -> str:
        return delivery.message.event_type

    @admin.display(description="event id (webhook-id)")
    def event_id(self, delivery: PlatformWebhookDelivery) -> str:
        return delivery.message.event_id

    @admin.display(description="last error")
    def short_error(self, delivery: PlatformWebhookDelivery) -> str:
        return Truncator(delivery.last_error).chars(80)

    @admin.display(description="payload")
    def payload_pretty(self, delivery: PlatformWebhookDelivery) -> str:
        return pretty_json(delivery.message.payload)

    @admin.action(description="Replay the selected deliveries now", permissions=["replay"])
    def replay(self, request, queryset):
        count = platform_webhook_replay(delivery_ids=list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - count
        message = f"{count} delivery(ies) sent again."
        if skipped:
            message += f" {skipped} skipped: being sent right now, or their endpoint is disabled."
        self.message_user(request, message, messages.SUCCESS if count else messages.WARNING)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/replay/", view(self.replay_view), name="integrations_platformwebhookdelivery_replay"
            ),
            *super().get_urls(),
        ]

    def replay_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_replay_permission(request):
            return redirect("admin:index")
        delivery = get_object_or_404(PlatformWebhookDelivery, pk=object_id)
        self.replay(request, PlatformWebhookDelivery.objects.filter(pk=delivery.pk))
        return redirect(reverse("admin:integrations_platformwebhookdelivery_change", args=[delivery.pk]))
