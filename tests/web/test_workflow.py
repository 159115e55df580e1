"""The prescription life cycle seen by the pharmacist: every transition, allowed and refused,
through the services and through the pharmacy pages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sirolimus_app.models import AuditEvent, Prescription
from sirolimus_app.roles import Role
from sirolimus_app.services import prescriptions
from sirolimus_app.services.errors import ConcurrentChangeError, ServiceError
from tests.web.test_workflow_data import eligible_patient, on_treatment, proposal, trough

Status = Prescription.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def proposed(haematologist):
    patient = eligible_patient(haematologist, "IPP-100")
    return proposal(haematologist, patient, reason="Début du traitement (PTIC sévère)")


def _actions(prescription) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="sirolimus_app.Prescription",
                                          object_id=str(prescription.pk))
                .order_by("pk").values_list("action", flat=True))


# --- services: allowed ------------------------------------------------------------------

def test_validating_a_first_dose_starts_it_and_audits_each_step(proposed, pharmacist):
    done = prescriptions.validate(pharmacist, proposed.pk, proposed.version)
    assert done.status == Status.ACTIVE
    assert done.reviewed_by == pharmacist and done.reviewed_at is not None
    assert _actions(done) == ["prescription.propose", "prescription.validate",
                              "prescription.activate"]


def test_validating_a_new_dose_replaces_the_current_one(haematologist, pharmacist, today):
    patient = eligible_patient(haematologist, "IPP-101", since=today - timedelta(days=40))
    first = on_treatment(haematologist, pharmacist, patient, today - timedelta(days=30))
    second = proposal(haematologist, patient, reason="Poursuite, poids inchangé")
    assert second.replaces == first

    done = prescriptions.validate(pharmacist, second.pk, second.version)

    first.refresh_from_db()
    assert (done.status, first.status, first.end_date) == (Status.ACTIVE, Status.REPLACED, today)


def test_rejecting_keeps_the_reason_for_the_prescriber(proposed, pharmacist):
    done = prescriptions.reject(pharmacist, proposed.pk, proposed.version,
                                "  Poids de plus de 3 mois : le repeser  ")
    assert done.status == Status.REJECTED
    assert done.rejection_reason == "Poids de plus de 3 mois : le repeser"
    assert _actions(done)[-1] == "prescription.reject"


def test_resume_after_a_toxic_trough_replaces_the_suspended_prescription(
        haematologist, pharmacist, nurse, today):
    patient = eligible_patient(haematologist, "IPP-102", since=today - timedelta(days=30))
    first = on_treatment(haematologist, pharmacist, patient, today - timedelta(days=20))
    trough(nurse, patient, today - timedelta(days=6), "18")
    prescriptions.suspend(haematologist, patient.pk, "T0 > 15 ng/ml",
                          on_date=today - timedelta(days=5))
    trough(nurse, patient, today - timedelta(days=3), "9")
    resume = proposal(haematologist, patient)
    assert resume.action == Prescription.Action.RESUME
    # TOX-SUSPEND: half of 2.1 mg is 1.05 mg, rounded down to the 0.1 ml of the solution.
    assert (first.mg_per_day, resume.mg_per_day) == (Decimal("2.1"), Decimal("1.0"))

    prescriptions.validate(pharmacist, resume.pk, resume.version)

    first.refresh_from_db()
    resume.refresh_from_db()
    assert (first.status, resume.status) == (Status.REPLACED, Status.ACTIVE)


# --- services: refused ------------------------------------------------------------------

def test_validating_twice_is_refused_and_says_by_whom(proposed, pharmacist):
    prescriptions.validate(pharmacist, proposed.pk, proposed.version)
    with pytest.raises(ConcurrentChangeError) as refused:
        prescriptions.validate(pharmacist, proposed.pk, proposed.version)
    assert "« En cours »" in refused.value.message
    assert "Marc Petit" in refused.value.message


def test_validating_with_a_stale_version_is_refused(proposed, pharmacist):
    """The version check alone (what SQLite relies on): a second pharmacist's page is stale."""
    Prescription.objects.filter(pk=proposed.pk).update(version=proposed.version + 1)
    with pytest.raises(ConcurrentChangeError):
        prescriptions.validate(pharmacist, proposed.pk, proposed.version)
    assert Prescription.objects.get(pk=proposed.pk).status == Status.PROPOSED


def test_validating_a_stopped_prescription_is_refused(haematologist, pharmacist, today):
    patient = eligible_patient(haematologist, "IPP-103", since=today - timedelta(days=30))
    active = on_treatment(haematologist, pharmacist, patient, today - timedelta(days=10))
    stopped = prescriptions.stop(haematologist, patient.pk, "Aphtes invalidants")
    with pytest.raises(ConcurrentChangeError) as refused:
        prescriptions.validate(pharmacist, active.pk, stopped.version)
    assert "« Arrêtée »" in refused.value.message


