"""Keeping the stored calendar current on the two paths that do not go through the services
(which refresh it in their own transaction: services.schedule.keeps_schedule_current).
Connected in SirolimusConfig.ready, so no model module imports a service."""

from django.apps import apps as global_apps
from django.db.models.signals import post_delete, post_migrate

from sirolimus_app.models import Patient
from sirolimus_app.models.schedule import CLINICAL_MODELS
from sirolimus_app.services.schedule import refresh_missing, refresh_patient


def _refresh_after_delete(sender, instance, **kwargs):
    """The services never delete clinical records; one deleted anyway (a data fix in the
    shell) must not leave the calendar saying that an item was done."""
    refresh_patient(instance.patient_id)


def _fill_after_migrate(sender, app_config, apps=global_apps, **kwargs):
    """A database from before these tables: fill them (every patient at the first `migrate`
    after the upgrade; nobody later, since every patient gets a status when created)."""
    if app_config.label != Patient._meta.app_label:
        return
    try:
        apps.get_model(Patient._meta.app_label, "PatientStatus")
    except LookupError:  # migrated backwards, to before these tables
        return
    refresh_missing()


def connect() -> None:
    for model in CLINICAL_MODELS:
        post_delete.connect(_refresh_after_delete, sender=model,
                            dispatch_uid=f"schedule_refresh_after_delete_{model.__name__}")
    post_migrate.connect(_fill_after_migrate, dispatch_uid="schedule_fill_after_migrate")
