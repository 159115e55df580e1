"""The history's entries (troughs, results, measurements, events, co-medications), voided
ones struck through, as the history page shows them."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sirolimus_app.models import AdverseEvent, BodyMeasurement, LabResult, TroughLevel, Visit
from sirolimus_app.presenters.formatting import number


@dataclass
class EntryRow:
    record: object
    kind: str  # the URL's <kind>
    day: object
    text: str
    can_void: bool


@dataclass
class EntrySection:
    title: object
    rows: list


def _dated(record):
    return getattr(record, "sampled_at", None) or getattr(record, "measured_on", None) or \
        getattr(record, "onset_date", None) or getattr(record, "start_date", None)


def _text(record) -> str:
    if isinstance(record, TroughLevel):
        return _("%(value)s %(unit)s (%(ng)s ng/ml)") % {
            "value": number(record.value), "unit": record.unit, "ng": number(record.value_ng_ml)}
    if isinstance(record, LabResult):
        return f"{record.get_kind_display()} {number(record.value)} {record.unit}"
    if isinstance(record, BodyMeasurement):
        return _("%(w)s kg, %(h)s cm") % {"w": number(record.weight_kg),
                                          "h": number(record.height_cm)}
    if isinstance(record, AdverseEvent):
        return f"{record.get_kind_display()} — {record.get_severity_display()}"
    return str(record.name)


# The titles of the history's entry sections, by the patient's related name.
SECTION_TITLES = {
    "troughs": gettext_lazy("Taux résiduels"),
    "lab_results": gettext_lazy("Autres résultats biologiques"),
    "measurements": gettext_lazy("Poids et taille"),
    "adverse_events": gettext_lazy("Effets indésirables"),
    "comedications": gettext_lazy("Traitements associés"),
}


def entry_rows(entries, may_void) -> list[EntryRow]:
    """Records of one kind with what the history shows of each and whether the user may
    void or correct it (`may_void(record)`)."""
    return [EntryRow(r, r._meta.model_name, _dated(r), "" if isinstance(r, Visit) else _text(r),
                     r.voided_at is None and may_void(r))
            for r in entries]


def entry_sections(entries_by_kind, may_void) -> list[EntrySection]:
    """`entries_by_kind`: (related name, records) pairs, in the order shown."""
    return [EntrySection(SECTION_TITLES[related], entry_rows(records, may_void))
            for related, records in entries_by_kind]
