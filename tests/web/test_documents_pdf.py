"""The three PDFs, parsed back with pypdf: what each says, on every page, in which language,
with which fonts; who may print them."""

import io
import re
from datetime import timedelta

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from protocol import RULES
from protocol.calendar import appointment
from protocol.dates import add_months
from sirolimus_app.models import BodyMeasurement, Patient, Prescription
from sirolimus_app.services import prescriptions, records
from tests.web.test_documents_factories import new_patient, prescribe, two_year_history


def d(day) -> str:
    return formats.date_format(day, "d/m/Y")


def read(response) -> tuple[list[str], pypdf.PdfReader]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    # A word cut at a hyphen at the end of a line ('REG-OFF-\nLABEL') is one word again.
    pages = [re.sub(r"-\s*\n\s*", "-", page.extract_text()) for page in reader.pages]
    return pages, reader


def flat(pages: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(pages))


WEEKDAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
# A rule ID as the clinicians' documents print them (FOLLOW-VISITS, AE-BP, TDM-STEADY-STATE).
RULE_ID = re.compile(r"\b[A-Z]{2,}(-[A-Z0-9]+)+\b")


def on_day(text: str, day, what: str) -> bool:
    """`what` is listed under the date `day` of the schedule (before the next day's row,
    which starts with the day of the week)."""
    start = f"{formats.date_format(day, 'l')} {d(day)} "
    return re.search(rf"{re.escape(start)}(?:(?!(?:{WEEKDAYS}) \d\d/).)*?{re.escape(what)}",
                     text) is not None


def past_on_day(text: str, day, what: str) -> bool:
    """`what` is on the line of the date `day` in the schedule's past days (one line a day,
    before the next date; "fait le <date>" is within a line)."""
    return re.search(rf"{re.escape(d(day))} (?:(?!(?<!le )(?<!on )\d\d/\d\d/\d{{4}} (?!\()).)*?"
                     rf"{re.escape(what)}",
                     text) is not None


