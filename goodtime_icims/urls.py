from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from health_check.views import HealthCheckView

from integrations.api import urls as integrations_api_urls
from integrations.credential_portal import urls as credential_portal_urls
from integrations.webhooks.views import IcimsWebhookView
from sync import urls as sync_api_urls

from .health import ReadinessView
from .metrics import metrics_view

admin.site.site_header = "goodtime-icims"
admin.site.site_title = "goodtime-icims"
admin.site.index_title = "iCIMS integration portal"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Readiness: the database, cache and broker answer, workers and beat are alive, no webhook is stuck.
    path("health/", ReadinessView.as_view(), name="health-ready"),
    # Liveness: the process serves requests; no dependency is consulted.
    path("health/live/", HealthCheckView.as_view(checks=[]), name="health-live"),
    path("metrics", metrics_view, name="metrics"),
    # The split view serves Swagger UI's start-up script as a file: the Content-Security-Policy allows no inline script.
    path("api/schema/ui/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="schema-ui"),
]

urlpatterns += [
    path("v2/ats/webhook/icims", IcimsWebhookView.as_view(), name="icims-webhook"),
    # A customer's one-time credential link: no sign-in, the link is the credential.
    path("credentials/", include(credential_portal_urls)),
]

# The REST API for the scheduling platform, integrations' routes and sync's in one namespace;
# unknown URLs and crashes under /api/ answer in its JSON error shape.
api_v1_routes = [*integrations_api_urls.urlpatterns, *sync_api_urls.urlpatterns]
urlpatterns += [path("api/v1/", include((api_v1_routes, integrations_api_urls.app_name), namespace="api"))]
handler403 = "goodtime_icims.forbidden.permission_denied"
handler404 = "integrations.api.errors.api_aware_page_not_found"
handler500 = "integrations.api.errors.api_aware_server_error"
