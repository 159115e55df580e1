from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class SirolimusConfig(AppConfig):
    name = "sirolimus_app"
    verbose_name = _("Sirolimus dans le PTI")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals
        from .roles import ensure_roles

        signals.connect()
        # Groups and their permissions exist in every database, tests included.
        post_migrate.connect(ensure_roles, sender=self)
        # Sign-in time (absolute session lifetime) and the audit of accounts and roles.
        from . import middleware_security  # noqa: F401


class AdminConfig(admin_apps.AdminConfig):
    """The admin site behind the application's sign-in and the second factor."""

    default = False
    default_site = "sirolimus_app.admin_site.AdminSite"
