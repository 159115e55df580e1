"""The pseudonymised OBS'CEREVANCE export: what it holds, what it never holds, who may take
it, and that a spreadsheet never runs a cell of it."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from protocol.dates import add_months
from sirolimus_app.documents import cohort
from sirolimus_app.models import AuditEvent, CoMedication
from sirolimus_app.services import records
from tests.web.test_documents_factories import new_patient, two_year_history

PATIENTS_URL = "documents_cohort_patients_csv"
EVENTS_URL = "documents_cohort_events_csv"


@pytest.fixture
def history(haematologist, nurse, pharmacist):
    return two_year_history(haematologist, nurse, pharmacist, hospital_number="IPP-55123")


def table(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_patient_table_is_pseudonymised_and_complete(client, haematologist, history):
    not_registered = new_patient(haematologist, "IPP-99999", last_name="Absent",
                                 obs_cerevance_registered=False)
    client.force_login(haematologist)
    response = client.get(reverse(PATIENTS_URL))
    text = response.content.decode()
    rows = table(response)
    assert list(rows[0]) == cohort.PATIENT_COLUMNS
    assert [r["study_code"] for r in rows] == [history.patient.study_code]
    assert not_registered.study_code not in text
    row = rows[0]
    assert row["birth_month"] == "2014-03" and row["sex"] == "F"
    assert row["age_at_diagnosis_months"] == "90"  # 12/03/2014 → 20/09/2021
    assert row["itp_phase_at_start"] == "chronic" and row["evans"] == "1"
    assert row["vzv_immune"] == "0" and row["alps_features"] == "0"
    assert row["day0"] == "sirolimus_start"
    assert row["sirolimus_start_month"] == f"{history.start:%Y-%m}"
    assert row["start_mg_per_day"] == "2.10" and row["start_mg_per_m2_per_day"] == "2.02"
    assert row["status"] == "on_treatment" and row["current_mg_per_day"] == "1.30"
    assert row["days_followed"] == str((history.today - history.start).days)
    assert row["response_status"] == "complete_response" and row["response_confirmed"] == "1"
    assert row["troughs_n"] == "9" and row["trough_max_ng_ml"] == "16.20"
    assert row["troughs_above_15_n"] == "1" and row["adverse_events_n"] == "1"
    assert row["exported_on"] == timezone.localdate().isoformat()


def test_no_identity_and_no_free_text_in_either_table(client, haematologist, history):
    patient = history.patient
    client.force_login(haematologist)
    exported = client.get(reverse(PATIENTS_URL)).content.decode() + \
        client.get(reverse(EVENTS_URL)).content.decode()
    for secret in ("Lefèvre", "LEFÈVRE", "Anaïs", "IPP-55123", "2014-03-12", "12/03/2014",
                   "2021-09-20", history.start.isoformat(), "Aphtes ; bains",
                   "Décision du", "TOX-SUSPEND", "Martin", "Bernard", "Petit", "dr.martin"):
        assert secret not in exported, secret
    assert patient.study_code in exported


def test_follow_up_table_counts_days_from_the_first_dose(client, haematologist, history):
    client.force_login(haematologist)
    rows = table(client.get(reverse(EVENTS_URL)))
    assert list(rows[0]) == cohort.EVENT_COLUMNS

    def found(**wanted) -> list[dict]:
        return [r for r in rows if all(r[k] == v for k, v in wanted.items())]

    assert found(event="dose", day="0", value="2.10", unit="mg/day", code="start")
    assert found(event="dose_per_m2", day="0", value="2.02", code="start",
                 qualifier="mosteller")
    assert found(event="dose", day="22", value="2.60", code="increase")
    m3 = str((add_months(history.start, 3) - history.start).days)
    assert found(event="trough", day=m3, value="16.20", unit="ng/ml", code="LC-MS/MS")
    assert found(event="suspension", day=m3)
    assert found(event="trough", day="7", value="3.20")
    # Before J0: a negative day count, written as a number, not disarmed as a formula.
    assert found(event="platelets", day="-6", value="12.00", unit="G/L", qualifier="bleeding")
    assert found(event="visit", day="-6", code="PRE")
    assert found(event="bp_systolic", code="M1", value="102", unit="mmHg")
    assert found(event="visit", code="M3", qualifier="complete_response")
    assert found(event="adverse_event", value="2", unit="grade", code="aphthae",
                 qualifier="none")
    assert found(event="pharmacovigilance_declared", code="aphthae")
    assert found(event="comedication_start", code="fluconazole")
    assert found(event="weight", value="36.50", unit="kg")


def test_cells_that_a_spreadsheet_would_run_are_disarmed(client, haematologist, history):
    for name in ('=HYPERLINK("http://evil.example","clic")', "+cmd", "@SUM(A1)", "-2+3"):
        records.add_comedication(haematologist, CoMedication(
            patient=history.patient, name=name,
            start_date=timezone.localdate() - timedelta(days=3)))
    client.force_login(haematologist)
    rows = table(client.get(reverse(EVENTS_URL)))
    codes = {r["code"] for r in rows if r["event"] == "comedication_start"}
    assert codes >= {"'=hyperlink(\"http://evil.example\",\"clic\")", "'+cmd", "'@sum(a1)",
                     "'-2+3"}
    assert not [r for r in rows for cell in r.values() if cell and cell[0] in "=+@"]


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+33 6", "'+33 6"), ("-x", "'-x"), ("@a", "'@a"), ("\tx", "'\tx"),
    ("aspirine", "aspirine"), (-12, "-12"), (None, ""), (True, "1"), (False, "0"),
])
def test_safe_cell(value, expected):
    assert cohort.safe_cell(value) == expected


def test_each_export_is_audited(client, haematologist, history):
    client.force_login(haematologist)
    client.get(reverse(PATIENTS_URL))
    client.get(reverse(EVENTS_URL))
    lines = AuditEvent.objects.filter(action="cohort.export").order_by("pk")
    assert [(e.user, e.after["table"], e.after["patients"]) for e in lines] == [
        (haematologist, "patients", 1), (haematologist, "events", 1)]


@pytest.mark.parametrize("name", ["documents_cohort", PATIENTS_URL, EVENTS_URL])
def test_only_haematologists_export(client, cast, name):
    url = reverse(name)
    client.force_login(cast["haematologist"])
    assert client.get(url).status_code == 200
    for role in ("nurse", "pharmacist", "outsider"):
        client.force_login(cast[role])
        assert client.get(url).status_code == 403, role
    assert not AuditEvent.objects.filter(action="cohort.export", user=cast["nurse"]).exists()
    client.logout()
    assert client.get(url).status_code == 302
    assert client.post(url).status_code in (302, 405)


def test_export_page_counts_registered_patients(client, haematologist):
    new_patient(haematologist, "A-1")
    new_patient(haematologist, "A-2", obs_cerevance_registered=False)
    client.force_login(haematologist)
    html = client.get(reverse("documents_cohort")).content.decode()
    assert "1 patient inclus dans la cohorte." in html
    assert reverse(PATIENTS_URL) in html and reverse(EVENTS_URL) in html


def test_export_costs_a_fixed_number_of_queries(client, haematologist, nurse, pharmacist,
                                                django_assert_max_num_queries):
    for number in ("Q-1", "Q-2", "Q-3"):
        patient = new_patient(haematologist, number)
        records.add_comedication(haematologist, CoMedication(
            patient=patient, name="fluconazole", start_date=timezone.localdate()))
    client.force_login(haematologist)
    for name in (PATIENTS_URL, EVENTS_URL):
        with django_assert_max_num_queries(20):
            assert client.get(reverse(name)).status_code == 200
