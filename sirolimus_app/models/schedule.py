"""What the worklists and home pages read instead of running the protocol engine for every
followed patient on every request: each patient's monitoring calendar and status, derived
from the engine by `services.schedule` in the transaction of every service that changes the
patient's clinical data, and again every night (`manage.py refresh_schedules`).

Facts that change with the date alone are stored as dates and compared with today's date in
SQL (when an item is due, when the next one of its kind supersedes it, from when "no
response at 3 months" applies), so rows computed yesterday still answer correctly today.
What they amount to on the day of the computation (a patient's urgency) is stored too, for
the pages to read directly on that day.
"""

from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .clinical import (
    AdverseEvent,
    BodyMeasurement,
    CoMedication,
    LabResult,
    MonitoringCheck,
    TroughLevel,
    Visit,
)
from .patient import Patient
from .prescription import Prescription

Kind = MonitoringCheck.Kind
TROUGH_KINDS = (Kind.TROUGH, Kind.CONTROL)  # the items that are sirolimus troughs
# On one day, samples before visits (the engine's calendar order too).
KIND_ORDER = {kind: rank for rank, kind in enumerate(
    (Kind.CONTROL, Kind.TROUGH, Kind.VISIT, Kind.CBC, Kind.BLOOD_PRESSURE, Kind.LIPIDS))}
NEVER = date.max  # ScheduleItem.superseded_on of the last item of its kind
# Why a patient needs attention, the most urgent first (PatientStatus.urgency is the rank).
URGENCY = ("toxic_trough", "forbidden", "overdue_trough", "no_response", "awaiting_validation")


