"""The monitoring calendar in plain words, for the child's family (the schedule PDF and the
iCalendar): each appointment on its working day, each thing to do in one sentence that says
why. The sentences are chosen from the engine's typed facts (the item's kind, its reason, the
month of treatment, the drug), never from its labels ("T0 J7 modif.") or rule IDs, which stay
on the clinicians' pages and documents."""

from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from protocol.monitoring import Reason
from sirolimus_app.models import MonitoringCheck
from sirolimus_app.presenters.calendar import DueItem

Kind = MonitoringCheck.Kind

# What each kind is, in a few words (a past day's line, an event's title).
NAMES = {
    Kind.VISIT: gettext_lazy("consultation de suivi"),
    Kind.TROUGH: gettext_lazy("prise de sang pour doser le sirolimus"),
    Kind.CONTROL: gettext_lazy("prise de sang pour doser le sirolimus"),
    Kind.CBC: gettext_lazy("prise de sang pour les plaquettes et les globules"),
    Kind.LIPIDS: gettext_lazy("prise de sang pour le cholestérol et les triglycérides"),
    Kind.BLOOD_PRESSURE: gettext_lazy("tension artérielle"),
}
BLOOD_SAMPLES = (Kind.TROUGH, Kind.CONTROL, Kind.CBC, Kind.LIPIDS)

# TDM-STEADY-STATE, DOSE-INCREASE, FOLLOW-VISITS: a trough, and why it falls on that day.
TROUGH_SENTENCES = {
    Reason.START: gettext_lazy(
        "Prise de sang juste avant la prise du matin pour doser le sirolimus, 7 jours après "
        "le début du traitement."),
    Reason.DOSE_CHANGE: gettext_lazy(
        "Prise de sang juste avant la prise du matin pour doser le sirolimus, 7 jours après "
        "le changement de dose."),
    Reason.RESTART: gettext_lazy(
        "Prise de sang juste avant la prise du matin pour doser le sirolimus, 7 jours après "
        "la reprise du traitement."),
    Reason.INCREASE: gettext_lazy(
        "Prise de sang juste avant la prise du matin pour doser le sirolimus, 7 jours après "
        "l'augmentation de la dose."),
    Reason.FOLLOW_UP: gettext_lazy(
        "Prise de sang juste avant la prise du matin pour doser le sirolimus : le contrôle "
        "régulier, tous les 6 mois."),
}
# DDI-CYP3A-PGP: another medicine that changes the amount of sirolimus in the blood.
DRUG_SENTENCES = {
    Reason.DRUG_STARTED: gettext_lazy(
        "Prise de sang juste avant la prise du matin pour doser le sirolimus, 7 jours après "
        "le début d'un médicament qui en change la quantité dans le sang (%(drug)s)."),
    Reason.DRUG_STOPPED: gettext_lazy(
        "Prise de sang juste avant la prise du matin pour doser le sirolimus, 7 jours après "
        "l'arrêt d'un médicament qui en change la quantité dans le sang (%(drug)s)."),
}
TROUGH_SENTENCE = gettext_lazy(
    "Prise de sang juste avant la prise du matin pour doser le sirolimus.")
# TOX-SUSPEND: the 48 h control, the treatment stopped.
CONTROL_SENTENCE = gettext_lazy(
    "Prise de sang pour doser le sirolimus, 48 heures après l'arrêt du traitement : ne pas "
    "le redonner avant l'avis du médecin.")
# PRE-WORKUP: before the first dose.
BEFORE_START = {
    Kind.CBC: gettext_lazy(
        "Prise de sang pour compter les plaquettes et les globules, avant le début du "
        "traitement."),
    Kind.LIPIDS: gettext_lazy(
        "Prise de sang pour le cholestérol et les triglycérides, avant le début du "
        "traitement."),
    Kind.BLOOD_PRESSURE: gettext_lazy(
        "Mesure de la tension artérielle, avant le début du traitement."),
}
# FOLLOW-VISITS, AE-BP, AE-LIPIDS: at each follow-up.
FOLLOW_UP = {
    Kind.CBC: gettext_lazy(
        "Prise de sang pour compter les plaquettes et les globules : elle montre si le "
        "traitement agit et s'il est bien toléré."),
    Kind.LIPIDS: gettext_lazy(
        "Prise de sang pour le cholestérol et les triglycérides, que le sirolimus peut "
        "augmenter."),
    Kind.BLOOD_PRESSURE: gettext_lazy(
        "Mesure de la tension artérielle, que le sirolimus peut augmenter."),
}
ONLY_IF_ASKED = gettext_lazy("Seulement si le médecin vous l'a demandé.")
# The trough is drawn before the day's dose: the one sentence a family must not miss.
DOSE_AFTER_SAMPLE = gettext_lazy(
    "Ce matin-là, ne donnez le sirolimus qu'après la prise de sang.")