def test_validating_a_rejected_proposal_is_refused(proposed, pharmacist, pharmacist2):
    rejected = prescriptions.reject(pharmacist, proposed.pk, proposed.version, "Dose fausse")
    with pytest.raises(ConcurrentChangeError) as refused:
        prescriptions.validate(pharmacist2, proposed.pk, rejected.version)
    assert "« Refusée »" in refused.value.message


def test_rejecting_a_validated_prescription_is_refused(proposed, pharmacist, pharmacist2):
    done = prescriptions.validate(pharmacist, proposed.pk, proposed.version)
    with pytest.raises(ConcurrentChangeError):
        prescriptions.reject(pharmacist2, proposed.pk, done.version, "Trop tard")
    assert Prescription.objects.get(pk=proposed.pk).status == Status.ACTIVE


def test_nobody_validates_their_own_proposal(haematologist):
    """A haematologist who is also a pharmacist still cannot validate their own proposal."""
    haematologist.groups.add(Group.objects.get(name=Role.PHARMACIST))
    both = User.objects.get(pk=haematologist.pk)  # fresh permission cache
    patient = eligible_patient(both, "IPP-104")
    own = proposal(both, patient)
    with pytest.raises(ServiceError, match="que vous avez proposée"):
        prescriptions.validate(both, own.pk, own.version)
    with pytest.raises(ServiceError, match="que vous avez proposée"):
        prescriptions.reject(both, own.pk, own.version, "Non")
    assert Prescription.objects.get(pk=own.pk).status == Status.PROPOSED


