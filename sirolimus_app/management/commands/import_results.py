"""Import laboratory results from files: HL7 v2 (ER7, one or many messages) or FHIR JSON
(an Observation or a Bundle). Each message is stored with its fate; see docs/operations.md."""

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sirolimus_app.interop import fhir_in, hl7v2, importer
from sirolimus_app.models import InboundMessage
from sirolimus_app.services.schedule import refreshes_deferred

Format = InboundMessage.Format
CHUNK = 200


class Command(BaseCommand):
    help = "Importe des résultats de laboratoire (HL7 v2 ER7 ou FHIR JSON) depuis des fichiers."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--chunk", type=int, default=CHUNK,
                            help="Messages importés par transaction (calendriers recalculés "
                                 "une fois par patient et par lot).")
        parser.add_argument("--sender", default="fichier",
                            help="Émetteur des ressources FHIR (les messages HL7 v2 portent "
                                 "le leur, MSH-3/MSH-4).")

    def handle(self, *args, files, sender, chunk, **options):
        if chunk < 1:
            raise CommandError("--chunk doit être au moins 1.")
        fates = Counter()
        user = importer.laboratory_user()  # once: its permissions are then cached
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as error:
                raise CommandError(f"{path} : lecture impossible ({error.strerror})") from error
            messages = self._messages(data, sender)
            for start in range(0, len(messages), chunk):
                # A file can be imported again whole: what a crash left uncommitted is
                # imported then, what was committed is recognised as a duplicate.
                with refreshes_deferred():
                    outcomes = [importer.receive(text, **how, user=user)
                                for text, how in messages[start:start + chunk]]
                for outcome in outcomes:
                    fates[outcome.message.fate] += 1
                    self.stdout.write(f"{path.name} {outcome.message.control_id or '?'} : "
                                      f"{outcome.message.get_fate_display()} — "
                                      f"{outcome.reason}")
        summary = ", ".join(f"{n} {InboundMessage.Fate(fate).label.lower()}"
                            for fate, n in sorted(fates.items()))
        self.stdout.write(f"{sum(fates.values())} message(s) : {summary}")
        failed = fates[InboundMessage.Fate.ERROR] + fates[InboundMessage.Fate.REJECTED]
        if failed:
            raise CommandError(f"{failed} message(s) non importé(s) : voir le détail ci-dessus "
                               "(conservés dans les messages reçus).")

    def _messages(self, data: bytes, sender: str) -> list[tuple[str, dict]]:
        """Each message of the file, with how importer.receive is to read it."""
        text = hl7v2.decode(data).lstrip("\ufeff")
        channel = InboundMessage.Channel.FILE
        if text.lstrip().startswith("{"):
            return [(text, {"format": Format.FHIR, "channel": channel,
                            "read": fhir_in.reader(), "sender": f"fichier:{sender}"})]
        how = {"format": Format.HL7V2, "channel": channel, "read": hl7v2.read}
        # Not HL7 at all: one message, stored and reported as an error.
        return [(message, how) for message in hl7v2.split_messages(text) or [text]]
