"""`manage.py mllp_listen`: the listener on loopback, real framed messages, real ACKs."""

import os
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import hl7
import pytest
from django.core.management import call_command
from hl7.client import MLLPClient

from sirolimus_app.interop import mllp
from sirolimus_app.models import InboundMessage, InboundResult, TroughLevel

from .conftest import cbc, obx, oru, trough_ng, trough_nmol

pytestmark = pytest.mark.django_db(transaction=True)  # the listener's threads commit


@pytest.fixture
def listener():
    server = mllp.Listener("127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.ready.wait(10)
    yield server
    server.stop()
    thread.join(10)
    assert not thread.is_alive()


def send(server, *texts: str) -> list[hl7.Message]:
    with MLLPClient("127.0.0.1", server.port, encoding="latin-1") as client:
        return [hl7.parse(client.send_message(text).decode("utf-8").strip("\x0b\x1c\r"))
                for text in texts]


def msa(ack: hl7.Message) -> tuple[str, str, str]:
    segment = ack.segment("MSA")
    text = ack.unescape(str(segment(3))) if len(segment) > 3 else ""
    return str(segment(1)), str(segment(2)), text


def test_messages_on_one_connection_are_imported_and_acknowledged(listener, lea):
    acks = send(listener, trough_ng("MSG-0001", "8.4"), trough_nmol("MSG-0002", "9.2"),
                cbc("MSG-0003", "42"))
    assert [msa(a)[:2] for a in acks] == [("AA", "MSG-0001"), ("AA", "MSG-0002"),
                                          ("AA", "MSG-0003")]
    assert str(acks[0].segment("MSH")(9)) == "ACK^R01^ACK"
    assert str(acks[0].segment("MSH")(3)) == "SIROLIMUS-PTI"
    assert sorted(TroughLevel.objects.filter(patient=lea).values_list("unit", flat=True)) == [
        "ng/ml", "nmol/l"]
    assert lea.lab_results.filter(kind="platelets", value=42).exists()
    assert set(InboundMessage.objects.values_list("channel", flat=True)) == {"mllp"}


def test_a_duplicate_is_acknowledged_and_not_imported_again(listener, lea):
    first, again = send(listener, trough_ng("MSG-0001"), trough_ng("MSG-0001"))
    assert msa(first)[0] == "AA"
    code, control, text = msa(again)
    assert (code, control) == ("AA", "MSG-0001") and "déjà reçu" in text
    assert TroughLevel.objects.filter(patient=lea).count() == 1


def test_unknown_patient_held_and_correction_applied(listener, lea):
    unknown, first, correction = send(
        listener, trough_ng("MSG-0005", ipp="800999999"), trough_ng("MSG-0006"),
        oru("MSG-0007", obx(1, "29247-4", "Sirolimus", "6.1", "ng/mL", status="C")))
    assert [msa(a)[0] for a in (unknown, first, correction)] == ["AA", "AA", "AA"]
    assert "à revoir" in msa(unknown)[2]
    reasons = set(InboundResult.objects.filter(status="review")
                  .values_list("review_reason", flat=True))
    assert reasons == {"aucun patient avec l'IPP 800999999"}
    # The correction replaced the earlier trough: both kept, only the corrected one counts.
    assert TroughLevel.objects.filter(patient=lea).count() == 2
    assert [t.value for t in TroughLevel.objects.valid().filter(patient=lea)] == [
        Decimal("6.1")]


def test_errors_are_answered_ae_or_ar_with_the_reason(listener, lea):
    broken, wrong_type, bad_unit = send(
        listener, "PID|1||800123456\r", trough_ng("MSG-0008", kind="ADT^A08"),
        trough_ng("MSG-0009").replace("ng/mL^ng/mL", "mg/j^mg/j"))
    assert msa(broken)[0] == "AE" and "illisible" in msa(broken)[2]
    assert msa(wrong_type)[:2] == ("AR", "MSG-0008")
    assert "ADT^A08" in msa(wrong_type)[2]
    assert msa(bad_unit)[:2] == ("AE", "MSG-0009")
    assert "unité" in str(bad_unit.segment("ERR"))
    assert not TroughLevel.objects.filter(patient=lea).exists()
    assert sorted(InboundMessage.objects.values_list("fate", flat=True)) == [
        "error", "error", "rejected"]


def test_the_command_starts_the_listener(monkeypatch):
    started = {}

    def fake_run(self):
        started.update(host=self.host, port=self.port)

    monkeypatch.setattr(mllp.Listener, "run", fake_run)
    call_command("mllp_listen", "--host", "127.0.0.1", "--port", "2599")
    assert started == {"host": "127.0.0.1", "port": 2599}


def test_the_command_says_when_the_port_is_taken(listener, tmp_path):
    # As the operator starts it, in its own process: the browser tests' Playwright keeps an
    # event loop running in this one, and the command starts its own (and its signal
    # handlers, which only a main thread may).
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "sirolimus_app.settings"}
    done = subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [sys.executable, "manage.py", "mllp_listen", "--host", "127.0.0.1",
         "--port", str(listener.port)], env=env, capture_output=True, text=True, timeout=60,
        cwd=Path(__file__).resolve().parents[2], check=False)
    assert done.returncode != 0
    assert "Écoute impossible" in done.stderr
