"""Writing the audit trail. Called inside the service functions' transactions, so a change
and its audit line are saved together or not at all."""

from django.forms.models import model_to_dict

from sirolimus_app.models import AuditEvent, Patient


def snapshot(instance) -> dict:
    """The record's fields as plain data, for the 'before' and 'after' of an audit line."""
    data = model_to_dict(instance)
    data["id"] = instance.pk
    return data


def record(user, action: str, instance, *, before: dict | None = None,
           after: dict | None = None) -> AuditEvent:
    patient_id = instance.pk if isinstance(instance, Patient) else getattr(
        instance, "patient_id", None)
    return AuditEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        object_type=instance._meta.label,
        object_id=str(instance.pk),
        patient_id=patient_id,
        before=before,
        after=after if after is not None else snapshot(instance),
    )
