"""Demo accounts and patients for a newcomer: `make run` calls this on every start.

Idempotent (a second run adds nothing) and refused outside DEBUG, so the weak demo
passwords can never reach a production database.
"""

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sirolimus_app.roles import Role

DEMO_PASSWORD = "demo"  # noqa: S105 (demo only; refused unless DEBUG)
DEMO_USERS = [
    ("hematologue", Role.HAEMATOLOGIST, "Hélène", "Hématologue"),
    ("infirmiere", Role.NURSE, "Inès", "Infirmière"),
    ("pharmacien", Role.PHARMACIST, "Pierre", "Pharmacien"),
]


class Command(BaseCommand):
    help = "Charge les comptes et patients de démonstration (DEBUG uniquement)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo refuse de s'exécuter sans DEBUG=1 (comptes faibles).")
        with transaction.atomic():
            users = {username: self._user(username, role, first, last)
                     for username, role, first, last in DEMO_USERS}
            from sirolimus_app.demo import load_demo_patients

            created = load_demo_patients(users)
        self.stdout.write(self.style.SUCCESS(
            f"Données de démonstration prêtes ({created} patient(s) ajouté(s))."))
        self.stdout.write("Comptes de démonstration (mot de passe « demo ») :")
        for username, role, _first, _last in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {Role(role).label}")
        self.stdout.write("Application : http://127.0.0.1:8000/")

    def _user(self, username, role, first, last):
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        return user