def embedded_fonts(reader: pypdf.PdfReader) -> set[str]:
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)[
                "/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    return fonts


def assert_every_page_framed(pages: list[str], user_name: str, family: bool = False) -> None:
    """Identity, date made and by whom, the off-label statement and the page number, on
    every page. The family's calendar says off-label in plain words, without the rule ID."""
    today = d(timezone.localdate())
    for number, text in enumerate(pages, start=1):
        one_line = re.sub(r"\s+", " ", text)
        assert "LEFÈVRE-BRÉHAT Anaïs" in one_line, number
        assert "née le 12/03/2014" in one_line and "IPP 77001" in one_line, number
        assert f"Édité le {today}" in one_line and f"par {user_name}" in one_line, number
        assert "hors AMM" in one_line, number
        if family:
            assert "en dehors de son autorisation de mise sur le marché" in one_line, number
            assert "REG-OFF-LABEL" not in one_line, number
        else:
            assert "REG-OFF-LABEL" in one_line, number
        assert f"Page {number} / {len(pages)}" in one_line, number


@pytest.fixture
def history(haematologist, nurse, pharmacist):
    return two_year_history(haematologist, nurse, pharmacist, hospital_number="77001")


# --- 1. the monitoring schedule ------------------------------------------------------------

def test_schedule_lists_every_appointment_day_with_dose_and_safety_in_plain_words(
        client, nurse, history):
    """The family's calendar (issue 19): what is done each working day and why, in words; the
    rule IDs are on the summary (test_summary_keeps_the_calendar_with_its_rule_ids)."""
    client.force_login(nurse)
    pages, reader = read(client.get(reverse("documents_schedule_pdf",
                                            args=[history.patient.pk])))
    text = flat(pages)
    assert len(pages) >= 2
    assert_every_page_framed(pages, "Julie Bernard", family=True)
    assert embedded_fonts(reader) >= {"DejaVu-Sans", "DejaVu-Sans-Bold"}
    # The dose as given, at a fixed time (DOSE-TIMING), from the current prescription.
    assert "1,3 ml de Rapamune® solution buvable à 1 mg/ml, soit 1,3 mg, une fois par jour" \
        in text
    assert "Toujours de la même façon par rapport aux repas" in text
    # Every appointment day: what is to come in full, each thing with its reason and a box to
    # tick; what is past one line a day, done or not noted.
    start, today = history.start, history.today
    for months in (1, 3, 6, 12, 18, 24):
        day = appointment(add_months(start, months), "visit")
        assert day < today
        assert past_on_day(text, day, "✓ Consultation de suivi, fait le"), months
    m30 = appointment(add_months(start, 30), "visit")
    assert on_day(text, m30, "Consultation de suivi avec le médecin, après 30 mois de "
                             "traitement.")
    assert on_day(text, m30, "Prise de sang juste avant la prise du matin pour doser le "
                             "sirolimus : le contrôle régulier, tous les 6 mois.")
    assert on_day(text, m30, "Ce matin-là, ne donnez le sirolimus qu'après la prise de sang.")
    j7 = start + timedelta(days=7)
    assert past_on_day(text, appointment(j7, "trough"),
                       f"✓ Prise de sang pour doser le sirolimus, fait le {d(j7)}")
    assert past_on_day(text, appointment(add_months(start, 12), "lipids"),
                       "Prise de sang pour le cholestérol et les triglycérides")
    assert past_on_day(text, appointment(add_months(start, 6), "blood_pressure"),
                       "Tension artérielle")
    assert "☐" in text and "✓" in text
    # The past comes after what is to do and the safety instructions.
    assert text.index("Ce qu'il faut savoir") < text.index("déjà passés") < text.index(d(j7))
    assert "Fièvre : appelez le service sans attendre (01 23 45 67 89)" in text
    assert "aucun vaccin vivant pendant le traitement" in text
    assert "l'enfant N'EST PAS protégé contre la varicelle" in text  # vzv_immune is False
    # No rule ID, no "T0 J7 modif.", no "M6": the words of the clinicians' documents.
    assert not RULE_ID.search(text), RULE_ID.search(text)
    assert not [rule for rule in RULES if rule in text]
    assert "T0" not in text and not re.search(r"\bM\d+\b", text)
    assert "NFS" not in text and "Taux résiduel" not in text


def test_schedule_of_a_suspended_treatment_says_not_to_give_it(client, haematologist,
                                                               pharmacist, nurse):
    patient = _started_patient(haematologist, pharmacist, nurse)
    today = timezone.localdate()
    prescriptions.suspend(haematologist, patient.pk, "T0 > 15 ng/ml", on_date=today,
                          today=today)
    client.force_login(nurse)
    text = flat(read(client.get(reverse("documents_schedule_pdf", args=[patient.pk])))[0])
    assert f"Traitement SUSPENDU depuis le {d(today)}" in text
    assert "ne pas donner le sirolimus" in text


def test_schedule_says_which_tablets_to_take(client, haematologist, pharmacist, nurse):
    patient = _measured_patient(haematologist, nurse, form=Patient.Form.TABLETS)
    prescribe(haematologist, pharmacist, patient, "start", timezone.localdate())
    client.force_login(nurse)
    text = flat(read(client.get(reverse("documents_schedule_pdf", args=[patient.pk])))[0])
    # 2 mg/m²/day × 1.0408 m² = 2.08 mg: 2 mg (−3.9 %) is the nearest tablet dose (issue 12)
    assert "1 comprimé à 2 mg de Rapamune®, soit 2 mg, une fois par jour" in text


def test_schedule_of_an_incomplete_record_explains_instead_of_failing(client, haematologist,
                                                                      nurse):
    patient = new_patient(haematologist)  # no weight nor height: the engine cannot run
    client.force_login(nurse)
    text = flat(read(client.get(reverse("documents_schedule_pdf", args=[patient.pk])))[0])
    assert "Le calendrier ne peut pas être calculé" in text
    assert "Poids" in text
    assert "Pas de traitement par sirolimus en cours" in text


# --- 2. the treatment summary -------------------------------------------------------------

def test_summary_holds_the_whole_course_with_interpretations_and_rules(client, haematologist,
                                                                      history):
    client.force_login(haematologist)
    pages, reader = read(client.get(reverse("documents_summary_pdf",
                                            args=[history.patient.pk])))
    text = flat(pages)
    assert_every_page_framed(pages, "Claire Martin")
    assert embedded_fonts(reader) >= {"DejaVu-Sans", "DejaVu-Sans-Bold", "DejaVu-Sans-Mono"}
    start = history.start
    # Indication and eligibility.
    assert "PTI chronique (> 12 mois)" in text and "syndrome d'Evans" in text
    for rule in ("ELIG-INDICATION", "ELIG-GOOD-CANDIDATE", "CI-HYPERSENSITIVITY",
                 "CI-SOY-PEANUT", "NO-OTHER-IS", "FOLLOW-COHORT"):
        assert rule in text, rule
    # Dose history: start, increase, half-dose restart, with who prescribed and validated.
    assert f"{d(start)} {d(start + timedelta(days=22))} 2,1 2,02" in text
    assert "2,6 ml de solution" in text and "1,3 ml de solution" in text
    assert "Reprise — en cours" in text and "Claire Martin / Marc Petit" in text
    # Troughs with the engine's reading, the toxic one flagged; µg/l kept as entered.
    assert f"{d(add_months(start, 3))} 16,2" in text and "zone toxique" in text
    assert "4,8 µg/l" in text
    assert "TDM-NO-TARGET" in text and "TOX-SUSPEND" in text
    # Platelets with the response status.
    assert "Réponse complète (RC) confirmée" in text
    assert "≥ 100" in text and "< 30" in text
    # Adverse events, co-medications, the current advice with its rule IDs, the charts.
    assert "Aphtes" in text and "Grade 2 — modéré" in text and "déclaré le" in text
    assert "fluconazole" in text
    assert "Proposition principale" in text and "FORM-PRESENTATIONS" in text
    assert "VACC-LIVE" in text and "mg/m²/j" in text
    assert "Taux résiduels de sirolimus (ng/ml)" in text and "Plaquettes (G/L)" in text
    assert "15 ng/ml" in text and "100 G/L" in text and "30 G/L" in text


def test_summary_costs_a_fixed_number_of_queries(client, haematologist, history,
                                                 django_assert_max_num_queries):
    client.force_login(haematologist)
    url = reverse("documents_summary_pdf", args=[history.patient.pk])
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


# --- 3. the pharmacist's dose sheet -------------------------------------------------------

def test_dose_sheet_shows_the_working_alerts_and_who_did_what(client, pharmacist, history):
    start = history.prescriptions[0]
    client.force_login(pharmacist)
    pages, reader = read(client.get(reverse("documents_dose_sheet_pdf", args=[start.pk])))
    text = flat(pages)
    assert_every_page_framed(pages, "Marc Petit")
    assert "Fiche de validation pharmaceutique" in text
    assert f"Prescription n° {start.pk}" in text
    # The working as the engine recorded it when the dose was proposed.
    assert "30 kg, 130 cm" in text and "1,0408 m² (formule de Mosteller)" in text
    assert re.search(r"2 mg/m²/j × 1[.,]0408 m²", text) and "2,0816 mg/j" in text
    assert "2,1 mg/j = 2,02 mg/m²/j" in text
    assert "2,1 ml de Rapamune® solution buvable à 1 mg/ml" in text
    for rule in ("DOSE-START", "DOSE-RANGE", "DOSE-CAP", "FORM-PRESENTATIONS", "VACC-LIVE",
                 "REG-OFF-LABEL"):
        assert rule in text, rule
    # Who proposed, who validated, when (local time).
    reviewed = timezone.localtime(Prescription.objects.get(pk=start.pk).reviewed_at)
    assert "Claire Martin" in text and "Marc Petit" in text
    assert f"le {d(reviewed)} à {reviewed:%H:%M}" in text


def test_dose_sheet_of_a_pending_proposal_says_it_awaits_the_pharmacist(client, haematologist,
                                                                        pharmacist, nurse):
    patient = _measured_patient(haematologist, nurse)
    proposed = prescriptions.propose(haematologist, patient.pk, 0, reason="")
    client.force_login(nurse)
    text = flat(read(client.get(reverse("documents_dose_sheet_pdf", args=[proposed.pk])))[0])
    assert "En attente de validation pharmaceutique" in text
    assert "— proposée" in text


def test_text_typed_by_users_is_printed_as_text(client, haematologist, pharmacist, nurse):
    """A reason or a name with markup or CSS syntax is printed literally, never interpreted:
    the body is escaped for HTML, the page margins for CSS."""
    patient = _measured_patient(haematologist, nurse)
    proposed = prescriptions.propose(haematologist, patient.pk, 0,
                                     reason='<b>gras</b> & "citation" </style>')
    nurse.last_name = 'Ber"nard </style> \\ @page{'
    nurse.save()
    client.force_login(nurse)
    pages = read(client.get(reverse("documents_dose_sheet_pdf", args=[proposed.pk])))[0]
    text = flat(pages)
    assert '<b>gras</b> & "citation" </style>' in text
    assert 'par Julie Ber"nard </style> \\ @page{' in flat(pages[:1])
    assert "Page 1 /" in text  # the margins were not broken by the name


def test_english_interface_gives_the_engine_texts_in_english(client, nurse, history):
    client.force_login(nurse)
    response = client.get(reverse("documents_summary_pdf", args=[history.patient.pk]),
                          HTTP_ACCEPT_LANGUAGE="en")
    pages, reader = read(response)
    text = flat(pages)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "(T0 M30) — sample just before the morning dose" in text
    assert "prélever juste avant" not in text
    for page in pages:
        assert "off-label" in page and "REG-OFF-LABEL" in page


def test_the_family_calendar_in_english(client, nurse, history):
    client.force_login(nurse)
    response = client.get(reverse("documents_schedule_pdf", args=[history.patient.pk]),
                          HTTP_ACCEPT_LANGUAGE="en")
    pages, reader = read(response)
    text = flat(pages)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "Monitoring schedule for sirolimus treatment" in text
    assert "Blood test just before the morning dose to measure sirolimus: the regular check, " \
        "every 6 months." in text
    j7 = history.start + timedelta(days=7)
    assert f"Blood test to measure sirolimus, done on {d(j7)}" in text  # a past day's line
    assert "Prise de sang" not in text and "prélever juste avant" not in text
    for page in pages:
        assert "off-label" in page and "REG-OFF-LABEL" not in page
    assert not RULE_ID.search(text) and "T0" not in text


# --- access -------------------------------------------------------------------------------

def _measured_patient(haematologist, nurse, **fields):
    patient = new_patient(haematologist, hospital_number="77001", **fields)
    records.add_measurement(nurse, BodyMeasurement(
        patient=patient, measured_on=timezone.localdate(), weight_kg=30, height_cm=130))
    return patient


def _started_patient(haematologist, pharmacist, nurse):
    patient = _measured_patient(haematologist, nurse)
    prescribe(haematologist, pharmacist, patient, "start", timezone.localdate())
    return patient


DOCUMENT_URLS = ["documents_schedule_pdf", "documents_summary_pdf", "documents_schedule_ics"]


@pytest.fixture
def started(haematologist, pharmacist, nurse):
    return _started_patient(haematologist, pharmacist, nurse)


@pytest.mark.parametrize("name", [*DOCUMENT_URLS, "documents_dose_sheet_pdf"])
def test_every_clinical_role_may_print_others_are_refused(client, cast, started, name):
    target = started.prescriptions.get().pk if name == "documents_dose_sheet_pdf" \
        else started.pk
    url = reverse(name, args=[target])
    for role in ("haematologist", "nurse", "pharmacist"):
        client.force_login(cast[role])
        response = client.get(url)
        assert response.status_code == 200, role
        assert response["Cache-Control"].startswith("max-age=0")
        assert "no-store" in response["Cache-Control"]
    client.force_login(cast["outsider"])
    assert client.get(url).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", [*DOCUMENT_URLS, "documents_dose_sheet_pdf"])
def test_unknown_record_is_404_and_only_get_is_allowed(client, nurse, started, name):
    client.force_login(nurse)
    assert client.get(reverse(name, args=[999_999])).status_code == 404
    target = started.prescriptions.get().pk if name == "documents_dose_sheet_pdf" \
        else started.pk
    assert client.post(reverse(name, args=[target])).status_code == 405


def test_outsider_is_refused_before_any_clinical_record_is_read(client, outsider, started):
    client.force_login(outsider)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("documents_summary_pdf", args=[started.pk])).status_code \
            == 403
    assert not [q for q in queries.captured_queries if "sirolimus_app_" in q["sql"]]


def test_document_urls_are_stable():
    assert reverse("documents_schedule_pdf", args=[7]) == "/documents/patients/7/calendrier.pdf"
    assert reverse("documents_schedule_ics", args=[7]) == "/documents/patients/7/calendrier.ics"
    assert reverse("documents_summary_pdf", args=[7]) == "/documents/patients/7/synthese.pdf"
    assert reverse("documents_dose_sheet_pdf", args=[7]) == \
        "/documents/prescriptions/7/fiche.pdf"
