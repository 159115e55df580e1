"""The catalogue of CEREVANCE 2021 rules, one entry per ID of docs/protocol-rules.md.

Code cites rules only through `cite()`/`rule()`, which raise on an unknown ID, so a typo in a
rule ID fails loudly instead of showing a user a rule that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    section: str  # section of the CEREVANCE recommendation the rule comes from
    text_fr: str
    text_en: str


_SMPC = "RCP Rapamune® (hors recommandation)"  # rules from the SmPC, not from CEREVANCE


def _catalogue(*rules: Rule) -> dict[str, Rule]:
    return {r.id: r for r in rules}


RULES: dict[str, Rule] = _catalogue(
    # --- Indication and contraindications
    Rule(
        "ELIG-INDICATION",
        "Recommandations du CEREVANCE",
        "Seconde ligne pour un PTI persistant ou chronique confirmé, avec signes de gravité, "
        "après réactualisation de l'enquête étiologique. Hors indication si PTI nouvellement "
        "diagnostiqué (< 3 mois).",
        "Second line for confirmed persistent or chronic ITP with severity signs, after the "
        "aetiological work-up has been updated. Newly diagnosed ITP (< 3 months) is outside the "
        "indication.",
    ),
    Rule(
        "ELIG-GOOD-CANDIDATE",
        "Bons candidats",
        "Bons candidats : PTIC avec signes ALPS ou « ALPS-like », PTIC dans un contexte d'Evans "
        "ou d'autre manifestation auto-immune. Informatif.",
        "Good candidates: chronic ITP with ALPS or ALPS-like features, or within Evans syndrome "
        "or another autoimmune disease. Informative only.",
    ),
    Rule(
        "CI-HYPERSENSITIVITY",
        "Contre-indications",
        "Contre-indication : hypersensibilité au sirolimus.",
        "Contraindication: hypersensitivity to sirolimus.",
    ),
    Rule(
        "CI-SOY-PEANUT",
        "Contre-indications",
        "Contre-indication : allergie au soja ou à l'arachide.",
        "Contraindication: soy or peanut allergy.",
    ),
    Rule(
        "PRE-WORKUP",
        "Modalités d'utilisation — Bilan pré-thérapeutique",
        "Avant de débuter : NFS, bilan lipidique, tension artérielle.",
        "Before starting: complete blood count, lipid panel, blood pressure.",
    ),
    Rule(
        "NO-OTHER-IS",
        "Précautions",
        "Dans le PTIC, ne pas associer le sirolimus à un autre immunosuppresseur (azathioprine, "
        "MMF, ciclosporine…).",
        "In chronic ITP, never combine sirolimus with another immunosuppressant (azathioprine, "
        "mycophenolate mofetil, ciclosporin…).",
    ),
    Rule(
        "REG-OFF-LABEL",
        "Aspects réglementaires",
        "Hors AMM dans le PTI (AMM mars 2001 : prévention du rejet de greffe rénale chez "
        "l'adulte).",
        "Off-label in ITP (licensed March 2001 for prevention of renal-graft rejection in adults).",
    ),
    # --- Dosing
    Rule(
        "FORM-PRESENTATIONS",
        "Présentation",
        "Comprimés 0,5, 1 et 2 mg ; solution buvable 1 mg/ml. Une dose proposée doit être "
        "réalisable avec ces présentations.",
        "Tablets 0.5, 1 and 2 mg; oral solution 1 mg/ml. A proposed dose must be one these "
        "presentations can give.",
    ),
    Rule(
        "DOSE-START",
        "Posologie",
        "Débuter à 2 mg/m²/j, en une prise orale quotidienne.",
        "Start at 2 mg/m²/day, one oral dose a day.",
    ),
    Rule(
        "DOSE-RANGE",
        "Posologie",
        "Posologie de 2 à 2,5 mg/m²/j.",
        "Dose range 2 to 2.5 mg/m²/day.",
    ),
    Rule(
        "DOSE-CAP",
        "Posologie",
        "Jamais plus de 4 mg par jour (une prise par jour, donc 4 mg par prise au plus).",
        "Never more than 4 mg a day (one dose a day, so at most 4 mg per dose).",
    ),
    Rule(
        "DOSE-TIMING",
        "Posologie",
        "À prendre à heure fixe, toujours pendant ou toujours à distance des repas.",
        "Take at a fixed time, consistently with or away from meals.",
    ),
    Rule(
        "TDM-STEADY-STATE",
        "Suivi thérapeutique pharmacologique",
        "Dosage résiduel à l'équilibre : 7 jours après l'initiation et après toute modification, "
        "puis tous les 6 mois si le traitement est prolongé.",
        "Trough at steady state: 7 days after initiation and after any dose change, then every 6 "
        "months if treatment goes on.",
    ),
    Rule(
        "DOSE-NO-EARLY-INCREASE",
        "Suivi thérapeutique pharmacologique",
        "Ne pas augmenter la posologie initiale pendant les 3 premières semaines.",
        "Do not increase the initial dose during the first 3 weeks.",
    ),
    Rule(
        "TOX-SUSPEND",
        "Suivi thérapeutique pharmacologique",
        "T0 > 15 ng/ml : suspendre, contrôler à 48 h de l'arrêt, reprendre à la moitié de la dose.",
        "Trough > 15 ng/ml: suspend, check again 48 h after stopping, restart at half the dose.",
    ),
    Rule(
        "DOSE-INCREASE",
        "Suivi thérapeutique pharmacologique",
        "Sans réponse à 3 semaines et T0 < 4 ng/ml : augmentation possible à 2,5 mg/m²/j (4 mg "
        "au plus), T0 à 7 jours de chaque augmentation.",
        "No response at 3 weeks and trough < 4 ng/ml: the dose may go up to 2.5 mg/m²/day (4 mg "
        "at most), trough 7 days after each increase.",
    ),
    Rule(
        "TDM-NO-TARGET",
        "Suivi thérapeutique pharmacologique",
        "Pas de cible validée dans le PTI ; le T0 vérifie l'observance et évite la toxicité. "
        "Fourchette indicative ALPS 4–14 ng/ml. Un répondeur avec un T0 bas n'a pas besoin "
        "d'augmentation.",
        "No validated target in ITP; the trough checks adherence and avoids toxicity. Indicative "
        "ALPS range 4–14 ng/ml. A responder with a low trough needs no increase.",
    ),
    Rule(
        "DDI-CYP3A-PGP",
        "Précautions — interactions médicamenteuses",
        "Inhibiteurs du CYP3A (ciclosporine, azolés) ou de la P-gp (diltiazem) : concentrations "
        "augmentées ; inducteurs du CYP3A (rifampicine) : concentrations diminuées.",
        "CYP3A inhibitors (ciclosporin, azoles) and P-gp inhibitors (diltiazem) raise sirolimus "
        "levels; CYP3A inducers (rifampicin) lower them.",
    ),
    # --- Response and duration
    Rule(
        "RESP-DELAY",
        "Délai de réponse",
        "Réponse attendue en 4 semaines ; arrêt si inefficace à 3 mois après ajustement sur la PK.",
        "Response expected within 4 weeks; stop if still ineffective at 3 months after PK-guided "
        "adjustment.",
    ),
    Rule(
        "TAPER-LOWEST-DOSE",
        "Durée de traitement",
        "RC persistante à 2 mois : chercher la plus petite dose efficace, −0,5 mg par prise par "
        "paliers de 3 semaines tant que la réponse se maintient.",
        "Complete response persisting at 2 months: look for the lowest effective dose, −0.5 mg "
        "per dose every 3 weeks while the response holds.",
    ),
    Rule(
        "TAPER-AFTER-CR",
        "Durée de traitement",
        "Après 12 mois de RC persistante sous traitement à l'équilibre : diminution progressive "
        "en 6 à 12 mois, pour une durée totale d'environ 2 ans.",
        "After 12 months of persistent complete response on treatment at steady state: taper "
        "over 6 to 12 months, for about 2 years of treatment in all.",
    ),
    Rule(
        "TAPER-AFTER-PR",
        "Durée de traitement",
        "Après 12 mois de RP avec réponse jugée maximale malgré l'ajustement sur la PK : baisse "
        "progressive et arrêt en 3 mois.",
        "After 12 months of partial response judged maximal despite PK-guided dosing: taper and "
        "stop within 3 months.",
    ),
    # --- Monitoring
    Rule(
        "FOLLOW-VISITS",
        "Surveillance spécifique",
        "Consultations M1, M3, M6, M12 puis tous les 6 mois si le traitement est prolongé "
        "(relais par l'équipe adulte après la transition).",
        "Visits at M1, M3, M6, M12, then every 6 months while treatment goes on (adult team "
        "after transition).",
    ),
    Rule(
        "FOLLOW-COHORT",
        "Surveillance spécifique",
        "Enregistrer le patient dans la cohorte observationnelle OBS'CEREVANCE.",
        "Register the patient in the OBS'CEREVANCE observational cohort.",
    ),
    Rule(
        "FOLLOW-PHARMACOVIGILANCE",
        "Surveillance spécifique",
        "Déclarer les effets indésirables en pharmacovigilance.",
        "Report adverse effects to pharmacovigilance.",
    ),
    Rule(
        "AE-BP",
        "Surveillance des effets indésirables",
        "Tension artérielle à chaque consultation.",
        "Blood pressure at every visit.",
    ),
    Rule(
        "AE-APHTHAE",
        "Surveillance des effets indésirables",
        "Aphtes très fréquents, imposant parfois l'arrêt : hygiène buccale stricte, bains de "
        "bouche.",
        "Mouth ulcers are very frequent and sometimes force a stop: strict oral hygiene, "
        "mouthwashes.",
    ),
    Rule(
        "AE-DIGESTIVE",
        "Surveillance des effets indésirables",
        "Troubles du transit fréquents (diarrhée, douleurs abdominales).",
        "Frequent bowel upsets (diarrhoea, abdominal pain).",
    ),
    Rule(
        "AE-INFECTION",
        "Surveillance des effets indésirables",
        "Infections rares en monothérapie ; fièvre = consultation en urgence (documentation "
        "microbiologique, traitement probabiliste).",
        "Infections are rare in monotherapy; fever means an urgent consultation (microbiology, "
        "empirical treatment).",
    ),
    Rule(
        "AE-RARE",
        "Surveillance des effets indésirables",
        "Angio-œdèmes, épanchements péricardiques : rares, régressent à l'arrêt. Cytopénies rares.",
        "Angio-oedema, pericardial effusion: rare, regress on stopping. Cytopenias: rare.",
    ),
    Rule(
        "AE-LIPIDS",
        "Surveillance des effets indésirables",
        "Cholestérol et triglycérides à M1, M3, M6, M12 puis annuellement.",
        "Cholesterol and triglycerides at M1, M3, M6, M12, then yearly.",
    ),
    Rule(
        "AE-TROUGH",
        "Surveillance des effets indésirables",
        "Doser le T0 en cas d'effet indésirable pour documenter la relation "
        "concentration/toxicité.",
        "Measure a trough on any adverse effect to document concentration and toxicity.",
    ),
    Rule(
        "VZV-EXPOSURE",
        "Précautions — VZV",
        "Patient non immun exposé au VZV : immunisation passive par Ig anti-VZV.",
        "Non-immune patient exposed to VZV: passive immunisation with anti-VZV immunoglobulin.",
    ),
    Rule(
        "VZV-INFECTION",
        "Précautions — VZV",
        "Infection à VZV : traitement antiviral.",
        "VZV infection: antiviral treatment.",
    ),
    Rule(
        "VZV-SIBLINGS",
        "Précautions — VZV",
        "Proposer la vaccination anti-varicelle à la fratrie (Varilrix®).",
        "Offer varicella vaccination (Varilrix®) to siblings.",
    ),
    Rule(
        "PCP-PROPHYLAXIS",
        "Précautions — pneumocystose",
        "Prophylaxie par sulfaméthoxazole-triméthoprime : inutile en monothérapie, indispensable "
        "si corticothérapie prolongée associée, à discuter si déficit immunitaire sous-jacent.",
        "Sulfamethoxazole-trimethoprim prophylaxis: useless in monotherapy, indispensable with "
        "prolonged corticosteroids, to discuss with an underlying immune deficiency.",
    ),
    Rule(
        "VACC-LIVE",
        "Vaccinations",
        "Vaccins vivants contre-indiqués ; vaccins non vivants au cas par cas.",
        "Live vaccines contraindicated; non-live vaccines case by case.",
    ),
    # --- From the Rapamune® SmPC (information only, never a CEREVANCE decision)
    Rule(
        "SMPC-ADMIN",
        _SMPC,
        "Solution buvable : mesurer avec la seringue pour administration orale, diluer dans au "
        "moins 60 ml d'eau ou de jus d'orange dans un verre ou un gobelet en plastique, remuer, "
        "boire aussitôt, rincer avec au moins 120 ml et boire. Jamais de jus de pamplemousse (ni "
        "de pamplemousse). Comprimés : avalés entiers, jamais écrasés, mâchés ni coupés.",
        "Oral solution: measure with the oral syringe, dilute in at least 60 ml of water or "
        "orange juice in a glass or plastic cup, stir, drink at once, rinse the cup with at least "
        "120 ml more and drink it. Never grapefruit juice (nor grapefruit). Tablets: swallowed "
        "whole, never crushed, chewed or split.",
    ),
    Rule(
        "SMPC-STORAGE",
        _SMPC,
        "Solution buvable : conserver entre 2 et 8 °C dans le flacon d'origine, à l'abri de la "
        "lumière ; après ouverture, à utiliser dans les 30 jours (flacon de 60 ml). Un léger "
        "trouble au réfrigérateur disparaît à température ambiante.",
        "Oral solution: store at 2–8 °C in the original bottle, protected from light; once "
        "opened, use within 30 days (a 60 ml bottle). A slight haze on refrigeration disappears "
        "at room temperature.",
    ),
    Rule(
        "SMPC-PREGNANCY",
        _SMPC,
        "Adolescente en âge de procréer : contraception efficace pendant le traitement et 12 "
        "semaines après l'arrêt ; pas d'allaitement.",
        "Adolescent girls of childbearing potential: effective contraception during treatment "
        "and for 12 weeks after stopping; no breastfeeding.",
    ),
    Rule(
        "SMPC-WOUND",
        _SMPC,
        "Cicatrisation altérée ou retardée : programmer toute chirurgie avec l'hématologue.",
        "Impaired or delayed wound healing: plan surgery with the haematologist.",
    ),
    Rule(
        "SMPC-HEPATIC",
        _SMPC,
        "Insuffisance hépatique : surveiller plus étroitement les résiduels ; la dose d'entretien "
        "peut devoir être réduite.",
        "Hepatic impairment: trough levels monitored more closely; the maintenance dose may need "
        "reducing.",
    ),
    Rule(
        "SMPC-STRONG-CYP3A",
        _SMPC,
        "Inhibiteurs puissants du CYP3A4/de la P-gp (kétoconazole, voriconazole, itraconazole, "
        "posaconazole, clarithromycine, télithromycine) et inducteurs puissants (rifampicine, "
        "rifabutine) déconseillés avec le sirolimus ; si inévitables, résiduel 7 jours après "
        "leur introduction ou leur arrêt et ajustement.",
        "Strong CYP3A4/P-gp inhibitors (ketoconazole, voriconazole, itraconazole, posaconazole, "
        "clarithromycin, telithromycin) and strong inducers (rifampicin, rifabutin) are not "
        "recommended with sirolimus; if unavoidable, trough 7 days after starting or stopping "
        "them and adjust.",
    ),
    Rule(
        "COST-MONTHLY",
        "Coût",
        "Environ 220 € par mois pour un enfant de 1 m² (30 kg) sous solution buvable (flacon de "
        "60 ml à 1 mg/ml).",
        "About 220 € a month for a 1 m² (30 kg) child on the oral solution (60 ml bottle, 1 "
        "mg/ml).",
    ),
)


class UnknownRuleError(KeyError):
    """A rule ID that is not in the catalogue: a programming error, never user input."""


def rule(rule_id: str) -> Rule:
    try:
        return RULES[rule_id]
    except KeyError:
        raise UnknownRuleError(f"unknown protocol rule {rule_id!r}") from None


def cite(*rule_ids: str) -> tuple[str, ...]:
    """The IDs, each checked against the catalogue, in the order given, without repeats."""
    for rule_id in rule_ids:
        rule(rule_id)
    return tuple(dict.fromkeys(rule_ids))
