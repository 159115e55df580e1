"""The family's calendar (issue 19): plain words, read back from the PDF with pypdf in French
and English — the dose and its time, how to give it (SMPC-ADMIN), fever, no live vaccines,
the unit's phone — and the sentences of each kind of item, chosen on the engine's typed facts.
No rule ID and no "T0" reach the family; the clinicians keep them on the summary."""

import re
from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from protocol import RULES
from protocol.monitoring import Reason
from sirolimus_app.models import Patient
from sirolimus_app.presenters.calendar import DueItem
from sirolimus_app.presenters.family import FamilyDay, FamilyEntry, family_days, sentence
from tests.web.test_documents_factories import new_patient, prescribe, two_year_history
from tests.web.test_documents_pdf import (
    RULE_ID,
    _measured_patient,
    _started_patient,
    d,
    flat,
    read,
)


def family_pdf(client, patient, language: str = "fr") -> str:
    response = client.get(reverse("documents_schedule_pdf", args=[patient.pk]),
                          HTTP_ACCEPT_LANGUAGE=language)
    return flat(read(response)[0])


def assert_plain(text: str) -> None:
    """No rule ID (nor anything shaped like one), no trough code, no month code."""
    assert not RULE_ID.search(text), RULE_ID.search(text)
    assert not [rule for rule in RULES if rule in text]
    assert "T0" not in text and not re.search(r"\bM\d+\b", text)


@pytest.fixture
def started(haematologist, pharmacist, nurse):
    patient = _started_patient(haematologist, pharmacist, nurse)
    Patient.objects.filter(pk=patient.pk).update(dose_time=time(8, 15))
    return patient


@pytest.fixture
def unit(settings):
    settings.ESTABLISHMENT = {**settings.ESTABLISHMENT, "name": "CHU de Test",
                              "service": "Hématologie pédiatrique", "address": "1 rue du Parc",
                              "service_phone": "02 40 00 00 00"}
    settings.APPOINTMENT_TIME = time(8, 30)


def test_the_family_calendar_in_french(client, nurse, started, unit):
    client.force_login(nurse)
    text = family_pdf(client, started)
    assert_plain(text)
    # The dose, its time, how to give it.
    assert "soit 2,1 mg, une fois par jour" in text
    assert "Heure de la prise : 08:15, tous les jours." in text
    assert "soit toujours pendant le repas, soit toujours en dehors des repas" in text
    assert "au moins 60 ml (un demi-verre) d'eau ou de jus d'orange" in text
    assert "Remettez au moins 120 ml" in text
    assert "Jamais de jus de pamplemousse, ni de pamplemousse" in text
    assert "Gardez le flacon au réfrigérateur (entre 2 et 8 °C)" in text
    assert "Comprimés : à avaler entiers" not in text  # the solution only
    # The unit: phone, place, time; and when to call.
    assert "Téléphone du service : 02 40 00 00 00" in text
    assert "Lieu des rendez-vous : Hématologie pédiatrique, CHU de Test, 1 rue du Parc." in text
    assert "Venez à 08:30." in text and "à 08:30" in text
    assert "Fièvre : appelez le service sans attendre (02 40 00 00 00)" in text
    assert "aucun vaccin vivant pendant le traitement (rougeole-oreillons-rubéole" in text
    # Started today: the trough in a week, with its reason, and the morning dose after it.
    assert ("Prise de sang juste avant la prise du matin pour doser le sirolimus, 7 jours après "
            "le début du traitement.") in text
    assert "Ce matin-là, ne donnez le sirolimus qu'après la prise de sang." in text
    assert "Consultation de suivi avec le médecin, après 1 mois de traitement." in text


