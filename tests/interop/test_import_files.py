"""`manage.py import_results`: HL7 v2 and FHIR files, through the same services as a typed
result, nothing lost and nothing twice."""

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sirolimus_app.models import (
    AuditEvent,
    InboundMessage,
    InboundResult,
    LabResult,
    PatientStatus,
    ScheduleItem,
    TroughLevel,
)

from .conftest import SAMPLED, bundle, cbc, observation, obx, oru, trough_ng, trough_nmol

Fate = InboundMessage.Fate


def run(tmp_path, *texts, name="resultats.hl7", encoding="latin-1"):
    path = tmp_path / name
    path.write_bytes("".join(texts).encode(encoding))
    call_command("import_results", str(path))
    return path


def test_a_trough_in_ng_ml_is_recorded_as_typed_one(tmp_path, lea):
    run(tmp_path, trough_ng(value="8.4"))
    trough = TroughLevel.objects.get(patient=lea)
    assert (trough.value, trough.unit, trough.value_ng_ml) == (Decimal("8.4"), "ng/ml",
                                                              Decimal("8.4"))
    local = timezone.localtime(trough.sampled_at)  # 07:45 in Paris, as OBX-14 says
    assert (local.date(), local.hour, local.minute) == (SAMPLED, 7, 45)
    assert trough.recorded_by.username == "laboratoire"
    assert not trough.recorded_by.has_usable_password()
    # The same audit line as a typed trough, saying where the result came from.
    line = AuditEvent.objects.get(action="troughlevel.create", patient=lea)
    assert line.after["source"].startswith("importé du message MSG-0001 du laboratoire SIL^")
    message = InboundMessage.objects.get()
    assert (message.fate, message.control_id, message.sender) == (Fate.IMPORTED, "MSG-0001",
                                                                 "SIL^LABO-CHU")
    assert message.raw.startswith("MSH|^~\\&|SIL|")


def test_a_trough_in_nmol_l_is_converted_with_the_engines_units(tmp_path, lea):
    run(tmp_path, trough_nmol(value="9.2"))
    trough = TroughLevel.objects.get(patient=lea)
    assert (trough.value, trough.unit) == (Decimal("9.2"), "nmol/l")
    assert trough.value_ng_ml == Decimal("8.41")  # 9.2 × 0.91417


def test_platelets_in_ucum_giga_per_litre_and_other_tests_left_aside(tmp_path, lea):
    before = LabResult.objects.filter(patient=lea, kind="platelets").count()
    run(tmp_path, cbc(platelets="42"))
    lab = LabResult.objects.filter(patient=lea, kind="platelets").latest("pk")
    assert LabResult.objects.filter(patient=lea, kind="platelets").count() == before + 1
    assert (lab.value, lab.unit, lab.value_canonical) == (Decimal("42"), "G/L", Decimal("42"))
    assert "718-7 non suivi ici" in InboundMessage.objects.get().detail


def test_a_toxic_trough_refreshes_the_stored_status_and_calendar(tmp_path, lea):
    before = set(ScheduleItem.objects.filter(patient=lea).values_list("due_date", "kind"))
    run(tmp_path, trough_ng(value="21.5"))
    status = PatientStatus.objects.get(patient=lea)
    assert status.toxic_trough  # on the homes in the morning
    after = set(ScheduleItem.objects.filter(patient=lea).values_list("due_date", "kind"))
    assert after != before


def test_a_file_with_many_messages_and_a_duplicate(tmp_path, lea):
    run(tmp_path, trough_ng("MSG-0001"), "\n", cbc("MSG-0003"), "\n", trough_ng("MSG-0001"))
    assert TroughLevel.objects.filter(patient=lea).count() == 1
    fates = list(InboundMessage.objects.order_by("pk").values_list("control_id", "fate"))
    assert fates == [("MSG-0001", Fate.IMPORTED), ("MSG-0003", Fate.IMPORTED),
                     ("MSG-0001", Fate.DUPLICATE)]
    # Sent again in a later file: still not imported twice.
    run(tmp_path, trough_ng("MSG-0001"), name="encore.hl7")
    assert TroughLevel.objects.filter(patient=lea).count() == 1


