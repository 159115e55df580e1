"""The three clinical roles, as Django groups with their permissions.

A user in none of these groups can log in but sees nothing clinical.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HAEMATOLOGIST = "haematologist", _("Hématologue")
    NURSE = "nurse", _("Infirmier·ère")
    PHARMACIST = "pharmacist", _("Pharmacien·ne")


_READ = [
    "view_patient", "view_prescription", "view_troughlevel", "view_labresult", "view_visit",
    "view_adverseevent", "view_bodymeasurement", "view_comedication", "view_monitoringcheck",
    "view_auditevent", "print_documents",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.HAEMATOLOGIST: _READ + [
        "add_patient", "change_patient", "propose_prescription", "change_prescription",
        "add_troughlevel", "add_labresult", "add_visit", "change_visit", "add_adverseevent",
        "change_adverseevent", "add_bodymeasurement", "add_comedication", "change_comedication",
        "record_vitals", "add_monitoringcheck", "export_cohort", "void_records",
        "resolve_inboundresult",
        # Who opened this child's record (Accès au dossier).
        "view_accesslogentry",
    ],
    Role.NURSE: _READ + [
        "record_vitals", "add_bodymeasurement", "add_monitoringcheck", "add_troughlevel",
    ],
    # A co-medication found while reconciling the child's medicines is the pharmacist's.
    Role.PHARMACIST: _READ + ["validate_prescription", "add_comedication",
                              "dispense_prescription"],
}


def ensure_roles(**kwargs):
    """Create the groups and give them exactly their permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        perms = list(Permission.objects.filter(content_type__app_label="sirolimus_app",
                                               codename__in=codenames))
        missing = set(codenames) - {p.codename for p in perms}
        if missing:
            raise RuntimeError(f"Unknown permissions for role {role}: {sorted(missing)}")
        group.permissions.set(perms)


def user_roles(user) -> list[str]:
    if not user.is_authenticated:
        return []
    names = {g.name for g in user.groups.all()}
    return [role for role in Role.values if role in names]
