"""The administration site behind the application's own sign-in: the same throttled login
form and, for every administrator, the second factor (django-otp) before any admin page."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.decorators import method_decorator


def is_verified(user) -> bool:
    """Signed in with a second factor (django-otp's middleware sets is_verified)."""
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified())


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and is_verified(request.user)

    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        """No second login form: the application's one (throttled, then the second factor).
        A signed-in user who is not an administrator is refused, not sent round in a loop."""
        if request.user.is_authenticated:
            if request.user.is_active and request.user.is_staff:
                return redirect_to_login(request.GET.get("next", reverse("admin:index")),
                                         reverse("otp_verify"))
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", reverse("admin:index")),
                                 reverse("login"))


class ReadOnlyAdmin(admin.ModelAdmin):
    """What administrators may only read (the trails, the laboratory's messages): changed
    only through the services, never by hand, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
