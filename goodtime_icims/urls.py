from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from integrations.webhooks.views import IcimsWebhookView

admin.site.site_header = "goodtime-icims"
admin.site.site_title = "goodtime-icims"
admin.site.index_title = "iCIMS integration portal"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/schema/ui/", SpectacularSwaggerView.as_view(url_name="schema"), name="schema-ui"),
]

urlpatterns += [
    path("v2/ats/webhook/icims", IcimsWebhookView.as_view(), name="icims-webhook"),
]
