"""Receive HL7 v2 results over MLLP and answer each with an ACK (AA / AE / AR)."""

import signal

from django.core.management.base import BaseCommand

from sirolimus_app.interop.mllp import Listener


class Command(BaseCommand):
    help = "Reçoit des résultats HL7 v2 en MLLP et répond à chaque message par un ACK."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2575)

    def handle(self, *args, host, port, **options):
        listener = Listener(host, port)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: listener.stop())
        self.stdout.write(f"Écoute MLLP sur {host}:{port}")
        listener.run()
