"""The haematologist's review list: who may, attach to a patient, reject with a reason, bad
input answered next to the field."""

from decimal import Decimal

import pytest
from django.urls import reverse

from sirolimus_app.interop import hl7v2, importer
from sirolimus_app.models import AuditEvent, InboundResult, TroughLevel
from tests.web.test_workflow_data import eligible_patient

from .conftest import obx, oru, trough_ng

LIST = reverse("interop_review")


def receive(text):
    return importer.receive(text, format="hl7v2", channel="file", read=hl7v2.read)


def held_result() -> InboundResult:
    """A trough for a number the hospital does not know."""
    receive(trough_ng("MSG-0100", "8.4", ipp="800999999", name="DUPONT^LEA"))
    return InboundResult.objects.get(status="review", message__control_id="MSG-0100")


@pytest.fixture
def held(lea):
    return held_result()


@pytest.mark.parametrize("role", ["nurse", "pharmacist", "outsider"])
def test_only_haematologists_see_and_resolve_the_list(client, cast, held, role):
    client.force_login(cast[role])
    assert client.get(LIST).status_code == 403
    url = reverse("interop_reject", args=[held.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert InboundResult.objects.get(pk=held.pk).status == "review"


def test_the_list_shows_what_the_laboratory_sent_and_why(client, haematologist, held):
    client.force_login(haematologist)
    response = client.get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert "aucun patient avec l&#x27;IPP 800999999" in page
    assert "MSG-0100" in page and "8,40 ng/mL" in page
    assert reverse("interop_review") in client.get(reverse("home")).content.decode()  # nav


def test_attach_records_the_trough_under_the_haematologists_name(client, haematologist,
                                                                  held, lea):
    client.force_login(haematologist)
    response = client.post(reverse("interop_attach", args=[held.pk]),
                           {"hospital_number": "800123456"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.status, held.patient, held.resolved_by) == ("attached", lea, haematologist)
    trough = TroughLevel.objects.get(patient=lea)
    assert (trough.value_ng_ml, trough.recorded_by) == (Decimal("8.4"), haematologist)
    source = AuditEvent.objects.get(action="troughlevel.create", patient=lea).after["source"]
    assert "importé du message MSG-0100" in source and "rattaché par Claire Martin" in source
    assert AuditEvent.objects.filter(action="inboundresult.attach", patient=lea).exists()
    assert "Aucun résultat reçu" in client.get(LIST).content.decode()


def test_attach_to_an_unknown_number_says_so_next_to_the_field(client, haematologist, held):
    client.force_login(haematologist)
    response = client.post(reverse("interop_attach", args=[held.pk]),
                           {"hospital_number": "000"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_hospital_number_{held.pk}_error"' in page
    assert "Aucun patient avec l&#x27;IPP 000." in page
    assert not TroughLevel.objects.exists()


def test_reject_needs_a_reason_and_keeps_it(client, haematologist, held):
    client.force_login(haematologist)
    url = reverse("interop_reject", args=[held.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert f'id="id_reason_{held.pk}_error"' in response.content.decode()
    assert client.post(url, {"reason": "Patient d'un autre service"}).status_code == 302
    held.refresh_from_db()
    assert (held.status, held.rejection_reason) == ("rejected", "Patient d'un autre service")
    # Decided once: a second click (another tab) is refused, not applied again.
    response = client.post(url, {"reason": "encore"}, follow=True)
    assert "déjà été traité" in response.content.decode()
    assert InboundResult.objects.get(pk=held.pk).rejection_reason == "Patient d'un autre service"


def test_a_held_correction_is_set_aside_not_attached(client, haematologist, lea):
    # No earlier result to replace: attaching it would put a second value beside the wrong one.
    receive(oru("MSG-0002", obx(1, "29247-4", "Sirolimus", "6.1", "ng/mL", status="C")))
    item = InboundResult.objects.get(status="review")
    client.force_login(haematologist)
    response = client.post(reverse("interop_attach", args=[item.pk]),
                           {"hospital_number": "800123456"}, follow=True)
    assert "n&#x27;a pas pu remplacer le résultat d&#x27;origine" in response.content.decode()
    assert InboundResult.objects.get(pk=item.pk).status == "review"
    assert not TroughLevel.objects.exists()


def test_attach_to_another_child_checks_nothing_more_than_the_number(client, haematologist,
                                                                    held):
    other = eligible_patient(haematologist, "800555555", "Martin", "Hugo")
    client.force_login(haematologist)
    client.post(reverse("interop_attach", args=[held.pk]), {"hospital_number": "800555555"})
    assert TroughLevel.objects.get().patient == other


def test_the_list_costs_a_fixed_number_of_queries(client, haematologist, lea,
                                                  django_assert_num_queries):
    for n in range(3):
        receive(trough_ng(f"MSG-02{n}", ipp=f"80099999{n}"))
    client.force_login(haematologist)
    client.get(LIST)  # warms the session and permission caches
    # Session, user, user and group permissions, the items with their message, patient and
    # corrected result in one join, their count, the user's groups (nav), and the session
    # saved (3: savepoint, update, release). Flat: one more result adds none.
    with django_assert_num_queries(10):
        client.get(LIST)
    receive(trough_ng("MSG-0299", ipp="800999990"))
    with django_assert_num_queries(10):
        client.get(LIST)