def test_the_family_calendar_in_english(client, nurse, started, unit):
    client.force_login(nurse)
    text = family_pdf(client, started, "en")
    assert_plain(text)
    assert "i.e. 2.1 mg, once a day" in text
    assert "Time of the dose: 08:15, every day." in text
    assert "either always with a meal, or always away from meals" in text
    assert "at least 60 ml (half a glass) of water or orange juice" in text
    assert "Never grapefruit juice, nor grapefruit:" in text
    assert "Unit's phone number: 02 40 00 00 00" in text
    assert "Come at 08:30." in text
    assert "Fever: call the unit straight away (02 40 00 00 00)" in text
    assert "Vaccines: no live vaccine during the treatment" in text
    assert ("Blood test just before the morning dose to measure sirolimus, 7 days after the "
            "start of treatment.") in text
    assert "Follow-up consultation with the doctor, after 1 month of treatment." in text
    for french in ("Prise de sang", "Téléphone", "Fièvre", "Heure de la prise"):
        assert french not in text, french


def test_without_a_dose_time_nor_a_phone_the_calendar_says_to_write_them(
        client, nurse, haematologist, pharmacist, settings):
    settings.ESTABLISHMENT = {**settings.ESTABLISHMENT, "service_phone": ""}
    settings.APPOINTMENT_TIME = None
    patient = _started_patient(haematologist, pharmacist, nurse)
    client.force_login(nurse)
    text = family_pdf(client, patient)
    assert "Heure de la prise :" in text
    assert "L'heure n'est pas encore notée dans le dossier : choisissez-la avec l'équipe et " \
        "écrivez-la ici." in text
    assert "Téléphone du service :" in text
    assert "Le numéro n'est pas encore enregistré : demandez-le à l'équipe et écrivez-le ici." \
        in text
    assert "L'heure vous est donnée par le service." in text
    assert "Fièvre : appelez le service sans attendre, ou consultez un médecin" in text
    assert_plain(text)


def test_tablets_are_swallowed_whole(client, nurse, haematologist, pharmacist):
    patient = _measured_patient(haematologist, nurse, form=Patient.Form.TABLETS)
    prescribe(haematologist, pharmacist, patient, "start", timezone.localdate())
    client.force_login(nurse)
    text = family_pdf(client, patient)
    assert "Comprimés : à avaler entiers, avec de l'eau ; ne jamais les écraser, les croquer " \
        "ni les couper." in text
    assert "Jamais de jus de pamplemousse" in text
    assert "Solution buvable : mesurez la dose" not in text


def test_before_the_start_the_work_up_says_it_comes_first(client, nurse, haematologist):
    patient = _measured_patient(haematologist, nurse)
    client.force_login(nurse)
    text = family_pdf(client, patient)
    assert "Pas de traitement par sirolimus en cours." in text
    assert "Prise de sang pour compter les plaquettes et les globules, avant le début du " \
        "traitement." in text
    assert "Mesure de la tension artérielle, avant le début du traitement." in text
    assert_plain(text)


def test_an_incomplete_record_asks_the_unit_for_the_dates(client, nurse, haematologist):
    patient = new_patient(haematologist, hospital_number="77002")
    client.force_login(nurse)
    text = family_pdf(client, patient)
    assert "Demandez les dates des rendez-vous au service." in text
    assert "Poids" in text  # what is missing, for the team


def test_the_summary_keeps_the_calendar_with_its_rule_ids(client, haematologist, nurse,
                                                          pharmacist):
    """The clinicians' copy: the same appointments, with the engine's labels and rules."""
    history = two_year_history(haematologist, nurse, pharmacist, hospital_number="77001")
    client.force_login(haematologist)
    text = flat(read(client.get(reverse("documents_summary_pdf",
                                        args=[history.patient.pk])))[0])
    coming = text[text.index("Calendrier de surveillance à venir"):]
    assert "Taux résiduel (T0 M30) — prélever juste avant la prise du matin" in coming
    for rule in ("TDM-STEADY-STATE", "FOLLOW-VISITS", "AE-BP", "AE-LIPIDS"):
        assert rule in coming, rule


# --- the sentences, one per kind and reason ----------------------------------------------

