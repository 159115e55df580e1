"""The second factor (TOTP, django-otp) for local accounts: who must give one, and the sign-in
step that asks for it.

Whether a session still owes its second factor is decided once, at sign-in, and kept in the
session: pages then cost no query for it. Required for OTP_REQUIRED_FOR (staff, superusers,
and any role named there), and for anyone who enrolled a device of their own accord. A sign-in
through the hospital's identity provider (OIDC) is not asked again: the provider's own
multi-factor policy applies (Pro Santé Connect requires one).
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.urls import Resolver404, resolve, reverse
from django_otp import user_has_device

from sirolimus_app.roles import user_roles

PENDING = "second_factor_pending"
OIDC_BACKEND = "sirolimus_app.oidc.HospitalOIDCBackend"
# What a session that owes its second factor may still open.
OPEN_WHILE_PENDING = {"otp_verify", "otp_setup", "logout", "set_language", "healthz", "login",
                      "javascript-catalog"}


def second_factor_required(user) -> bool:
    required = set(settings.OTP_REQUIRED_FOR)
    if "all" in required:
        return True
    if (user.is_superuser and "superuser" in required) or (user.is_staff and "staff" in required):
        return True
    roles = required - {"staff", "superuser"}
    return bool(roles) and bool(roles & set(user_roles(user)))


@receiver(user_logged_in, dispatch_uid="sirolimus_second_factor")
def ask_for_second_factor(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if getattr(user, "backend", None) == OIDC_BACKEND:
        return
    if second_factor_required(user) or user_has_device(user):
        request.session[PENDING] = True


class SecondFactorMiddleware:
    """A session that owes its second factor reaches only the verification (or enrolment)
    page, its sign-out and the language switch."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(PENDING) and request.user.is_authenticated:
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = None
            if name not in OPEN_WHILE_PENDING:
                return redirect_to_login(request.get_full_path(), reverse("otp_verify"))
        return self.get_response(request)
