from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sirolimus_app.roles import user_roles


@require_GET
def home(request):
    """Each role's landing page; a user with no role sees a plain explanation, no data."""
    roles = user_roles(request.user)
    if not roles:
        return render(request, "home/no_role.html", status=403)
    return render(request, "home/home.html", {"roles": roles})


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Liveness probe for the hospital's monitoring: says nothing about patients."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")