SENTENCES = [
    ("trough", Reason.START, {}, "7 jours après le début du traitement."),
    ("trough", Reason.DOSE_CHANGE, {}, "7 jours après le changement de dose."),
    ("trough", Reason.RESTART, {}, "7 jours après la reprise du traitement."),
    ("trough", Reason.INCREASE, {}, "7 jours après l'augmentation de la dose."),
    ("trough", Reason.FOLLOW_UP, {"month": 6}, "le contrôle régulier, tous les 6 mois."),
    ("trough", Reason.DRUG_STARTED, {"drug": "rifampicine"},
     "7 jours après le début d'un médicament qui en change la quantité dans le sang "
     "(rifampicine)."),
    ("trough", Reason.DRUG_STOPPED, {"drug": "fluconazole"},
     "7 jours après l'arrêt d'un médicament qui en change la quantité dans le sang "
     "(fluconazole)."),
    ("control", Reason.AFTER_STOP, {},
     "48 heures après l'arrêt du traitement : ne pas le redonner avant l'avis du médecin."),
    ("visit", Reason.FOLLOW_UP, {"month": 12},
     "Consultation de suivi avec le médecin, après 12 mois de traitement."),
    ("cbc", Reason.FOLLOW_UP, {"month": 3}, "compter les plaquettes et les globules"),
    ("cbc", Reason.PRE_TREATMENT, {}, "avant le début du traitement."),
    ("lipids", Reason.FOLLOW_UP, {"month": 1}, "cholestérol et les triglycérides, que le "
                                               "sirolimus peut augmenter."),
    ("lipids", Reason.PRE_TREATMENT, {}, "cholestérol et les triglycérides, avant le début"),
    ("blood_pressure", Reason.FOLLOW_UP, {"month": 1},
     "Mesure de la tension artérielle, que le sirolimus peut augmenter."),
    ("blood_pressure", Reason.PRE_TREATMENT, {},
     "Mesure de la tension artérielle, avant le début du traitement."),
]


def _item(kind: str, reason: str = "", **fields) -> DueItem:
    return DueItem(day=date(2026, 6, 1), kind=kind, label="", rules=["FOLLOW-VISITS"],
                   instruction="", reason=reason, **fields)


@pytest.mark.parametrize(("kind", "reason", "fields", "expected"), SENTENCES,
                         ids=[f"{k}-{r}" for k, r, _, _ in SENTENCES])
def test_one_sentence_per_kind_and_reason(kind, reason, fields, expected):
    with translation.override("fr"):
        text = sentence(_item(kind, reason, **fields))
    assert expected in text
    assert_plain(text)
    with translation.override("en"):
        english = sentence(_item(kind, reason, **fields))
    assert english != text and "sang" not in english
    assert_plain(english)


def test_a_day_merges_one_kind_once_and_says_what_was_done():
    """A 6-monthly trough that is also the trough after a dose change is one sample: one
    sentence, done when the sample is."""
    day = date(2026, 6, 1)
    items = [_item("trough", Reason.FOLLOW_UP, month=6, appointment=day),
             _item("trough", Reason.DOSE_CHANGE, appointment=day, fulfilled_on=day),
             _item("visit", Reason.FOLLOW_UP, month=6, appointment=day),
             _item("visit", Reason.FOLLOW_UP, month=12, appointment=day + timedelta(days=7))]
    with translation.override("fr"):
        days = family_days(items, today=day)
        (first, second) = days
        assert [e.kind for e in first.entries] == ["trough", "visit"]
        assert first.entries[0].done_text == f"fait le {d(day)}"
        assert first.title == "consultation de suivi · prise de sang"
        assert first.dose_note and not second.dose_note
        assert not first.past and second.day == day + timedelta(days=7)


def test_a_conditional_item_says_it_depends_on_the_doctor():
    with translation.override("fr"):
        day = FamilyDay(date(2026, 6, 1), False,
                        [FamilyEntry("control", "Prise de sang.", None, conditional=True)])
        assert day.lines == ["Prise de sang. Seulement si le médecin vous l'a demandé."]
        assert not day.dose_note  # the 48 h control is drawn off treatment
