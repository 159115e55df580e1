"""The health probe the hospital's monitoring and the reverse proxy poll."""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """"ok" when this server can reach its database, 503 otherwise; says nothing about
    patients (no login, no data, not even the database's name)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("base de données injoignable", status=503,
                            content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain")
