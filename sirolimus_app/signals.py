"""Audit of accounts: creating or changing a user (name, staff, superuser, active) and
adding or removing a role (group), whether in the admin, a command or the shell.

Signals, not the admin's forms, so every path is covered. The actor is the signed-in user of
the request in progress (none for a command).
"""

from contextvars import ContextVar

from django.contrib.auth.models import Group, User
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from sirolimus_app.services import audit

current_actor: ContextVar = ContextVar("current_actor", default=None)


@receiver(post_save, sender=User, dispatch_uid="sirolimus_audit_user_save")
def audit_user_save(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return  # each sign-in stamps last_login: the sign-in is not an account change
    audit.record_account(current_actor.get(), "account.create" if created else
                         "account.update", instance)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="sirolimus_audit_roles")
def audit_role_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
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
