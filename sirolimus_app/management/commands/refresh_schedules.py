from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sirolimus_app.models import Patient
from sirolimus_app.services.schedule import (
    CHUNK_SIZE,
    refresh_patients,
    update_planner_statistics,
)


class Command(BaseCommand):
    help = ("Recalcule le calendrier de surveillance et la situation de chaque patient (moteur "
            "du protocole) pour aujourd'hui, puis les statistiques de la base : à lancer chaque "
            "nuit, après minuit.")

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE,
                            help=f"Patients par transaction (défaut : {CHUNK_SIZE}).")

    def handle(self, *args, chunk_size=CHUNK_SIZE, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size doit être au moins 1.")
        today = timezone.localdate()
        count = refresh_patients(Patient.objects.values_list("pk", flat=True), today,
                                 chunk_size=chunk_size)
        update_planner_statistics()
        self.stdout.write(self.style.SUCCESS(
            f"Calendriers recalculés pour le {today:%d/%m/%Y} : {count} patients."))
