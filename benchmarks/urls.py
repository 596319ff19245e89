"""The production URLs plus `bench/ceiling`, a bare view that returns 200. Benchmarks only."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from goodtime_icims.urls import urlpatterns as production_urlpatterns


@csrf_exempt
def ceiling(request):
    return HttpResponse(b'{"status": "ok"}', content_type="application/json")


urlpatterns = [*production_urlpatterns, path("bench/ceiling", ceiling)]