def sentence(item: DueItem) -> str:
    """What to do for `item`, and why, in one sentence."""
    reason = item.reason
    if item.kind == Kind.TROUGH:
        if reason in DRUG_SENTENCES and item.drug:
            return str(DRUG_SENTENCES[reason]) % {"drug": item.drug}
        return str(TROUGH_SENTENCES.get(reason, TROUGH_SENTENCE))
    if item.kind == Kind.CONTROL:
        return str(CONTROL_SENTENCE)
    if item.kind == Kind.VISIT:
        if item.month:
            return ngettext(
                "Consultation de suivi avec le médecin, après %(months)s mois de traitement.",
                "Consultation de suivi avec le médecin, après %(months)s mois de traitement.",
                item.month) % {"months": item.month}
        return _("Consultation de suivi avec le médecin.")
    if reason == Reason.PRE_TREATMENT and item.kind in BEFORE_START:
        return str(BEFORE_START[item.kind])
    if item.kind in FOLLOW_UP:
        return str(FOLLOW_UP[item.kind])
    return f"{item.kind_label}."  # a kind the engine added since: its name at least


def name(kind: str) -> str:
    return str(NAMES.get(kind, kind))


@dataclass
class FamilyEntry:
    """One thing to do on a day (items of one kind on one day are done once: a 6-monthly
    trough that is also the trough after a dose change is one sample)."""

    kind: str
    text: str
    done_on: date | None
    conditional: bool

    @property
    def name(self) -> str:
        return name(self.kind)

    @property
    def condition_text(self) -> str:
        return str(ONLY_IF_ASKED) if self.conditional else ""

    @property
    def done_text(self) -> str:
        if self.done_on is None:
            return ""
        return _("fait le %(day)s") % {"day": date_format(self.done_on, "SHORT_DATE_FORMAT")}


@dataclass
class FamilyDay:
    """One appointment day: the working day the engine booked."""

    day: date
    past: bool
    entries: list[FamilyEntry] = field(default_factory=list)

    @property
    def sample_before_dose(self) -> bool:
        """A trough that day, so the morning dose waits for the sample (not after a
        suspension: the 48 h control is drawn with the treatment stopped)."""
        return any(e.kind == Kind.TROUGH and not e.conditional for e in self.entries)

    @property
    def dose_note(self) -> str:
        return str(DOSE_AFTER_SAMPLE) if self.sample_before_dose else ""

    @property
    def title(self) -> str:
        """What the day is, in a few words: 'consultation de suivi · prise de sang'."""
        kinds = {e.kind for e in self.entries}
        parts = []
        if Kind.VISIT in kinds:
            parts.append(_("consultation de suivi"))
        if kinds & set(BLOOD_SAMPLES):
            parts.append(_("prise de sang"))
        if Kind.BLOOD_PRESSURE in kinds and Kind.VISIT not in kinds:
            parts.append(_("tension artérielle"))
        parts += [name(kind) for kind in dict.fromkeys(e.kind for e in self.entries)
                  if kind not in NAMES]
        return " · ".join(parts)

    @property
    def lines(self) -> list[str]:
        """The day as plain lines (the iCalendar's description): each sentence, what was
        done, the note on the morning dose."""
        lines = []
        for entry in self.entries:
            extra = " ".join(filter(None, [entry.condition_text,
                                           entry.done_text and f"({entry.done_text})"]))
            lines.append(f"{entry.text} {extra}".strip())
        if self.dose_note:
            lines.append(self.dose_note)
        return lines


def family_days(items: list[DueItem], today: date) -> list[FamilyDay]:
    """The calendar by appointment day (weekends and public holidays avoided by the engine),
    in the engine's order within a day."""
    booked = sorted(enumerate(items), key=lambda pair: (pair[1].appointment or pair[1].day,
                                                        pair[0]))
    days = []
    for day, group in groupby((item for _rank, item in booked),
                              key=lambda item: item.appointment or item.day):
        entry_of: dict[str, FamilyEntry] = {}
        for item in group:
            entry = entry_of.get(item.kind)
            if entry is None:
                entry_of[item.kind] = FamilyEntry(item.kind, sentence(item), item.fulfilled_on,
                                                  item.conditional)
                continue
            # One sample answers both: done when either is, conditional only if both are.
            entry.done_on = entry.done_on or item.fulfilled_on
            entry.conditional = entry.conditional and item.conditional
        days.append(FamilyDay(day, day < today, list(entry_of.values())))
    return days


def place(establishment: dict) -> str:
    """Where the appointments are: the unit, the hospital, its address, on one line."""
    parts = (establishment.get("service"), establishment.get("name"),
             establishment.get("address"))
    return ", ".join(" ".join(str(p).split()) for p in parts if p and str(p).strip())
