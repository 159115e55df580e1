"""Alerts: what the prescriber must see, each under the rule it comes from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .course import Course, Patient
from .dates import whole_months
from .dosing import SOLUTION, TABLETS
from .eligibility import BLOCKING, MISSING, Check
from .rules import rule
from .substances import CORTICOSTEROIDS, INTERACTIONS, find
from .text import date_en, date_fr

INFO, WARNING, CRITICAL = "info", "warning", "critical"
STOPPED_RECENTLY = timedelta(days=14)  # a stopped interacting drug is still said this long
CHILDBEARING_FROM_YEARS = 12  # SMPC-PREGNANCY: girls from 12 (menarche not recorded)
ADULT_TEAM_FROM_YEARS = 16  # FOLLOW-VISITS: hand-over to the adult team
SEVERITIES = (CRITICAL, WARNING, INFO)  # display order


@dataclass(frozen=True)
class Alert:
    rule: str
    severity: str
    message_en: str
    message_fr: str

    def __post_init__(self):
        rule(self.rule)
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message_en,
            "message_fr": self.message_fr,
        }


def from_checks(checks: list[Check]) -> list[Alert]:
    """Blocking checks are critical; missing information is a warning; ELIG-GOOD-CANDIDATE
    is shown as information."""
    alerts = []
    for check in checks:
        if check.status == BLOCKING:
            alerts.append(Alert(check.rule, CRITICAL, check.message_en, check.message_fr))
        elif check.status == MISSING:
            alerts.append(Alert(check.rule, WARNING, check.message_en, check.message_fr))
        elif check.rule == "ELIG-GOOD-CANDIDATE":
            alerts.append(Alert(check.rule, INFO, check.message_en, check.message_fr))
    return alerts


def off_label() -> Alert:
    return Alert(
        "REG-OFF-LABEL",
        INFO,
        "Off-label use: sirolimus is licensed (March 2001) only for the prevention of "
        "renal-graft rejection in adults; say so in the prescription and to the family.",
        "Prescription hors AMM : le sirolimus n'a d'AMM (mars 2001) que pour la prévention du "
        "rejet de greffe rénale chez l'adulte ; le mentionner sur l'ordonnance et l'expliquer à "
        "la famille.",
    )


def interactions(course: Course) -> list[Alert]:
    """DDI-CYP3A-PGP for each interacting drug taken today or stopped in the last 14 days (its
    trough 7 days after the stop may still be ahead), with SMPC-STRONG-CYP3A for strong ones."""
    today, alerts = course.today, []
    for entry in course.patient.comedication_history:
        stopped = entry.end is not None and entry.end < today
        if stopped and entry.end < today - STOPPED_RECENTLY:
            continue
        if not stopped and not entry.taken_on(today):
            continue
        for text, s in find(INTERACTIONS, (entry.name,)):
            alerts += _interaction(entry, text, s, stopped)
    return alerts


def _interaction(entry, text: str, s, stopped: bool) -> list[Alert]:
    effect_en, risk_en, effect_fr, risk_fr = _EFFECT[s.effect]
    when_en, when_fr = _dated(entry)
    what_en = f"{effect_en} sirolimus concentrations ({risk_en} risk)"
    what_fr = f"{effect_fr} les concentrations de sirolimus (risque {risk_fr})"
    if stopped:
        change_en, risk_en, change_fr, risk_fr = _STOPPED[s.effect]
        what_en = f"{effect_en} sirolimus concentrations: {change_en} ({risk_en} risk)"
        what_fr = f"{effect_fr} les concentrations de sirolimus : {change_fr} (risque {risk_fr})"
    alerts = [
        Alert(
            "DDI-CYP3A-PGP",
            WARNING,
            f"'{text}'{when_en} ({s.name_en}, {s.mechanism}) {what_en}: check a trough 7 days "
            f"after starting or stopping it. Source: {s.source}.",
            f"« {text} »{when_fr} ({s.name_fr}, {_MECHANISM_FR[s.mechanism]}) {what_fr} : "
            "contrôler le résiduel 7 jours après son introduction ou son arrêt. Source : "
            f"{s.source_fr or s.source}.",
        )
    ]
    if s.strong:
        kind_en, kind_fr = (
            ("inducer", "inducteur") if s.effect == "lowers" else ("inhibitor", "inhibiteur")
        )
        alerts.append(
            Alert(
                "SMPC-STRONG-CYP3A",
                WARNING,
                f"'{text}' ({s.name_en}) is a strong CYP3A4/P-gp {kind_en}: not recommended with "
                "sirolimus; if unavoidable, trough 7 days after starting or stopping it and "
                "adjust the dose (Rapamune SmPC).",
                f"« {text} » ({s.name_fr}) est un {kind_fr} puissant du CYP3A4/de la P-gp : "
                "association déconseillée ; si elle est inévitable, résiduel 7 jours après "
                "l'introduction ou l'arrêt et ajustement de la dose (RCP du Rapamune).",
            )
        )
    return alerts


def _dated(entry) -> tuple[str, str]:
    """' (from 2026-01-05 to 2026-01-19)' and its French, or empty for an undated entry."""
    en, fr = [], []
    if entry.start:
        en.append(f"from {date_en(entry.start)}")
        fr.append(f"depuis le {date_fr(entry.start)}")
    if entry.end:
        en.append(f"stopped on {date_en(entry.end)}")
        fr.append(f"arrêt le {date_fr(entry.end)}")
    return (f" ({', '.join(en)})", f" ({', '.join(fr)})") if en else ("", "")


_EFFECT = {
    "raises": ("raises", "toxicity", "augmente", "de toxicité"),
    "lowers": ("lowers", "loss of efficacy", "diminue", "d'inefficacité"),
}
_STOPPED = {
    "raises": (
        "stopping it lets them fall",
        "loss of efficacy",
        "son arrêt les fait baisser",
        "d'inefficacité",
    ),
    "lowers": (
        "stopping it lets them rise",
        "toxicity",
        "son arrêt les fait remonter",
        "de toxicité",
    ),
}
_MECHANISM_FR = {
    "P-gp inhibitor": "inhibiteur de la P-gp",
    "CYP3A and P-gp inhibitor": "inhibiteur du CYP3A et de la P-gp",
    "CYP3A inducer": "inducteur du CYP3A",
}


def treatment_safety(patient: Patient) -> list[Alert]:
    """Standing advice while sirolimus is planned or taken."""
    alerts = [
        Alert(
            "AE-INFECTION",
            INFO,
            "Infections are rare in monotherapy, but any fever needs an urgent consultation "
            "(microbiological work-up, empirical treatment).",
            "Infections rares en monothérapie, mais toute fièvre impose une consultation en "
            "urgence (documentation microbiologique, traitement probabiliste adapté).",
        ),
        Alert(
            "VACC-LIVE",
            WARNING,
            "Live vaccines are contraindicated; non-live vaccines case by case (CEREVANCE "
            "vaccination recommendations, May 2020).",
            "Vaccins vivants contre-indiqués ; vaccins non vivants au cas par cas "
            "(recommandations vaccinales CEREVANCE, mai 2020).",
        ),
        _pcp(patient),
    ]
    if patient.vzv_immune is not True:
        unknown_en = (
            " (VZV immunity not stated: check the serology)" if patient.vzv_immune is None else ""
        )
        unknown_fr = (
            " (statut VZV non renseigné : contrôler la sérologie)"
            if patient.vzv_immune is None
            else ""
        )
        alerts += [
            Alert(
                "VZV-EXPOSURE",
                WARNING,
                f"Not immune to VZV{unknown_en}: after any chickenpox or shingles contact, "
                "passive immunisation with anti-VZV immunoglobulin.",
                f"Non immunisé contre le VZV{unknown_fr} : en cas de contage varicelle ou zona, "
                "immunisation passive par immunoglobulines anti-VZV.",
            ),
            Alert(
                "VZV-INFECTION",
                WARNING,
                "VZV infection (chickenpox, shingles): antiviral treatment.",
                "Infection à VZV (varicelle, zona) : traitement antiviral.",
            ),
            Alert(
                "VZV-SIBLINGS",
                INFO,
                "Offer varicella vaccination (Varilrix®) to the siblings.",
                "Proposer la vaccination anti-varicelle (Varilrix®) à la fratrie.",
            ),
        ]
    if patient.obs_cerevance_registered is not True:
        alerts.append(
            Alert(
                "FOLLOW-COHORT",
                INFO,
                "Register the patient in the OBS'CEREVANCE observational cohort.",
                "Enregistrer le patient dans la cohorte observationnelle OBS'CEREVANCE.",
            )
        )
    return alerts


def _pcp(patient: Patient) -> Alert:
    if patient.prolonged_corticosteroids:
        extra = (
            " (an underlying immune deficiency is also recorded)",
            " (un déficit immunitaire sous-jacent est aussi renseigné)",
        )
        en, fr = extra if patient.immunodeficiency else ("", "")
        return Alert(
            "PCP-PROPHYLAXIS",
            WARNING,
            "Pneumocystis prophylaxis (sulfamethoxazole-trimethoprim) is indispensable with "
            f"prolonged corticosteroids{en}.",
            "Prophylaxie de la pneumocystose (sulfaméthoxazole-triméthoprime) indispensable en "
            f"cas de corticothérapie prolongée associée{fr}.",
        )
    steroids = find(CORTICOSTEROIDS, patient.comedications)
    if steroids:
        text, steroid = steroids[0]
        return Alert(
            "PCP-PROPHYLAXIS",
            WARNING,
            f"'{text}' ({steroid.name_en}) is among the co-medications, but prolonged "
            "corticosteroids are not recorded: check; Pneumocystis prophylaxis "
            "(sulfamethoxazole-trimethoprim) is indispensable with prolonged corticosteroids.",
            f"« {text} » ({steroid.name_fr}) figure parmi les traitements associés, mais aucune "
            "corticothérapie prolongée n'est renseignée : vérifier ; la prophylaxie de la "
            "pneumocystose (sulfaméthoxazole-triméthoprime) est indispensable en cas de "
            "corticothérapie prolongée.",
        )
    if patient.immunodeficiency:
        return Alert(
            "PCP-PROPHYLAXIS",
            WARNING,
            "Pneumocystis prophylaxis (sulfamethoxazole-trimethoprim) to discuss: underlying "
            "immune deficiency.",
            "Prophylaxie de la pneumocystose (sulfaméthoxazole-triméthoprime) à discuter : "
            "déficit immunitaire sous-jacent.",
        )
    return Alert(
        "PCP-PROPHYLAXIS",
        INFO,
        "Pneumocystis prophylaxis is useless in monotherapy (indispensable only with prolonged "
        "corticosteroids, to discuss with an immune deficiency).",
        "Prophylaxie de la pneumocystose inutile en monothérapie (indispensable si "
        "corticothérapie prolongée, à discuter si déficit immunitaire).",
    )


def age_years(birth: date, today: date) -> int:
    return whole_months(birth, today) // 12


def reminders(course: Course, forms: set[str]) -> list[Alert]:
    """SmPC information while sirolimus is planned or taken (`forms`: the presentations
    proposed), and the hand-over to the adult team from 16 years."""
    p = course.patient
    alerts = []
    if SOLUTION in forms:
        alerts += [
            Alert(
                "SMPC-ADMIN",
                INFO,
                "Oral solution: measure with the oral syringe, dilute in at least 60 ml of water "
                "or orange juice (glass or plastic cup), stir, drink at once, rinse the cup with "
                "at least 120 ml more and drink it; never grapefruit juice.",
                "Solution buvable : mesurer avec la seringue orale, diluer dans au moins 60 ml "
                "d'eau ou de jus d'orange (verre ou gobelet en plastique), remuer, boire aussitôt, "
                "rincer avec au moins 120 ml et les boire ; jamais de jus de pamplemousse.",
            ),
            Alert(
                "SMPC-STORAGE",
                INFO,
                "Oral solution: store at 2–8 °C in the original bottle, away from light; once "
                "opened, use within 30 days. A slight haze from the fridge clears at room "
                "temperature.",
                "Solution buvable : conserver entre 2 et 8 °C dans le flacon d'origine, à l'abri "
                "de la lumière ; après ouverture, utiliser dans les 30 jours. Un léger trouble dû "
                "au réfrigérateur disparaît à température ambiante.",
            ),
        ]
    if TABLETS in forms:
        alerts.append(
            Alert(
                "SMPC-ADMIN",
                INFO,
                "Tablets: swallowed whole, never crushed, chewed or split; never with grapefruit "
                "juice.",
                "Comprimés : avalés entiers, jamais écrasés, mâchés ni coupés ; jamais avec du jus "
                "de pamplemousse.",
            )
        )
    age = age_years(p.birth_date, course.today)
    if p.sex == "F" and age >= CHILDBEARING_FROM_YEARS:
        alerts.append(
            Alert(
                "SMPC-PREGNANCY",
                INFO,
                f"Girl of {age}: if of childbearing potential, effective contraception during "
                "treatment and for 12 weeks after stopping; no breastfeeding.",
                f"Adolescente de {age} ans : si elle est en âge de procréer, contraception "
                "efficace pendant le traitement et 12 semaines après l'arrêt ; pas d'allaitement.",
            )
        )
    alerts.append(
        Alert(
            "SMPC-WOUND",
            INFO,
            "Wound healing may be impaired or delayed: plan any surgery with the haematologist.",
            "Cicatrisation possiblement altérée ou retardée : programmer toute chirurgie avec "
            "l'hématologue.",
        )
    )
    if p.hepatic_impairment:
        alerts.append(
            Alert(
                "SMPC-HEPATIC",
                INFO,
                "Hepatic impairment recorded: monitor troughs more closely; the maintenance dose "
                "may need reducing.",
                "Insuffisance hépatique renseignée : surveiller plus étroitement les résiduels ; "
                "la dose d'entretien peut devoir être réduite.",
            )
        )
    if age >= ADULT_TEAM_FROM_YEARS:
        alerts.append(
            Alert(
                "FOLLOW-VISITS",
                INFO,
                f"{age} years old: prepare the hand-over of the follow-up to the adult team "
                "(transition).",
                f"{age} ans : préparer le relais du suivi par l'équipe adulte (transition).",
            )
        )
    return alerts


# Adverse-event kind → (rule, severity, English, French)
_EVENT_ADVICE = {
    "aphthae": (
        "AE-APHTHAE",
        WARNING,
        "mouth ulcers: strict oral hygiene and mouthwashes; they sometimes force a stop",
        "aphtes : hygiène buccale stricte et bains de bouche ; ils imposent parfois l'arrêt",
    ),
    "digestive": (
        "AE-DIGESTIVE",
        INFO,
        "bowel upset (diarrhoea, abdominal pain): frequent with sirolimus",
        "troubles du transit (diarrhée, douleurs abdominales) : fréquents sous sirolimus",
    ),
    "infection": (
        "AE-INFECTION",
        WARNING,
        "infection: rare in monotherapy; fever needs an urgent consultation",
        "infection : rare en monothérapie ; une fièvre impose une consultation en urgence",
    ),
    "fever": (
        "AE-INFECTION",
        WARNING,
        "fever: urgent consultation (microbiological work-up, empirical treatment)",
        "fièvre : consultation en urgence (documentation microbiologique, traitement probabiliste)",
    ),
    "angioedema": (
        "AE-RARE",
        WARNING,
        "angio-oedema: rare, regresses on stopping",
        "angio-œdème : rare, régresse à l'arrêt",
    ),
    "pericardial_effusion": (
        "AE-RARE",
        WARNING,
        "pericardial effusion: rare, regresses on stopping",
        "épanchement péricardique : rare, régresse à l'arrêt",
    ),
    "cytopenia": (
        "AE-RARE",
        WARNING,
        "cytopenia (leucopenia, anaemia, thrombocytopenia): rare",
        "cytopénie (leucopénie, anémie, thrombopénie) : rare",
    ),
    "hypertension": (
        "AE-BP",
        WARNING,
        "high blood pressure: monitor it at every visit",
        "hypertension artérielle : à surveiller à chaque consultation",
    ),
    "dyslipidaemia": (
        "AE-LIPIDS",
        WARNING,
        "lipid disorder: cholesterol and triglycerides at M1, M3, M6, M12, then yearly",
        "troubles lipidiques : cholestérol et triglycérides à M1, M3, M6, M12 puis annuellement",
    ),
}

# The adverse-event kinds of the input, as the French messages name them.
_EVENT_KIND_FR = {
    "aphthae": "aphtes",
    "digestive": "troubles digestifs",
    "infection": "infection",
    "fever": "fièvre",
    "angioedema": "angio-œdème",
    "pericardial_effusion": "épanchement péricardique",
    "cytopenia": "cytopénie",
    "hypertension": "hypertension artérielle",
    "dyslipidaemia": "troubles lipidiques",
    "other": "autre",
}


def adverse_events(course: Course) -> list[Alert]:
    """Advice on each recorded adverse event, its pharmacovigilance declaration, and the trough
    that documents the concentration at the time."""
    alerts = []
    for event in course.adverse_events:
        when_en, when_fr = date_en(event.date), date_fr(event.date)
        kind_fr = _EVENT_KIND_FR[event.kind]
        if event.kind in _EVENT_ADVICE:
            rule_id, severity, en, fr = _EVENT_ADVICE[event.kind]
            alerts.append(Alert(rule_id, severity, f"{when_en}: {en}.", f"{when_fr} : {fr}."))
        if event.declared is None:
            alerts.append(
                Alert(
                    "FOLLOW-PHARMACOVIGILANCE",
                    WARNING,
                    f"Adverse event of {when_en} ({event.kind}) not yet declared to "
                    "pharmacovigilance.",
                    f"Effet indésirable du {when_fr} ({kind_fr}) non encore déclaré en "
                    "pharmacovigilance.",
                )
            )
        if not any(t.date >= event.date for t in course.troughs):
            alerts.append(
                Alert(
                    "AE-TROUGH",
                    WARNING,
                    f"No trough since the adverse event of {when_en}: measure one to document "
                    "concentration and toxicity.",
                    f"Pas de résiduel depuis l'effet indésirable du {when_fr} : en doser un pour "
                    "documenter la relation concentration/toxicité.",
                )
            )
    return alerts


def ordered(alerts: list[Alert]) -> tuple[Alert, ...]:
    """Most severe first, without repeats."""
    unique = list(dict.fromkeys(alerts))
    return tuple(sorted(unique, key=lambda a: SEVERITIES.index(a.severity)))
