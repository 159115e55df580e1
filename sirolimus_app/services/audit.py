"""Writing the audit trail. Called inside the service functions' transactions, so a change
and its audit line are saved together or not at all."""

from django.forms.models import model_to_dict

from sirolimus_app.models import AuditEvent, Patient

# What an account's audit line keeps: never the password hash.
ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "is_staff",
                  "is_superuser")


def snapshot(instance) -> dict:
    """The record's fields as plain data, for the 'before' and 'after' of an audit line."""
    data = model_to_dict(instance)
    data["id"] = instance.pk
    return data


def account_snapshot(account) -> dict:
    return {"id": account.pk, **{name: getattr(account, name) for name in ACCOUNT_FIELDS}}


def _actor(user):
    return user if user is not None and user.is_authenticated else None


def record(user, action: str, instance, *, before: dict | None = None,
           after: dict | None = None) -> AuditEvent:
    patient_id = instance.pk if isinstance(instance, Patient) else getattr(
        instance, "patient_id", None)
    actor = _actor(user)
    return AuditEvent.objects.create(
        user=actor,
        # The name at the time, kept with the line: a later rename rewrites nothing.
        username=actor.get_username() if actor else "",
        user_full_name=actor.get_full_name() if actor else "",
        action=action,
        object_type=instance._meta.label,
        object_id=str(instance.pk),
        patient_id=patient_id,
        before=before,
        after=after if after is not None else snapshot(instance),
    )


def record_account(user, action: str, account, *, before: dict | None = None,
                   after: dict | None = None) -> AuditEvent:
    """An account, role or second-factor change: the account's fields without its password."""
    return record(user, action, account, before=before,
                  after=after if after is not None else account_snapshot(account))
