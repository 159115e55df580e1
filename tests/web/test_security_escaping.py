"""Text typed by users comes back as text: on every page of the project (HTML), in the
printed documents (PDF), the calendar file (ICS) and the exports (CSV)."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar
from pypdf import PdfReader

from sirolimus_app.models import (
    AdverseEvent,
    CoMedication,
    MonitoringCheck,
    Patient,
    Prescription,
    Visit,
)
from sirolimus_app.services import dispensing, prescriptions, records
from tests.web.test_access_sweep import ACCESS, PROJECT, url_for
from tests.web.test_security_factories import TODAY, proposed_prescription, rich_patient

# Proposals built by hand, validated without the engine (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("hand_made_proposals")

# Each piece would do harm if it reached the page as markup: run a script, load an image
# from elsewhere (or make WeasyPrint fetch it), bold text, a spreadsheet formula.
HOSTILE = ('<script>alert("x")</script><img src="http://evil.example/i.png">'
           "<b>gras</b> =HYPERLINK(\"http://evil.example\") '; DROP TABLE x; --")
RAW_MARKUP = ("<script>alert", '<img src="http://evil', "<b>gras</b>")


@pytest.fixture
def hostile(haematologist, haematologist2, nurse, pharmacist):
    """A patient whose every free-text field holds the hostile text."""
    patient = rich_patient(haematologist, nurse, "IPP-<i>X</i>", "<b>Nom</b>")
    patient.first_name = '"><script>alert(1)</script>'
    patient.allergies = HOSTILE[:300]
    patient.obs_cerevance_registered = True
    patient = records.update_patient(haematologist, patient, expected_version=patient.version)
    Visit.objects.filter(patient=patient).update(notes=HOSTILE)
    CoMedication.objects.filter(patient=patient).update(name=HOSTILE[:100])
    AdverseEvent.objects.filter(patient=patient).update(description=HOSTILE)
    first = Prescription.objects.get(patient=patient)
    prescriptions.validate(pharmacist, first.pk, first.version, today=TODAY)
    pending = proposed_prescription(patient, haematologist2, mg="1.50")
    Prescription.objects.filter(pk=pending.pk).update(reason=HOSTILE)
    return {"patient": patient, "pending": pending,
            "active": Prescription.objects.get(patient=patient, status="active"),
            "visit": Visit.objects.get(patient=patient),
            "comedication": CoMedication.objects.get(patient=patient),
            # A nurse's tick, for the page that undoes one.
            "check": records.mark_check_done(nurse, MonitoringCheck(
                patient=patient, kind="trough", due_date=TODAY)),
            # A dispensing whose batch is the hostile text, for its label.
            "dispensing": dispensing.dispense(
                pharmacist, Prescription.objects.get(patient=patient, status="active").pk,
                days=28, batch=HOSTILE[:40], expiry=TODAY + timedelta(days=365), today=TODAY)}


@pytest.mark.parametrize("role", ["haematologist", "nurse", "pharmacist"])
def test_no_page_lets_typed_text_through_as_markup(client, request, hostile, role):
    client.force_login(request.getfixturevalue(role))
    shown = 0
    for name, route in PROJECT:
        methods, roles = ACCESS.get(name, ("POST", set()))
        if "GET" not in methods or role not in roles:
            continue
        response = client.get(url_for(name, route, hostile))
        assert response.status_code == 200, name
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        for markup in RAW_MARKUP:
            assert markup not in html, f"{name} shows {markup!r} as markup"
        shown += "&lt;script&gt;" in html or "&lt;b&gt;" in html
    assert shown >= 3  # the text is there, escaped, on the patient's pages at least


def _pdf_text(response) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        b"".join(response.streaming_content) if response.streaming else response.content
    )).pages)


@pytest.mark.parametrize("name,kind", [("documents_summary_pdf", "patient"),
                                       ("documents_schedule_pdf", "patient"),
                                       ("documents_dose_sheet_pdf", "active")])
def test_printed_documents_print_typed_text_as_text(client, nurse, hostile, name, kind):
    client.force_login(nurse)
    response = client.get(reverse(name, args=[hostile[kind].pk]))
    assert response.status_code == 200
    text = _pdf_text(response)
    assert "<b>Nom</b>".upper() in text.upper()  # the tags are printed, not obeyed


def test_calendar_file_keeps_typed_text_inside_its_fields(client, nurse, hostile):
    patient = hostile["patient"]
    Patient.objects.filter(pk=patient.pk).update(
        first_name="Zoé\r\nEND:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:forged")
    client.force_login(nurse)
    response = client.get(reverse("documents_schedule_ics", args=[patient.pk]))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert "forged" not in summaries
    assert response.content.count(b"BEGIN:VCALENDAR") == 1


def test_exports_never_start_a_cell_with_a_formula(client, haematologist, hostile):
    client.force_login(haematologist)
    for name in ("documents_cohort_patients_csv", "documents_cohort_events_csv"):
        response = client.get(reverse(name))
        content = (b"".join(response.streaming_content) if response.streaming
                   else response.content).decode("utf-8-sig")
        cells = [cell for row in csv.reader(io.StringIO(content)) for cell in row]
        assert cells
        assert not [c for c in cells if c[:1] in ("=", "+", "@") or (
            c[:1] == "-" and not c[1:].replace(".", "").isdigit())], name