class ScheduleItem(models.Model):
    """One item of a followed patient's monitoring calendar (a sample, a visit, a blood
    pressure) as the engine computed it, with the record the engine says fulfils it.

    Only items that can still appear on a worklist are kept: those due or booked from the
    day of the computation on, and earlier ones neither done nor superseded by then.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE,
                                related_name="schedule_items")
    due_date = models.DateField(_("date prévue"))
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    label = models.CharField(_("libellé"), max_length=64)
    rules = models.JSONField(_("règles"), default=list)
    # The engine writes its texts in both languages; each is kept for the interface's.
    instruction = models.CharField(_("consigne"), max_length=300, blank=True)
    instruction_en = models.CharField(_("consigne (anglais)"), max_length=300, blank=True)
    # The due date of the next item of this kind: a missed item is caught up by doing the
    # next one, so from that date on it is no longer overdue. NEVER for the last of its kind.
    superseded_on = models.DateField(_("remplacé le"))
    done = models.BooleanField(_("réalisé"), default=False)
    # The engine's working day for the item (due_date stays the protocol's date) and the
    # record it says fulfils it (Item.fulfilled): the pages show both, never recompute them.
    # The worklists' sections, counts and lateness are by the appointment: an item due on a
    # Saturday and booked on the Monday is not late on the Saturday.
    appointment = models.DateField(_("rendez-vous"))
    fulfilled_on = models.DateField(_("réalisé le"), null=True, blank=True)
    fulfilled_kind = models.CharField(_("réalisé par (type)"), max_length=16, blank=True)
    fulfilled_ref = models.CharField(_("réalisé par (référence)"), max_length=32, blank=True)
    # Depends on a condition not met yet (the 48 h control before the suspension is
    # recorded, the trough after an increase not prescribed): shown, never ticked.
    conditional = models.BooleanField(_("conditionnel"), default=False)
    # Rank in the patient's calendar by date, kind (KIND_ORDER) and label: the worklists'
    # order within one patient's day, without computing it per row.
    position = models.PositiveSmallIntegerField(_("rang"))
    tick = models.ForeignKey(MonitoringCheck, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("élément du calendrier de surveillance")
        verbose_name_plural = _("calendrier de surveillance")
        constraints = [
            models.UniqueConstraint(fields=["patient", "kind", "due_date", "label"],
                                    name="one_schedule_item_per_label"),
            models.CheckConstraint(condition=Q(superseded_on__gte=F("due_date")),
                                   name="schedule_superseded_after_due"),
            models.CheckConstraint(condition=Q(tick__isnull=True) | Q(done=True),
                                   name="schedule_ticked_is_done"),
            models.CheckConstraint(condition=Q(conditional=False) | Q(tick__isnull=True),
                                   name="schedule_conditional_not_ticked"),
        ]
        # The worklists read one range of appointments (the overdue items are the few past
        # ones kept), the attention lists the overdue troughs; both filter on the other
        # columns of their index. The counts by day read nothing else (conditional and
        # patient are in the index: no read of the table, row by row, on a busy ward).
        # Per-patient reads use the unique constraint's index.
        indexes = [
            models.Index(fields=["appointment", "done", "superseded_on", "conditional",
                                 "patient"], name="schedule_appointment_idx"),
            models.Index(fields=["kind", "appointment", "done", "superseded_on", "patient"],
                         name="schedule_kind_appt_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.label} ({self.due_date})"


class PatientStatus(models.Model):
    """One patient's situation as the worklists need it, from the same engine run as the
    patient's ScheduleItem rows."""

    class Treatment(models.TextChoices):
        NONE = "none", _("Jamais traité")
        STARTING = "starting", _("Première prescription en attente")
        ACTIVE = "active", _("En cours")
        SUSPENDED = "suspended", _("Suspendu")
        STOPPED = "stopped", _("Arrêté")

    class Calendar(models.TextChoices):
        AVAILABLE = "available", _("Calculé")
        INCOMPLETE = "incomplete", _("Dossier incomplet")
        ENGINE_ERROR = "engine_error", _("Erreur du moteur de protocole")
        NOT_FOLLOWED = "not_followed", _("Pas de suivi (aucun traitement en cours ni prévu)")

    class Severity(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Avertissement")
        CRITICAL = "critical", _("Critique")

    # Patients on sirolimus or about to start it: the only ones with a calendar to follow.
    FOLLOWED = (Treatment.STARTING, Treatment.ACTIVE, Treatment.SUSPENDED)
    UNAVAILABLE = (Calendar.INCOMPLETE, Calendar.ENGINE_ERROR)

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, primary_key=True,
                                   related_name="schedule_status")
    computed_for = models.DateField(_("calculé pour le"))
    # The patient's name, copied at each refresh (which every change of the patient makes):
    # the attention list sorts thousands of statuses by name without reading the patients.
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    treatment = models.CharField(_("traitement"), max_length=10, choices=Treatment.choices)
    calendar = models.CharField(_("calendrier"), max_length=12, choices=Calendar.choices)
    mg_per_day = models.DecimalField(_("dose actuelle (mg/j)"), max_digits=4,
                                     decimal_places=2, null=True, blank=True)
    response = models.CharField(_("réponse"), max_length=20, choices=Visit.Response.choices,
                                blank=True)
    awaiting_validation = models.BooleanField(_("prescription en attente de validation"),
                                              default=False)
    toxic_trough = models.BooleanField(_("résiduel toxique sans suspension"), default=False)
    toxic_detail = models.TextField(blank=True)
    toxic_detail_en = models.TextField(blank=True)
    # A child on or suspended from sirolimus whose record the protocol forbids as it is (a
    # critical alert: another immunosuppressant, a contraindication): its alerts' texts.
    critical_detail = models.TextField(_("alertes bloquantes"), blank=True)
    critical_detail_en = models.TextField(blank=True)
    # From this date on, "no response at 3 months" (RESP-DELAY) applies, if nothing changes.
    no_response_from = models.DateField(_("pas de réponse à 3 mois à partir du"), null=True,
                                        blank=True)
    no_response_detail = models.TextField(blank=True)
    no_response_detail_en = models.TextField(blank=True)
    alert_severity = models.CharField(_("alerte la plus grave"), max_length=8,
                                      choices=Severity.choices, blank=True)
    alert_rules = models.JSONField(_("règles de l'alerte la plus grave"), default=list)
    # As of `computed_for`, the rank in URGENCY of the most urgent reason for attention
    # (null: none), a fact depending on the date alone. The pages read it as it is on that
    # day only; on a later day (the nightly refresh did not run) they evaluate every reason
    # again.
    urgency = models.PositiveSmallIntegerField(_("urgence"), null=True, blank=True)

    class Meta:
        verbose_name = _("situation du patient")
        verbose_name_plural = _("situations des patients")
        constraints = [
            models.CheckConstraint(
                condition=(Q(treatment__in=["starting", "active", "suspended"])
                           & ~Q(calendar="not_followed"))
                | (Q(treatment__in=["none", "stopped"]) & Q(calendar="not_followed")),
                name="status_calendar_only_if_followed"),
            models.CheckConstraint(condition=Q(toxic_trough=False) | Q(treatment="active"),
                                   name="status_toxic_only_when_active"),
        ]
        indexes = [
            models.Index(fields=["computed_for"], name="status_computed_idx"),
            models.Index(fields=["calendar"], name="status_calendar_idx"),
            # The attention list, read in order: the most urgent, then by name.
            models.Index(fields=["urgency", "last_name", "first_name", "patient"],
                         condition=Q(urgency__isnull=False), name="status_attention_idx"),
        ]

    def __str__(self):
        return f"{self.patient_id} : {self.get_treatment_display()} ({self.computed_for})"


# The sections of a worklist: an item due before today, today, or in the coming week.
OVERDUE, TODAY, WEEK = "overdue", "today", "week"


def section_of(day: date, today: date) -> str:
    """The worklist section of an item booked on `day` (its appointment)."""
    return OVERDUE if day < today else TODAY if day == today else WEEK


# The records the engine reads (every model pointing at a patient but these two and the
# audit trail: tests/web/test_schedule.py keeps the list complete). sirolimus_app.signals
# refreshes the calendar when one of them is deleted.
CLINICAL_MODELS = (AdverseEvent, BodyMeasurement, CoMedication, LabResult, MonitoringCheck,
                   Prescription, TroughLevel, Visit)
