"""Why a patient needs attention, in words: from the stored status and the overdue troughs
(services.worklists reads them), for the home pages and the worklists."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from sirolimus_app.i18n import calendar_label, in_language
from sirolimus_app.models import PatientStatus, ScheduleItem


@dataclass
class Attention:
    code: str
    label: str
    rule: str = ""  # the badge shown with it
    detail: str = ""


def of_scan(scan, today: date) -> list[Attention]:
    """The reasons of one services.worklists.PatientScan."""
    return reasons(scan.status, scan.late, today)


def reasons(status: PatientStatus, late: list[ScheduleItem], today: date) -> list[Attention]:
    """The reasons, in words, each with the rule shown as its badge."""
    found = []
    if status.toxic_trough:
        found.append(Attention("toxic_trough", _("Résiduel toxique sans suspension"),
                               "TOX-SUSPEND",
                               in_language(status.toxic_detail, status.toxic_detail_en)))
    if status.critical_detail:
        found.append(Attention("forbidden", _("Alerte bloquante du protocole"), "",
                               in_language(status.critical_detail, status.critical_detail_en)))
    for item in late:
        found.append(Attention(
            "overdue_trough", _("Taux résiduel en retard"),
            item.rules[0] if item.rules else "TDM-STEADY-STATE",
            _("%(label)s prévu le %(date)s") % {
                "label": calendar_label(item.label),
                "date": item.due_date.strftime("%d/%m/%Y")}))
    if status.awaiting_validation:
        found.append(Attention("awaiting_validation",
                               _("Prescription en attente de validation")))
    if status.no_response_from is not None and status.no_response_from <= today:
        # From the date the engine gives (Advice.no_response_from); once its stop alert is
        # given (Advice.no_response_stop), that alert's words, stored with the status.
        detail = in_language(status.no_response_detail, status.no_response_detail_en) or _(
            "Toujours pas de réponse à 3 mois de traitement (%(date)s) : voir la conduite à "
            "tenir dans le dossier.") % {"date": status.no_response_from.strftime("%d/%m/%Y")}
        found.append(Attention("no_response", _("Pas de réponse à 3 mois"), "RESP-DELAY",
                               detail))
    return found
