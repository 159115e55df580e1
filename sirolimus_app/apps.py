from django.apps import AppConfig
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
