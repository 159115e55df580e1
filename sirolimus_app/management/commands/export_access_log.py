import sys
from datetime import date, datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sirolimus_app.documents.cohort import to_csv
from sirolimus_app.models import AccessLogEntry

COLUMNS = ["at", "username", "user_full_name", "ip_address", "page", "patient_id",
           "object_ref"]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Date invalide (AAAA-MM-JJ attendu) : {text!r}") from exc


class Command(BaseCommand):
    help = ("Exporte le journal des accès aux dossiers en CSV (UTF-8, champs entre guillemets) "
            "pour une période, jours inclus (heure de Paris) : pour le DPO, le RSSI ou une "
            "demande d'un patient.")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True,
                            help="Premier jour (AAAA-MM-JJ).")
        parser.add_argument("--to", dest="end", required=True,
                            help="Dernier jour (AAAA-MM-JJ).")
        parser.add_argument("--patient", type=int,
                            help="Un seul patient (identifiant interne).")
        parser.add_argument("--output", help="Fichier à écrire (défaut : sortie standard).")

    def handle(self, *args, start, end, patient=None, output=None, **options):
        first, last = _day(start), _day(end)
        if last < first:
            raise CommandError("--to précède --from.")
        zone = timezone.get_current_timezone()
        entries = AccessLogEntry.objects.filter(
            at__gte=datetime.combine(first, time.min, zone),
            at__lt=datetime.combine(last + timedelta(days=1), time.min, zone),
        ).order_by("at", "pk")
        if patient is not None:
            entries = entries.filter(patient_id=patient)
        rows = [[timezone.localtime(e.at).isoformat(timespec="seconds"), e.username,
                 e.user_full_name, e.ip_address, e.page, e.patient_id, e.object_ref]
                for e in entries.iterator()]
        text = to_csv(COLUMNS, rows)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as file:
                file.write(text)
        else:
            sys.stdout.write(text)
        self.stderr.write(f"{len(rows)} accès exportés du {first:%d/%m/%Y} au {last:%d/%m/%Y}.")
