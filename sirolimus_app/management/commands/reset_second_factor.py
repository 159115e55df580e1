from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from sirolimus_app.services import audit


class Command(BaseCommand):
    help = ("Réinitialise le second facteur d'un utilisateur (téléphone perdu, codes de secours "
            "épuisés) : ses appareils TOTP et codes de secours sont supprimés ; à sa prochaine "
            "connexion il en enregistre un nouveau. Vérifiez l'identité de la personne avant.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True,
                            help="Pourquoi (enregistré dans le journal d'audit).")

    @transaction.atomic
    def handle(self, *args, username, reason, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"Utilisateur inconnu : {username}") from exc
        removed = (TOTPDevice.objects.filter(user=user).delete()[0]
                   + StaticDevice.objects.filter(user=user).delete()[0])
        audit.record_account(None, "account.second_factor_reset", user,
                             after={"id": user.pk, "username": user.username,
                                    "reason": reason, "via": "manage.py reset_second_factor"})
        self.stdout.write(self.style.SUCCESS(
            f"Second facteur de {username} réinitialisé ({removed} éléments supprimés)."))
