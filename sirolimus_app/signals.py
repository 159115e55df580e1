"""Signals, connected in SirolimusConfig.ready (no model module imports a service):
- the stored calendar kept current on the two paths that do not go through the services
  (which refresh it in their own transaction: services.schedule.keeps_schedule_current);
- the audit of accounts: creating or changing a user (name, staff, superuser, active) and
  adding or removing a role (group), whether in the admin, a command or the shell. Signals,
  not the admin's forms, so every path is covered. The actor is the signed-in user of the
  request in progress (none for a command).
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, User
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from sirolimus_app.models import Patient
from sirolimus_app.models.schedule import CLINICAL_MODELS
from sirolimus_app.services import audit
from sirolimus_app.services.schedule import refresh_missing, refresh_patient

current_actor: ContextVar = ContextVar("current_actor", default=None)
# Restoring a backup re-creates accounts and their roles, and their audit lines with them:
# they must not be audited a second time.
_restoring: ContextVar = ContextVar("restoring", default=False)


@contextmanager
def account_audit_paused():
    token = _restoring.set(True)
    try:
        yield
    finally:
        _restoring.reset(token)


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


def audit_user_save(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or _restoring.get():
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # each sign-in stamps last_login: the sign-in is not an account change
    audit.record_account(current_actor.get(), "account.create" if created else
                         "account.update", instance)


def audit_role_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    if _restoring.get() or action not in ("post_add", "post_remove", "pre_clear"):
        return
    verb = {"post_add": "add", "post_remove": "remove", "pre_clear": "remove"}[action]
    if reverse:  # group.user_set.add(user…): one line per user
        users = (User.objects.filter(pk__in=pk_set) if pk_set is not None
                 else instance.user_set.all())
        pairs = [(user, [instance.name]) for user in users]
    else:
        groups = (Group.objects.filter(pk__in=pk_set) if pk_set is not None
                  else instance.groups.all())
        pairs = [(instance, sorted(g.name for g in groups))]
    for user, names in pairs:
        if names:
            audit.record_account(current_actor.get(), f"account.role_{verb}", user,
                                 after={"id": user.pk, "username": user.get_username(),
                                        "groups": names})


def connect() -> None:
    for model in CLINICAL_MODELS:
        post_delete.connect(_refresh_after_delete, sender=model,
                            dispatch_uid=f"schedule_refresh_after_delete_{model.__name__}")
    post_migrate.connect(_fill_after_migrate, dispatch_uid="schedule_fill_after_migrate")
    post_save.connect(audit_user_save, sender=User, dispatch_uid="sirolimus_audit_user_save")
    m2m_changed.connect(audit_role_change, sender=User.groups.through,
                        dispatch_uid="sirolimus_audit_roles")
