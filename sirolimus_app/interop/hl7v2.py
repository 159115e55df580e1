"""HL7 v2.5 ORU^R01 (ER7 text) read with the `hl7` library, and the ACK answered."""

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import hl7
from django.conf import settings

from .mapping import Inbound, MessageError, PatientIdentity, Result, kind_for, number

_HOSPITAL_ZONE = ZoneInfo("Europe/Paris")
_DTM = re.compile(r"^(\d{8})(\d{2})(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$")
# OBX-11: F final, C corrected; the others (P preliminary, D/W deleted or wrong…) are not
# results to record.
_RECORDED_STATUSES = {"F", "C"}
# ERR-3 codes (HL7 table 0357) for the ACK.
_ERR_CODES = {"AE": "207^Erreur de l'application^HL70357",
              "AR": "200^Type de message non pris en charge^HL70357"}


def split_messages(text: str) -> list[str]:
    """The messages of a file or a stream: any line ending, batch segments (FHS/BHS) dropped."""
    normalised = text.replace("\r\n", "\r").replace("\n", "\r")
    return hl7.split_file(normalised)


def decode(data: bytes) -> str:
    """ER7 bytes as text: UTF-8, else ISO 8859-1 (MSH-18 "8859/1", common in France)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _at(container, *indexes: int) -> str:
    """The text at these 1-based positions; the library gives a plain string where a level
    has a single value (a field without components), which then stands for position 1."""
    value = container
    try:
        for index in indexes:
            if isinstance(value, str):
                if index != 1:
                    return ""
                continue
            value = value(index)
    except (IndexError, KeyError):
        return ""
    return str(value).strip()


def _get(segment, field_no: int, component: int = 1, repetition: int = 1) -> str:
    return _at(segment, field_no, repetition, component)


def _moment(text: str, what: str) -> datetime:
    """An HL7 DTM (YYYYMMDDHHMM[SS][+ZZZZ]); without an offset, the hospital's time."""
    match = _DTM.match(text)
    if not match:
        raise MessageError(f"{what} absente ou illisible : {text!r} (attendu AAAAMMJJHHMM)")
    day, hour, minute, second, offset = match.groups()
    zone = _HOSPITAL_ZONE
    if offset:
        sign = -1 if offset[0] == "-" else 1
        zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
    try:
        return datetime(int(day[:4]), int(day[4:6]), int(day[6:8]), int(hour),
                        int(minute or 0), int(second or 0), tzinfo=zone)
    except ValueError as error:
        raise MessageError(f"{what} impossible : {text!r}") from error


def _birth_date(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])) if len(text) >= 8 else None
    except ValueError:
        return None


def _patient(pid) -> PatientIdentity:
    """PID-3: the identifier whose assigning authority (CX-4) is this hospital's."""
    number_ = ""
    try:
        repetitions = list(pid(3))
    except (IndexError, KeyError):
        repetitions = []
    for repetition in repetitions:
        authority, value = _at(repetition, 4, 1), _at(repetition, 1, 1)
        if authority == settings.INTEROP_ASSIGNING_AUTHORITY and value:
            number_ = value
            break
    return PatientIdentity(hospital_number=number_, last_name=_get(pid, 5, 1),
                           first_name=_get(pid, 5, 2), birth_date=_birth_date(_get(pid, 7)))


def read(text: str) -> Inbound:
    """One ER7 message → Inbound; MessageError says why it cannot be imported."""
    try:
        message = hl7.parse(text.replace("\r\n", "\r").replace("\n", "\r"))
        msh = message.segment("MSH")
    except Exception as error:  # the library raises several types on broken text
        raise MessageError("message HL7 v2 illisible (segment MSH attendu)") from error
    control_id = _get(msh, 10)
    sender = f"{_get(msh, 3)}^{_get(msh, 4)}"
    if not control_id:
        raise MessageError("identifiant du message (MSH-10) absent")
    try:
        return _results(message, msh, Inbound(control_id=control_id, sender=sender))
    except MessageError as error:
        error.of(control_id, sender)
        raise


