"""Alerts: what the prescriber must see, each under the rule it comes from."""

from __future__ import annotations

from dataclasses import dataclass

from .course import Course, Patient
from .eligibility import BLOCKING, MISSING, Check
from .rules import rule
from .substances import INTERACTIONS, find
from .text import date_en, date_fr

INFO, WARNING, CRITICAL = "info", "warning", "critical"
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


def interactions(patient: Patient) -> list[Alert]:
    alerts = []
    for text, s in find(INTERACTIONS, patient.comedications):
        effect_en, risk_en, effect_fr, risk_fr = _EFFECT[s.effect]
        alerts.append(
            Alert(
                "DDI-CYP3A-PGP",
                WARNING,
                f"'{text}' ({s.name_en}, {s.mechanism}) {effect_en} sirolimus concentrations "
                f"({risk_en} risk): check a trough 7 days after starting or stopping it. Source: "
                f"{s.source}.",
                f"« {text} » ({s.name_fr}, {_MECHANISM_FR[s.mechanism]}) {effect_fr} les "
                f"concentrations de sirolimus (risque {risk_fr}) : contrôler le résiduel 7 jours "
                f"après son introduction ou son arrêt. Source : {s.source_fr or s.source}.",
            )
        )
    return alerts


_EFFECT = {
    "raises": ("raises", "toxicity", "augmente", "de toxicité"),
    "lowers": ("lowers", "loss of efficacy", "diminue", "d'inefficacité"),
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