def test_an_unknown_patient_goes_to_review_not_nowhere(tmp_path, lea):
    run(tmp_path, trough_ng(ipp="800999999", name="MARTIN^HUGO", birth="20120101"))
    assert not TroughLevel.objects.filter(patient=lea).exists()
    item = InboundResult.objects.get()
    assert item.status == InboundResult.Status.REVIEW
    assert item.review_reason == "aucun patient avec l'IPP 800999999"
    assert (item.last_name, item.first_name, item.value) == ("MARTIN", "HUGO", Decimal("8.4"))
    assert InboundMessage.objects.get().fate == Fate.REVIEW


@pytest.mark.parametrize(("kw", "reason"), [
    ({"birth": "20150411"}, "date de naissance différente"),
    ({"name": "DURAND^LEA"}, "nom différent"),
])
def test_a_known_number_with_another_identity_goes_to_review(tmp_path, lea, kw, reason):
    run(tmp_path, trough_ng(**kw))
    item = InboundResult.objects.get()
    assert (item.status, item.patient) == (InboundResult.Status.REVIEW, lea)
    assert reason in item.review_reason
    assert not TroughLevel.objects.filter(patient=lea).exists()


def test_the_name_is_compared_without_accents_or_case(tmp_path, lea):
    run(tmp_path, trough_ng(name="dupont^LÉA"))
    assert TroughLevel.objects.filter(patient=lea).count() == 1


def test_a_number_of_another_authority_matches_nobody(tmp_path, lea):
    text = trough_ng().replace("800123456^^^HOPITAL^PI", "800123456^^^AUTRE-HOPITAL^PI")
    run(tmp_path, text)
    assert InboundResult.objects.get().review_reason == "aucun IPP de l'autorité HOPITAL"


def test_an_implausible_value_goes_to_review(tmp_path, lea):
    # "15 /mm³" typed for 15 G/L: sent as 15 /uL it is 0.015 G/L… and 15000 G/L the other way.
    run(tmp_path, oru("MSG-0009", obx(1, "777-3", "Plaquettes", "15000", "10*9/L")))
    item = InboundResult.objects.get()
    assert item.review_reason == "valeur peu plausible : 15000 10*9/L"


def test_a_corrected_result_replaces_the_earlier_one_through_the_correction_path(tmp_path,
                                                                                 lea):
    run(tmp_path, trough_ng("MSG-0001", value="8.4"))
    first = InboundResult.objects.get()
    corrected = oru("MSG-0010", obx(1, "29247-4", "Sirolimus", "6.1", "ng/mL", status="C"))
    run(tmp_path, corrected, name="correction.hl7")
    item = InboundResult.objects.exclude(pk=first.pk).get()
    assert (item.status, item.corrects) == (InboundResult.Status.IMPORTED, first)
    wrong = TroughLevel.objects.get(pk=first.trough_id)
    assert wrong.voided_at is not None and "corrigé par le laboratoire" in wrong.void_reason
    assert "MSG-0010" in wrong.void_reason
    assert item.trough.corrects == wrong and item.trough.value == Decimal("6.1")
    # Only the corrected value counts; the wrong one stays, struck through, with its audit line.
    assert list(TroughLevel.objects.valid().filter(patient=lea)
                .values_list("value", flat=True)) == [Decimal("6.1")]
    assert AuditEvent.objects.filter(action="troughlevel.void", patient=lea).count() == 1


def test_a_correction_without_an_earlier_result_waits_for_review(tmp_path, lea):
    run(tmp_path, oru("MSG-0011", obx(1, "29247-4", "Sirolimus", "6.1", "ng/mL", status="C")))
    item = InboundResult.objects.get()
    assert (item.status, item.review_reason) == (
        InboundResult.Status.REVIEW, "résultat corrigé : à valider (aucun résultat antérieur "
        "importé)")
    assert not TroughLevel.objects.exists()