@pytest.mark.parametrize("who", ["nurse", "haematologist", "outsider"])
def test_only_a_pharmacist_validates_or_rejects(proposed, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        prescriptions.validate(user, proposed.pk, proposed.version)
    with pytest.raises(PermissionDenied):
        prescriptions.reject(user, proposed.pk, proposed.version, "Non")
    assert Prescription.objects.get(pk=proposed.pk).status == Status.PROPOSED


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_without_a_reason_is_refused_on_the_reason_field(proposed, pharmacist, reason):
    with pytest.raises(ServiceError) as refused:
        prescriptions.reject(pharmacist, proposed.pk, proposed.version, reason)
    assert refused.value.field == "reason"
    assert Prescription.objects.get(pk=proposed.pk).status == Status.PROPOSED


def test_a_proposal_made_before_a_suspension_cannot_be_validated(
        haematologist, pharmacist, today):
    """The dose was computed from a treatment that has changed since: refused, not guessed."""
    patient = eligible_patient(haematologist, "IPP-105", since=today - timedelta(days=40))
    on_treatment(haematologist, pharmacist, patient, today - timedelta(days=30))
    stale = proposal(haematologist, patient)
    prescriptions.suspend(haematologist, patient.pk, "Fièvre, infection")
    with pytest.raises(ServiceError, match="Le traitement en cours a changé"):
        prescriptions.validate(pharmacist, stale.pk, stale.version)
    assert prescriptions.reject(pharmacist, stale.pk, stale.version,
                                "Proposition antérieure à la suspension").status == Status.REJECTED


def test_a_proposal_whose_previous_dose_was_stopped_cannot_be_validated(
        haematologist, pharmacist, today):
    patient = eligible_patient(haematologist, "IPP-106", since=today - timedelta(days=40))
    on_treatment(haematologist, pharmacist, patient, today - timedelta(days=30))
    stale = proposal(haematologist, patient)
    prescriptions.stop(haematologist, patient.pk, "Décision de RCP")
    with pytest.raises(ServiceError, match="plus de traitement en cours"):
        prescriptions.validate(pharmacist, stale.pk, stale.version)


def test_the_prescriber_withdraws_only_their_own_proposal(proposed, haematologist,
                                                           haematologist2):
    with pytest.raises(PermissionDenied):
        prescriptions.withdraw(haematologist2, proposed.pk, proposed.version)
    withdrawn = prescriptions.withdraw(haematologist, proposed.pk, proposed.version)
    assert withdrawn.status == Status.REJECTED
    assert withdrawn.rejection_reason == "Retirée par le prescripteur"


def test_activating_a_prescription_that_is_not_validated_is_refused(proposed, nurse):
    with pytest.raises(ConcurrentChangeError, match="« Proposée »"):
        prescriptions.activate(nurse, proposed.pk, proposed.version)


# --- pages -------------------------------------------------------------------------------

def _post_validate(client, prescription, version=None):
    return client.post(reverse("prescription_validate", args=[prescription.pk]),
                       {"version": prescription.version if version is None else version},
                       follow=True)


def test_pharmacist_validates_from_the_worklist(client, proposed, pharmacist):
    client.force_login(pharmacist)
    response = _post_validate(client, proposed)
    assert response.redirect_chain[-1][0] == reverse("pharmacy_worklist")
    assert "Prescription validée pour DUPONT Léa" in response.text
    assert Prescription.objects.get(pk=proposed.pk).status == Status.ACTIVE
    assert "Aucune prescription n'attend de validation." in response.text


def test_a_refused_validation_shows_its_french_message(client, proposed, pharmacist,
                                                        pharmacist2):
    prescriptions.validate(pharmacist2, proposed.pk, proposed.version)
    client.force_login(pharmacist)
    response = _post_validate(client, proposed)
    assert response.status_code == 200
    assert "Action impossible : la prescription est maintenant « En cours » (par Léa Roux)" \
        in response.text


@pytest.mark.parametrize("who", ["nurse", "haematologist", "outsider"])
def test_validation_page_actions_are_forbidden_to_others(client, proposed, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("prescription_validate", args=[proposed.pk]),
                       {"version": proposed.version}).status_code == 403
    assert client.post(reverse("prescription_reject", args=[proposed.pk]),
                       {"version": proposed.version, "reason": "Non"}).status_code == 403
    assert Prescription.objects.get(pk=proposed.pk).status == Status.PROPOSED


def test_anonymous_is_sent_to_the_login_page(client, proposed):
    for url in (reverse("pharmacy_worklist"), reverse("prescription_review", args=[proposed.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/compte/connexion/" in response.url
    response = client.post(reverse("prescription_validate", args=[proposed.pk]),
                           {"version": proposed.version})
    assert response.status_code == 302
    assert Prescription.objects.get(pk=proposed.pk).status == Status.PROPOSED


def test_validate_and_reject_accept_only_post(client, proposed, pharmacist):
    client.force_login(pharmacist)
    assert client.get(reverse("prescription_validate", args=[proposed.pk])).status_code == 405
    assert client.get(reverse("prescription_reject", args=[proposed.pk])).status_code == 405


def test_rejecting_without_reason_shows_the_error_next_to_the_field(client, proposed,
                                                                     pharmacist):
    client.force_login(pharmacist)
    response = client.post(reverse("prescription_reject", args=[proposed.pk]),
                           {"version": proposed.version, "reason": "  "})
    assert response.status_code == 200  # the form again, as Django forms do
    field = response.text.split(f'id="id_reason_{proposed.pk}"')[1]
    assert "Indiquez le motif du refus : il est transmis au prescripteur." in field[:800]
    assert 'class="textarea form-control is-invalid"' in response.text
    assert Prescription.objects.get(pk=proposed.pk).status == Status.PROPOSED


@pytest.mark.parametrize("version", ["", "0", "abc"])
def test_a_tampered_version_is_refused_without_change(client, proposed, pharmacist, version):
    client.force_login(pharmacist)
    response = _post_validate(client, proposed, version=version)
    assert "Formulaire incomplet : rechargez la page." in response.text
    assert Prescription.objects.get(pk=proposed.pk).status == Status.PROPOSED


def test_unknown_prescription_is_404(client, pharmacist):
    client.force_login(pharmacist)
    assert client.get(reverse("prescription_review", args=[999])).status_code == 404
    assert client.post(reverse("prescription_validate", args=[999]),
                       {"version": 1}).status_code == 404


def test_review_page_shows_the_working_to_every_clinical_role(client, proposed, cast):
    for role in ("pharmacist", "haematologist", "nurse"):
        client.force_login(cast[role])
        response = client.get(reverse("prescription_review", args=[proposed.pk]))
        assert response.status_code == 200
        assert "2 mg/m²/j × 1,0408 m²" in response.text  # the engine's working, in French
        assert ('name="reason"' in response.text) is (role == "pharmacist")
    client.force_login(cast["outsider"])
    assert client.get(reverse("prescription_review", args=[proposed.pk])).status_code == 403


def test_the_rejection_reason_reaches_the_haematologist(client, proposed, pharmacist,
                                                        haematologist):
    client.force_login(pharmacist)
    client.post(reverse("prescription_reject", args=[proposed.pk]),
                {"version": proposed.version, "reason": "Taille à recontrôler (130 cm ?)"})
    assert Prescription.objects.get(pk=proposed.pk).rejection_reason == \
        "Taille à recontrôler (130 cm ?)"

    client.force_login(haematologist)
    home = client.get(reverse("home"))
    assert "Taille à recontrôler (130 cm ?)" in home.text
    try:
        detail_url = reverse("patient_detail", args=[proposed.patient_id])
    except NoReverseMatch:  # the patient page belongs to another issue
        return
    assert "Taille à recontrôler (130 cm ?)" in client.get(detail_url).text
