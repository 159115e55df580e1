from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from sirolimus_app.dblock import LockBusy, exclusive
from sirolimus_app.models import Patient
from sirolimus_app.services.schedule import (
    CHUNK_SIZE,
    refresh_patients,
    update_planner_statistics,
)


class Command(BaseCommand):
    help = ("Recalcule le calendrier de surveillance et la situation de chaque patient (moteur "
            "du protocole) pour aujourd'hui, puis les statistiques de la base : à lancer chaque "
            "nuit, après minuit. Un seul calcul à la fois, même lancé sur plusieurs serveurs "
            "(verrou dans la base).")

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE,
                            help=f"Patients par transaction (défaut : {CHUNK_SIZE}).")
        parser.add_argument("--no-wait", action="store_true",
                            help="Si un autre serveur fait déjà le calcul, ne pas l'attendre "
                                 "pour le refaire : s'arrêter (sans erreur).")

    def handle(self, *args, chunk_size=CHUNK_SIZE, no_wait=False, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size doit être au moins 1.")
        try:
            with exclusive("refresh_schedules", wait=not no_wait):
                # The date is read once the lock is held: a run queued behind another one
                # that crossed midnight computes the new day.
                today = timezone.localdate()
                _page_cache_for_the_night()
                count = refresh_patients(Patient.objects.values_list("pk", flat=True), today,
                                         chunk_size=chunk_size)
                update_planner_statistics()
        except LockBusy:
            self.stdout.write("Calcul déjà en cours sur un autre serveur : rien à faire ici.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Calendriers recalculés pour le {today:%d/%m/%Y} : {count} patients."))


# SQLite's page cache for this process's connection, in KiB: the run rewrites every calendar
# row (some 150,000 at 10,000 patients) across the table's four indexes, and SQLite's default
# of 2 MB read the same pages again from the file chunk after chunk (a tenth of the run).
NIGHT_PAGE_CACHE_KIB = 64 * 1024


def _page_cache_for_the_night() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{NIGHT_PAGE_CACHE_KIB}")
