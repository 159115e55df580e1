"""What the engine says about the whole course, as the haematologist and the pharmacist read
it: the response status since a date, the taper plan with its fixed end, the realisable
neighbours of a dose and a change of presentation (issue 12)."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.demo import BUILDERS, Demo
from sirolimus_app.documents.data import summary
from sirolimus_app.models import Patient
from sirolimus_app.services import prescriptions
from sirolimus_app.services.engine import advise_patient


@pytest.fixture
def demo(haematologist, nurse, pharmacist):
    return Demo(doctor=haematologist, nurse=nurse, pharmacist=pharmacist,
                today=timezone.localdate())


def page(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def dmy(day):
    return day.strftime("%d/%m/%Y")


def complete_response(demo):
    BUILDERS["DEMO-005"](demo)
    return Patient.objects.get(hospital_number="DEMO-005")


def tablets_resumed_after_toxicity(demo):
    """2.5 mg of tablets (1.25 m²), toxic trough at D7, suspended, trough back to 8 ng/ml:
    half of 2.5 mg is no tablet dose within ±10 %, so the resumption is 1.2 ml of solution."""
    patient = demo.patient("IPP-TAB", "Durand", "Lucas", age_days=12 * 365, sex="M",
                           diagnosed_days_ago=500, form=Patient.Form.TABLETS)
    demo.measure(patient, 40, "37.5", "150.0")
    demo.workup(patient, 40, "12")
    demo.start(patient, 9)
    demo.trough(patient, 2, "18")
    prescriptions.suspend(demo.doctor, patient.pk, "Taux résiduel > 15 ng/ml",
                          on_date=demo.day(2))
    demo.trough(patient, 0, "8")
    return patient


def test_patient_page_says_complete_response_since_the_first_confirming_count(
        client, haematologist, demo):
    patient = complete_response(demo)
    html = page(client, haematologist, "patient_detail", patient.pk)
    # M1 count (day 30), confirmed by the M3 count.
    assert f"Réponse complète (RC)</strong>\n(confirmée, depuis le {dmy(demo.day(430))})" in html


def test_patient_and_proposal_pages_show_the_taper_with_its_fixed_end(client, haematologist,
                                                                     demo):
    patient = complete_response(demo)
    taper = advise_patient(patient, demo.today).advice.taper
    assert taper is not None and taper.ends > taper.started
    for name in ("patient_detail", "patient_proposal"):
        html = page(client, haematologist, name, patient.pk)
        assert (f"Plan commencé le {dmy(taper.started)}, dernier palier le {dmy(taper.ends)}."
                in html)
        assert f"<td>{dmy(taper.ends)}</td><td>arrêt</td>" in html


def test_summary_pdf_data_says_the_response_and_the_taper_end(client, haematologist, demo):
    patient = complete_response(demo)
    doc = summary(Patient.objects.get(pk=patient.pk), haematologist, demo.today)
    html = render_to_string("pdf/summary.html", {"doc": doc, "patient": doc.patient})
    assert "<strong>Réponse complète (RC)</strong> confirmée, depuis le" in html
    assert f"dernier palier le {doc.taper.ends.strftime('%d/%m/%Y')}" in html


def test_proposal_page_shows_the_change_of_presentation_and_the_alternatives(
        client, haematologist, demo):
    patient = tablets_resumed_after_toxicity(demo)
    html = page(client, haematologist, "patient_proposal", patient.pk)
    assert "Changement de présentation : cette dose est proposée en Solution buvable 1 mg/ml" \
        in html
    assert "Doses réalisables voisines" in html
    # 1 mg of tablets is 20 % below half of 2.5 mg.
    assert "<td>1</td><td>0,8</td><td>-20 %</td><td>Comprimés 0,5 / 1 / 2 mg" in html
    doc = summary(Patient.objects.get(pk=patient.pk), haematologist, demo.today)
    pdf = render_to_string("pdf/summary.html", {"doc": doc, "patient": doc.patient})
    assert ('<strong class="tag critical">Changement de présentation : cette dose est proposée '
            "en Solution buvable 1 mg/ml") in pdf


def test_pharmacist_card_shows_the_stored_change_of_presentation_and_alternatives(
        client, pharmacist, demo):
    patient = tablets_resumed_after_toxicity(demo)
    proposed = demo.propose(patient)
    assert proposed.form == "solution"
    html = page(client, pharmacist, "prescription_review", proposed.pk)
    assert "Changement de présentation : cette dose est proposée en Solution buvable 1 mg/ml" \
        in html
    assert "<td>-20 %</td>" in html


def test_a_single_low_count_is_to_confirm_on_its_recount_date(client, haematologist, demo):
    patient = complete_response(demo)
    demo.platelets(patient, 0, "20")
    html = page(client, haematologist, "patient_detail", patient.pk)
    assert "Réponse complète (RC)</strong>\n(confirmée" in html
    assert (f"Une numération diffère : à confirmer le {dmy(demo.day(-7))} (nouvelle numération)."
            in html)


def test_loss_of_response_is_named_with_its_date_and_the_best_response(client, haematologist,
                                                                      demo):
    patient = demo.patient("IPP-REL", "Leroy", "Emma", age_days=10 * 365, sex="F",
                           diagnosed_days_ago=600)
    demo.measure(patient, 122, "30.0", "135.0")
    demo.workup(patient, 121, "10")
    demo.start(patient, 120)
    for days_ago, count in ((90, "150"), (80, "160"), (20, "20"), (10, "18")):
        demo.platelets(patient, days_ago, count)
    html = page(client, haematologist, "patient_detail", patient.pk)
    assert (f'<strong class="text-danger">Perte de réponse (rechute)</strong>\n'
            f"(confirmée, depuis le {dmy(demo.day(20))})") in html
    assert "Meilleure réponse obtenue : Réponse complète (RC)" in html
    doc = summary(Patient.objects.get(pk=patient.pk), haematologist, demo.today)
    pdf = render_to_string("pdf/summary.html", {"doc": doc, "patient": doc.patient})
    assert "<strong>Perte de réponse (rechute)</strong> confirmée" in pdf
    assert "meilleure réponse obtenue : Réponse complète (RC)" in pdf


def test_english_interface_says_the_course_in_english(client, haematologist, pharmacist, demo):
    relapse = complete_response(demo)
    demo.platelets(relapse, 0, "20")
    patient = tablets_resumed_after_toxicity(demo)
    client.force_login(haematologist)
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code \
        == 302
    html = page(client, haematologist, "patient_detail", relapse.pk)
    assert f"One count differs: to be confirmed on {dmy(demo.day(-7))}" in html
    html = page(client, haematologist, "patient_proposal", patient.pk)
    assert "Change of presentation: this dose is proposed as" in html
    assert "Nearby realisable doses" in html and "Difference from target" in html
