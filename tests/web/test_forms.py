"""The French forms on their own: limits, units, and the messages a user reads."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.demo import Demo
from sirolimus_app.forms import (
    LabResultForm,
    MeasurementForm,
    PatientForm,
    ProposalChoiceForm,
    TreatmentChangeForm,
    TroughForm,
    VisitForm,
)
from sirolimus_app.forms.records import UNITS_BY_KIND, visit_labels
from sirolimus_app.models import LabResult, Visit
from sirolimus_app.services import records


def days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


@pytest.fixture
def patient(haematologist, nurse, pharmacist):
    return Demo(haematologist, nurse, pharmacist, timezone.localdate()).patient(
        "IPP-1", "Dupont", "Alice", age_days=9 * 365, sex="F", diagnosed_days_ago=500)


def test_patient_form_keeps_vzv_immunity_unknown(db):
    form = PatientForm({"hospital_number": " ab12 ", "last_name": "A", "first_name": "B",
                        "birth_date": days(-3000), "sex": "M", "diagnosis_date": days(-400),
                        "vzv_immune": "unknown", "bsa_formula": "haycock",
                        "form": "tablets"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["vzv_immune"] is None
    assert form.cleaned_data["hospital_number"] == "AB12"


def test_patient_form_refuses_an_adult(db):
    form = PatientForm({"hospital_number": "X", "last_name": "A", "first_name": "B",
                        "birth_date": days(-30 * 365), "sex": "M",
                        "diagnosis_date": days(-400), "bsa_formula": "mosteller",
                        "form": "solution"})
    assert not form.is_valid()
    assert "enfants et adolescents" in form.errors["birth_date"][0]


@pytest.mark.parametrize("value,unit,valid", [("500", "ng/ml", True), ("500.01", "µg/l", False),
                                              ("546", "nmol/l", True), ("548", "nmol/l", False),
                                              ("12,5", "ng/ml", True)])
def test_trough_limit_applies_after_conversion(patient, value, unit, valid):
    form = TroughForm({"sampled_at": f"{days(-1)}T08:00", "value": value, "unit": unit,
                       "assay": "LC-MS/MS"}, patient=patient)
    assert form.is_valid() is valid, form.errors


def test_each_lab_kind_has_units_and_its_stored_unit_first():
    for kind in LabResult.Kind:
        assert UNITS_BY_KIND[kind], kind
    assert UNITS_BY_KIND[LabResult.Kind.PLATELETS][0] == LabResult.CANONICAL_UNITS["platelets"]


def test_haemoglobin_in_g_per_l_is_accepted(patient):
    form = LabResultForm({"kind": "haemoglobin", "sampled_at": f"{days(-1)}T08:00",
                          "value": "118", "unit": "g/L"}, patient=patient)
    assert form.is_valid(), form.errors


def test_measurement_accepts_the_french_decimal_comma(patient):
    form = MeasurementForm({"measured_on": days(0), "weight_kg": "28,4", "height_cm": "132,5"},
                           patient=patient)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["weight_kg"] == Decimal("28.4")


def test_measurement_before_birth_is_refused(patient):
    form = MeasurementForm({"measured_on": days(-10 * 365), "weight_kg": "3",
                            "height_cm": "50"}, patient=patient)
    assert not form.is_valid()
    assert "antérieure à la naissance" in form.errors["measured_on"][0]


def test_off_protocol_visits_may_repeat(haematologist, patient):
    records.add_visit(haematologist, Visit(patient=patient, label="HP", done_date=days(-5)))
    form = VisitForm({"label": "HP", "done_date": days(-1)}, patient=patient)
    assert form.is_valid(), form.errors


def test_visit_labels_follow_the_protocol_calendar():
    labels = [label for label, _name in visit_labels()]
    assert labels[:6] == ["PRE", "M1", "M3", "M6", "M12", "M18"] and labels[-1] == "HP"
    assert "M120" in [label for label, _name in visit_labels("M120")]


def test_proposal_choice_needs_index_action_and_dose():
    assert ProposalChoiceForm({"choice": "1", "action": "increase", "mg_per_day": "2.5"}
                              ).is_valid()
    form = ProposalChoiceForm({"choice": "1", "action": "increase", "mg_per_day": "9"})
    assert not form.is_valid() and "mg_per_day" in form.errors


def test_treatment_change_refuses_a_future_date():
    form = TreatmentChangeForm({"on_date": days(1), "reason": "Aphtes."})
    assert not form.is_valid()
    assert form.errors["on_date"] == ["La date ne peut pas être dans le futur."]
    assert TreatmentChangeForm().initial["on_date"] == timezone.localdate()


def test_control_characters_in_a_name_are_refused_next_to_the_field(client, haematologist):
    from sirolimus_app.models import Patient

    client.force_login(haematologist)
    response = client.post(reverse("patient_create"), {
        "hospital_number": "IPP-CTRL", "last_name": "Dupont", "first_name": "Léa\r\nX-Injected",
        "birth_date": "2015-04-10", "sex": "F", "diagnosis_date": "2024-01-10",
        "bsa_formula": "mosteller", "form": "solution",
    })
    assert response.status_code == 200
    assert "Caractères de contrôle interdits" in response.content.decode()
    assert not Patient.objects.filter(hospital_number="IPP-CTRL").exists()


def test_visit_notes_are_bounded(client, haematologist):
    from sirolimus_app.forms.common import TEXTAREA_MAX_LENGTH
    from sirolimus_app.forms.records import VisitForm
    from sirolimus_app.models import Patient

    patient = Patient(birth_date=datetime.date(2015, 4, 10))
    form = VisitForm(patient=patient, data={"label": "HP", "done_date": "2026-01-10",
                                            "notes": "x" * (TEXTAREA_MAX_LENGTH + 1)})
    assert not form.is_valid()
    assert "notes" in form.errors
    assert form.fields["notes"].widget.attrs["maxlength"] == str(TEXTAREA_MAX_LENGTH)
