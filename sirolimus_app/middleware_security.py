"""Session and response rules for health data: nothing a signed-in user sees is kept in a
cache, and a session ends a fixed time after sign-in however active it stays."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.utils.cache import add_never_cache_headers

from sirolimus_app.signals import current_actor

SIGNED_IN_AT = "signed_in_at"


@receiver(user_logged_in, dispatch_uid="sirolimus_signed_in_at")
def remember_sign_in_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


class AbsoluteSessionMiddleware:
    """The idle timeout (SESSION_COOKIE_AGE) slides with every request; this one does not: after
    SESSION_ABSOLUTE_SECONDS since sign-in, the next request signs the user out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault(SIGNED_IN_AT, int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class NoStoreMiddleware:
    """Every answer to a signed-in user may carry patient data: no browser, proxy or shared
    ward computer may keep a copy (Cache-Control: no-store)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class AuditActorMiddleware:
    """Who is acting, for the audit lines written by signals (account and role changes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_actor.set(request.user)
        try:
            return self.get_response(request)
        finally:
            current_actor.reset(token)