@pytest.mark.parametrize(("text", "fate", "detail"), [
    ("ceci n'est pas un message HL7", Fate.ERROR, "illisible"),
    (trough_ng().replace("|MSG-0001|", "||"), Fate.ERROR, "MSH-10"),
    (trough_ng(kind="ADT^A01"), Fate.REJECTED, "ADT^A01"),
    (trough_ng(value="huit"), Fate.ERROR, "non numérique"),
    (trough_ng().replace("ng/mL^ng/mL", "mg/jour^mg/jour"), Fate.ERROR, "unité 'mg/jour'"),
    (trough_ng().replace(f"|||{SAMPLED:%Y%m%d}0745", "|||").replace(
        f"|||{SAMPLED:%Y%m%d}0745", "|||"), Fate.ERROR, "heure de prélèvement"),
])
def test_a_malformed_message_is_kept_with_its_reason(tmp_path, lea, text, fate, detail):
    with pytest.raises(CommandError, match="1 message"):
        run(tmp_path, text)
    message = InboundMessage.objects.get()
    assert message.fate == fate and detail in message.detail
    assert message.raw.strip() == text.strip()  # kept as received
    assert not TroughLevel.objects.filter(patient=lea).exists()


def test_a_fhir_bundle_file(tmp_path, lea):
    run(tmp_path, bundle("b-1", observation("o-1", 8.4), observation(
        "o-2", 40, "10*9/L", code="26515-7")), name="bundle.json", encoding="utf-8")
    assert TroughLevel.objects.get(patient=lea).value_ng_ml == Decimal("8.4")
    assert LabResult.objects.filter(patient=lea, kind="platelets", value=40).exists()
    assert InboundMessage.objects.get().sender == "fichier:fichier"


def test_a_fhir_observation_file(tmp_path, lea):
    run(tmp_path, json.dumps(observation("o-9", 10.0, "nmol/L")), name="o.json",
        encoding="utf-8")
    assert TroughLevel.objects.get(patient=lea).unit == "nmol/l"


def test_a_bad_message_in_a_chunk_leaves_the_others_imported(tmp_path, lea):
    with pytest.raises(CommandError, match="1 message"):
        run(tmp_path, trough_ng("MSG-0001"), "\n", trough_ng("MSG-0002", value="huit"), "\n",
            cbc("MSG-0003"))
    fates = dict(InboundMessage.objects.values_list("control_id", "fate"))
    assert fates == {"MSG-0001": Fate.IMPORTED, "MSG-0002": Fate.ERROR,
                     "MSG-0003": Fate.IMPORTED}
    assert TroughLevel.objects.filter(patient=lea).count() == 1
    assert PatientStatus.objects.get(patient=lea).computed_for == timezone.localdate()


def test_chunks_of_one_give_the_same_result(tmp_path, lea):
    path = tmp_path / "r.hl7"
    path.write_text(trough_ng("MSG-0001") + "\n" + cbc("MSG-0003"), encoding="utf-8")
    call_command("import_results", str(path), "--chunk", "1")
    assert InboundMessage.objects.filter(fate=Fate.IMPORTED).count() == 2
    with pytest.raises(CommandError, match="--chunk"):
        call_command("import_results", str(path), "--chunk", "0")


def test_structured_numeric_values_and_thresholds(tmp_path, lea):
    sn = trough_ng("MSG-0020").replace("|NM|29247-4", "|SN|29247-4").replace(
        "||8.4|", "||=^7.9|")
    below = trough_ng("MSG-0021").replace("|NM|29247-4", "|SN|29247-4").replace(
        "||8.4|", "||<^1.0|")
    with pytest.raises(CommandError, match="1 message"):
        run(tmp_path, sn, "\n", below)
    assert TroughLevel.objects.get(patient=lea).value == Decimal("7.9")
    failed = InboundMessage.objects.get(control_id="MSG-0021")
    assert failed.fate == Fate.ERROR and "valeur <1.0 (seuil)" in failed.detail


def test_an_unexpected_failure_is_kept_and_answered_not_raised(tmp_path, lea, monkeypatch,
                                                               caplog):
    from sirolimus_app.interop import importer

    def broken(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(importer, "create_record", broken)
    with pytest.raises(CommandError, match="1 message"):
        run(tmp_path, trough_ng("MSG-0030"))
    message = InboundMessage.objects.get()
    assert (message.fate, message.control_id) == (Fate.ERROR, "MSG-0030")
    assert "erreur interne" in message.detail
    assert "disque plein" in caplog.text  # the traceback for the team, not for the lab
    assert not TroughLevel.objects.exists() and not InboundResult.objects.exists()
    # Sent again once repaired: imported (a failed message is not a duplicate).
    monkeypatch.undo()
    run(tmp_path, trough_ng("MSG-0030"), name="again.hl7")
    assert TroughLevel.objects.filter(patient=lea).count() == 1