def _results(message, msh, inbound: Inbound) -> Inbound:
    kind = f"{_get(msh, 9, 1)}^{_get(msh, 9, 2)}"
    if kind != "ORU^R01":
        raise MessageError(f"type de message non pris en charge : {kind} (attendu ORU^R01)",
                           reject=True)
    patient, order, order_time = None, "", ""
    for segment in message:
        name = str(segment(0))
        if name == "PID":
            patient = _patient(segment)
        elif name == "OBR":
            order = _get(segment, 3) or _get(segment, 2)
            order_time = _get(segment, 7)
        elif name == "OBX":
            if patient is None:
                raise MessageError("segment OBX avant le segment PID")
            _observation(segment, patient, order, order_time, inbound)
    if not inbound.results and not inbound.ignored:
        raise MessageError("aucun résultat (segment OBX) dans le message")
    return inbound


def _observation(obx, patient, order: str, order_time: str, inbound: Inbound) -> None:
    code, system = _get(obx, 3, 1), _get(obx, 3, 3)
    kind = kind_for(code, system == "LN")
    if kind is None and _get(obx, 3, 4):  # the alternate code (CE-4..6), LOINC or local
        code, system = _get(obx, 3, 4), _get(obx, 3, 6)
        kind = kind_for(code, system == "LN")
    status = _get(obx, 11)
    if kind is None:
        inbound.ignored.append(f"OBX {_get(obx, 1)} : code {_get(obx, 3, 1)} non suivi ici")
        return
    if status not in _RECORDED_STATUSES:
        inbound.ignored.append(f"OBX {_get(obx, 1)} : statut {status or '?'} non importé")
        return
    what = f"OBX {_get(obx, 1)} ({code})"
    value = _value(obx, what)
    unit = _get(obx, 6, 1)
    if not unit:
        raise MessageError(f"{what} : unité (OBX-6) absente")
    inbound.results.append(Result(
        identity=f"{order}|{code}|{_get(obx, 4)}",
        kind=kind, code=code, value=value, unit=unit,
        sampled_at=_moment(_get(obx, 14) or order_time,
                           f"{what} : heure de prélèvement (OBX-14 / OBR-7)"),
        corrected=status == "C", patient=patient))


def escape(text: str) -> str:
    """HL7 escapes for the delimiters only: the ACK keeps the message's character set (the
    library would also turn every accent into a hexadecimal escape)."""
    for char, code in (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"),
                       ("&", "\\T\\"), ("~", "\\R\\"), ("\r", " ")):
        text = text.replace(char, code)
    return text


def _value(obx, what: str):
    """OBX-5 as a number: NM, or SN without a comparator ("<^0.5" is not a value to dose
    on: the laboratory's result then needs a person)."""
    value_type = _get(obx, 2)
    if value_type == "NM":
        return number(_get(obx, 5), what)
    if value_type == "SN":
        comparator, figure = _get(obx, 5, 1), _get(obx, 5, 2)
        if comparator not in ("", "="):
            raise MessageError(f"{what} : valeur {comparator}{figure} (seuil) : à saisir "
                               "après avis du laboratoire")
        return number(figure, what)
    raise MessageError(f"{what} : type de valeur {value_type!r} (attendu NM ou SN)")


def ack(text: str, code: str, reason: str = "") -> str:
    """The ACK for a received message: MSA-1 AA / AE / AR, the reason in MSA-3 and ERR."""
    try:
        message = hl7.parse(text.replace("\r\n", "\r").replace("\n", "\r"))
        response = message.create_ack(code, application=settings.INTEROP_APPLICATION_NAME)
    except Exception:  # unreadable: answer with a header of our own
        message = hl7.parse(f"MSH|^~\\&|||{settings.INTEROP_APPLICATION_NAME}||||"
                            "ORU^R01||P|2.5\r")
        response = message.create_ack(code)
        response.segment("MSA").assign_field("", 2)
    if reason:
        escaped = escape(reason[:200])
        response.segment("MSA").assign_field(escaped, 3)
        if code != "AA":
            segment = hl7.parse(f"MSH|^~\\&\rERR|||{_ERR_CODES[code]}|E||||{escaped}\r"
                                ).segment("ERR")
            response.append(segment)
    return str(response)
