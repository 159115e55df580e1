from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

RPPS_PATTERN = r"^[0-9]{11}$"


class StaffProfile(models.Model):
    """What a prescription needs to know about the person who signs it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="staff_profile")
    rpps = models.CharField(
        _("numéro RPPS"), max_length=11, blank=True,
        validators=[RegexValidator(RPPS_PATTERN, _("Le numéro RPPS compte 11 chiffres."))],
        help_text=_("Répertoire partagé des professionnels de santé : 11 chiffres."),
    )

    class Meta:
        verbose_name = _("profil professionnel")
        verbose_name_plural = _("profils professionnels")
        constraints = [
            models.CheckConstraint(condition=Q(rpps="") | Q(rpps__regex=RPPS_PATTERN),
                                   name="staff_rpps_11_digits"),
        ]

    def __str__(self):
        return f"{self.user} (RPPS {self.rpps or '—'})"
