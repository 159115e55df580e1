"""Receive HL7 v2 results over MLLP and answer each with an ACK (AA / AE / AR)."""

import signal

from django.core.management.base import BaseCommand, CommandError

from sirolimus_app.interop.mllp import Listener


class Command(BaseCommand):
    help = "Reçoit des résultats HL7 v2 en MLLP et répond à chaque message par un ACK."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2575)

    def handle(self, *args, host, port, **options):
        listener = Listener(host, port)
        # SIGTERM (systemd) and Ctrl-C stop it; imports under way finish first (a message whose
        # ACK is lost is sent again by the laboratory and recognised as a duplicate).
        previous = {sig: signal.signal(sig, lambda *_: listener.stop())
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        self.stdout.write(f"Écoute MLLP sur {host}:{port}")
        try:
            listener.run()
        except OSError as error:  # port taken, address not on this machine…
            raise CommandError(f"Écoute impossible sur {host}:{port} : {error.strerror}") \
                from error
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
