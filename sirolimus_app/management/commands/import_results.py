"""Import laboratory results from files: HL7 v2 (ER7, one or many messages) or FHIR JSON
(an Observation or a Bundle). Each message is stored with its fate; see docs/operations.md."""

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sirolimus_app.interop import fhir_in, hl7v2, importer
from sirolimus_app.models import InboundMessage

Format = InboundMessage.Format


class Command(BaseCommand):
    help = "Importe des résultats de laboratoire (HL7 v2 ER7 ou FHIR JSON) depuis des fichiers."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--sender", default="fichier",
                            help="Émetteur des ressources FHIR (les messages HL7 v2 portent "
                                 "le leur, MSH-3/MSH-4).")

    def handle(self, *args, files, sender, **options):
        fates = Counter()
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as error:
                raise CommandError(f"{path} : lecture impossible ({error.strerror})") from error
            for outcome in self._import(data, sender):
                fates[outcome.message.fate] += 1
                label = outcome.message.control_id or "?"
                self.stdout.write(f"{path.name} {label} : "
                                  f"{outcome.message.get_fate_display()} — {outcome.reason}")
        summary = ", ".join(f"{n} {InboundMessage.Fate(fate).label.lower()}"
                            for fate, n in sorted(fates.items()))
        self.stdout.write(f"{sum(fates.values())} message(s) : {summary}")
        failed = fates[InboundMessage.Fate.ERROR] + fates[InboundMessage.Fate.REJECTED]
        if failed:
            raise CommandError(f"{failed} message(s) non importé(s) : voir le détail ci-dessus "
                               "(conservés dans les messages reçus).")

    def _import(self, data: bytes, sender: str):
        text = hl7v2.decode(data).lstrip("\ufeff")
        channel = InboundMessage.Channel.FILE
        if text.lstrip().startswith("{"):
            yield importer.receive(text, format=Format.FHIR, channel=channel,
                                   read=fhir_in.reader(), sender=f"fichier:{sender}")
            return
        messages = hl7v2.split_messages(text)
        if not messages:
            messages = [text]  # not HL7 at all: stored and reported as an error
        for message in messages:
            yield importer.receive(message, format=Format.HL7V2, channel=channel,
                                   read=hl7v2.read)
