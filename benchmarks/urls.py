"""The production URLs plus two bare views, for benchmarks only.

`bench/ceiling` returns 200 and does nothing; `bench/persist-floor` stores the body as one row, which
is the least any endpoint that persists before acknowledging must do (DESIGN.md section 5).
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from goodtime_icims.urls import urlpatterns as production_urlpatterns


@csrf_exempt
def ceiling(request):
    return HttpResponse(b'{"status": "ok"}', content_type="application/json")


PERSIST_FLOOR_TABLE = "bench_persist_floor"


@csrf_exempt
def persist_floor(request):
    # Like the webhook's INSERT (integrations/services/webhook_event_insert.py), the statement is the
    # connection's health check: the floor stays the least a persisting endpoint does, one round trip.
    connection.health_check_done = True
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {PERSIST_FLOOR_TABLE} (body) VALUES (%s)", [request.body])
    return HttpResponse(b'{"status": "ok"}', content_type="application/json")


urlpatterns = [
    *production_urlpatterns,
    path("bench/ceiling", ceiling),
    path("bench/persist-floor", persist_floor),
]
