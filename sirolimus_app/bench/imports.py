"""The import figure of the benchmark: 1,000 results from the laboratory in one HL7 v2 file
(one ORU^R01 per trough, for followed patients of the registry), through `import_results`,
every one imported by the same services as a typed trough (engine run and calendar
refreshed each time)."""

import io
import tempfile
import time
from datetime import timedelta
from itertools import cycle
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from sirolimus_app.models import InboundMessage, Patient, PatientStatus


def _message(n: int, patient: Patient, moment) -> str:
    stamp = timezone.localtime(moment).strftime("%Y%m%d%H%M")
    return "\r".join([
        f"MSH|^~\\&|SIL|LABO-BENCH|SIROLIMUS-PTI|PEDIATRIE|{stamp}||ORU^R01^ORU_R01|"
        f"BENCH-{n:06d}|P|2.5",
        f"PID|1||{patient.hospital_number}^^^{settings.INTEROP_ASSIGNING_AUTHORITY}^PI||"
        f"{patient.last_name}^{patient.first_name}||{patient.birth_date:%Y%m%d}|{patient.sex}",
        f"OBR|1||BENCH-{n:06d}^SIL|29247-4^Sirolimus^LN|||{stamp}",
        f"OBX|1|NM|29247-4^Sirolimus^LN||{6 + n % 7}.{n % 10}|ng/mL^ng/mL^UCUM|||||F|||{stamp}",
    ]) + "\r"


def import_seconds(count: int = 1000) -> float:
    """Seconds to import `count` troughs (RuntimeError unless every one was imported)."""
    followed = list(Patient.objects.filter(
        schedule_status__treatment__in=PatientStatus.FOLLOWED).order_by("pk")[:count])
    if not followed:
        raise RuntimeError("no followed patient to import results for")
    now = timezone.now()
    text = "\n".join(_message(n, patient, now - timedelta(minutes=count - n))
                     for n, patient in zip(range(count), cycle(followed)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.hl7"
        path.write_text(text, encoding="utf-8")
        before = InboundMessage.objects.filter(fate=InboundMessage.Fate.IMPORTED).count()
        started = time.perf_counter()
        call_command("import_results", str(path), stdout=io.StringIO())
        seconds = time.perf_counter() - started
    imported = InboundMessage.objects.filter(fate=InboundMessage.Fate.IMPORTED).count() - before
    if imported != count:
        raise RuntimeError(f"{imported} of {count} bench results imported")
    return round(seconds, 2)
