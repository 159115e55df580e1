"""Substance and allergy tables, matched on free text in French or English.

Matching folds case and accents ('Rifampicine', 'rifampicin', 'RIFAMPICINE' alike). Stems of
six letters or more, and distinctive brand names (Vfend, Ketek), match inside words (so
'mycophenol' finds mycophenolate mofetil and mycophenolic acid, 'tildiem' Mono-Tildiem LP);
short abbreviations (AZA, MMF) must be whole words. A false match only adds
a warning a clinician can dismiss; a missed one could hide a contraindication.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CEREVANCE = "CEREVANCE 2021"
SMPC = "Rapamune SmPC (RCP), section 4.5"
# The French messages name the section by its title: "4.5" is a section number, not a decimal,
# and French text writes decimals with a comma.
SMPC_FR = "RCP du Rapamune, rubrique « Interactions avec d'autres médicaments »"


def fold(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[’`´]", "'", plain).split())


@dataclass(frozen=True)
class Substance:
    name_en: str
    name_fr: str
    stems: tuple[str, ...]  # folded substrings
    words: tuple[str, ...] = ()  # folded whole words (abbreviations, brands)
    effect: str = ""  # DDI: 'raises' | 'lowers' sirolimus concentrations
    mechanism: str = ""
    source: str = CEREVANCE
    source_fr: str = ""  # the source as the French messages cite it; empty: same as `source`
    strong: bool = False  # SMPC-STRONG-CYP3A: a strong CYP3A4/P-gp inhibitor or inducer

    def matches(self, folded: str) -> bool:
        return any(s in folded for s in self.stems) or any(
            re.search(rf"\b{re.escape(w)}\b", folded) for w in self.words
        )


def find(table: tuple[Substance, ...], texts: tuple[str, ...]) -> list[tuple[str, Substance]]:
    """(text as given, substance) for every entry of `table` that a text names."""
    found = []
    for text in texts:
        folded = fold(text)
        found += [(text, s) for s in table if s.matches(folded)]
    return found


# CI-HYPERSENSITIVITY: sirolimus itself named among the allergies.
SIROLIMUS = (Substance("sirolimus", "sirolimus", ("sirolimus", "rapamune", "rapamycin")),)

# CI-SOY-PEANUT, as CEREVANCE quotes it from VIDAL. Peanut oil is 'arachis oil' in
# pharmacopoeias; soy lecithin is a common excipient name.
SOY_PEANUT = (
    Substance("soy", "soja", ("soja", "soy", "lecithine de soja", "glycine max")),
    Substance(
        "peanut",
        "arachide",
        ("arachid", "arachis", "cacahuete", "cacahouete", "peanut", "groundnut"),
    ),
)

# NO-OTHER-IS: other immunosuppressants. The first three are the ones CEREVANCE names;
# the others share the class (ATC L04, calcineurin / mTOR / antimetabolite immunosuppressants).
# Corticosteroids are not in the list: the recommendation itself foresees their association
# (PCP-PROPHYLAXIS).
# Brand names are those sold in France (ANSM / BDPM), folded; each entry names its INN.
_L04 = "immunosuppressant class (ATC L04)"
_CICLOSPORIN = (
    "ciclosporin",
    "ciclosporine",
    ("ciclosporin", "cyclosporin", "neoral", "sandimmun"),
    ("csa",),
)
IMMUNOSUPPRESSANTS = (
    Substance("azathioprine", "azathioprine", ("azathioprin", "imurel", "imuran"), ("aza",)),
    Substance(
        "mycophenolate (mofetil, sodium, mycophenolic acid)",
        "mycophénolate (mofétil, sodique, acide mycophénolique)",
        ("mycophenol", "cellcept", "myfortic"),
        ("mmf", "mpa"),
    ),
    Substance(*_CICLOSPORIN),
    Substance(
        "tacrolimus", "tacrolimus", ("tacrolimus", "prograf", "advagraf", "envarsus"), source=_L04
    ),
    Substance("everolimus", "évérolimus", ("everolimus", "certican", "afinitor"), source=_L04),
    Substance("temsirolimus", "temsirolimus", ("temsirolimus",), source=_L04),
    Substance("methotrexate", "méthotrexate", ("methotrexat",), ("mtx",), source=_L04),
    Substance("cyclophosphamide", "cyclophosphamide", ("cyclophosphamid", "endoxan"), source=_L04),
    Substance(
        "mercaptopurine", "mercaptopurine", ("mercaptopurin", "purinethol"), ("6-mp",), source=_L04
    ),
    Substance("leflunomide", "léflunomide", ("leflunomid", "arava"), source=_L04),
)

_RAISES = "raises"
_LOWERS = "lowers"
_PGP_INHIBITOR = "P-gp inhibitor"
_CYP3A_PGP_INHIBITOR = "CYP3A and P-gp inhibitor"
_CYP3A_INDUCER = "CYP3A inducer"
_SMPC_AZOLE = f"{CEREVANCE} (azoles); {SMPC}"
_SMPC_AZOLE_FR = f"{CEREVANCE} (azolés) ; {SMPC_FR}"

# DDI-CYP3A-PGP. Sources: CEREVANCE names ciclosporin, the azoles, diltiazem and rifampicin;
# the other entries come from the Rapamune summary of product characteristics, section 4.5.
INTERACTIONS = (
    Substance(*_CICLOSPORIN, effect=_RAISES, mechanism=_CYP3A_PGP_INHIBITOR),
    *(
        Substance(
            en,
            fr,
            stems,
            effect=_RAISES,
            mechanism=_CYP3A_PGP_INHIBITOR,
            source=_SMPC_AZOLE,
            source_fr=_SMPC_AZOLE_FR,
            strong=strong,
        )
        for en, fr, stems, strong in (
            ("ketoconazole", "kétoconazole", ("ketoconazol", "nizoral"), True),
            ("itraconazole", "itraconazole", ("itraconazol", "sporanox"), True),
            ("voriconazole", "voriconazole", ("voriconazol", "vfend"), True),
            ("posaconazole", "posaconazole", ("posaconazol", "noxafil"), True),
            ("fluconazole", "fluconazole", ("fluconazol", "triflucan", "beagyne"), False),
            ("isavuconazole", "isavuconazole", ("isavuconazol", "cresemba"), False),
            ("clotrimazole", "clotrimazole", ("clotrimazol",), False),
            ("miconazole", "miconazole", ("miconazol", "daktarin", "loramyc"), False),
        )
    ),
    Substance(
        "diltiazem",
        "diltiazem",
        ("diltiazem", "tildiem", "deltazen"),
        effect=_RAISES,
        mechanism=_PGP_INHIBITOR,
    ),
    Substance(
        "rifampicin",
        "rifampicine",
        ("rifampicin", "rifampin", "rifadine", "rifinah", "rifater"),
        effect=_LOWERS,
        mechanism=_CYP3A_INDUCER,
        strong=True,
    ),
    *(
        Substance(
            en,
            fr,
            stems,
            effect=_RAISES,
            mechanism=_CYP3A_PGP_INHIBITOR,
            source=SMPC,
            source_fr=SMPC_FR,
            strong=strong,
        )
        for en, fr, stems, strong in (
            ("clarithromycin", "clarithromycine", ("clarithromycin", "zeclar", "naxy"), True),
            (
                "erythromycin",
                "érythromycine",
                ("erythromycin", "erythrocine", "egery", "abboticine"),
                False,
            ),
            ("telithromycin", "télithromycine", ("telithromycin", "ketek"), True),
            ("verapamil", "vérapamil", ("verapamil", "isoptine"), False),
            ("nicardipine", "nicardipine", ("nicardipin", "loxen"), False),
            ("ritonavir", "ritonavir", ("ritonavir", "norvir", "kaletra", "paxlovid"), False),
            ("cobicistat", "cobicistat", ("cobicistat", "tybost"), False),
            ("danazol", "danazol", ("danazol", "danatrol"), False),
            ("grapefruit juice", "jus de pamplemousse", ("grapefruit", "pamplemousse"), False),
        )
    ),
    *(
        Substance(
            en,
            fr,
            stems,
            effect=_LOWERS,
            mechanism=_CYP3A_INDUCER,
            source=SMPC,
            source_fr=SMPC_FR,
            strong=strong,
        )
        for en, fr, stems, strong in (
            ("rifabutin", "rifabutine", ("rifabutin", "ansatipine"), True),
            ("rifapentine", "rifapentine", ("rifapentin",), False),
            ("carbamazepine", "carbamazépine", ("carbamazepin", "tegretol"), False),
            ("phenytoin", "phénytoïne", ("phenytoin", "di-hydan", "dilantin"), False),
            ("phenobarbital", "phénobarbital", ("phenobarbital", "gardenal", "kaneuron"), False),
            (
                "St John's wort",
                "millepertuis",
                ("millepertuis", "john's wort", "johns wort", "hypericum"),
                False,
            ),
        )
    ),
)

# PCP-PROPHYLAXIS: systemic corticosteroids named among the co-medications (ATC H02AB), to
# check against `prolonged_corticosteroids`.
CORTICOSTEROIDS = tuple(
    Substance(en, fr, stems)
    for en, fr, stems in (
        ("prednisone", "prednisone", ("prednison", "cortancyl")),
        ("prednisolone", "prednisolone", ("prednisolon", "solupred")),
        ("methylprednisolone", "méthylprednisolone", ("methylprednisolon", "medrol", "solumedrol")),
        ("dexamethasone", "dexaméthasone", ("dexamethason", "dectancyl", "neodex")),
        ("betamethasone", "bétaméthasone", ("betamethason", "celestene")),
        ("hydrocortisone", "hydrocortisone", ("hydrocortison",)),
        ("a corticosteroid", "un corticoïde", ("corticoid", "corticosteroid", "cortisone")),
    )
)
