"""The English interface: a complete, compiled catalogue whose placeholders survive translation,
and the main pages of every role rendered in English once the switch at the foot of the page
says so (engine texts included)."""

import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from sirolimus_app.templatetags.i18n_extras import localized
from tests.web.test_workflow_data import eligible_patient, on_treatment, proposal

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{\s*\w+\s*\}\}|</?[a-z]+>")
FRENCH_NAVIGATION = ("Accueil", "Se déconnecter", "Soins à faire")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False


def _unquote(line: str) -> str:
    text = line[line.index('"') + 1:line.rindex('"')]
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


def parse_po(path: Path) -> list[Entry]:
    """Blocks of msgctxt/msgid/msgid_plural/msgstr[n] separated by blank lines; obsolete (#~)
    entries are skipped. Enough for the catalogue makemessages writes."""
    entries, entry, target = [], Entry(), None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if target is not None:
                entries.append(entry)
            entry, target = Entry(), None
        elif line.startswith("#,"):
            entry.fuzzy = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += _unquote(line)
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + _unquote(line))
        else:
            keyword = line.split(" ", 1)[0]
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                target = ("msgstr", index)
                entry.msgstr[index] = _unquote(line)
            else:
                target = (keyword, None)
                setattr(entry, keyword, _unquote(line))
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(CATALOGUE / "django.po")


def _label(entry: Entry) -> str:
    return f"{entry.msgctxt + ' | ' if entry.msgctxt else ''}{entry.msgid!r}"


def test_the_parser_reads_plurals_contexts_and_continued_lines(tmp_path):
    po = tmp_path / "x.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
                  '#, fuzzy, python-format\nmsgctxt "c"\nmsgid ""\n"a «b» "\n"%(n)s"\n'
                  'msgstr "A \\"B\\" %(n)s"\n\n'
                  'msgid "un"\nmsgid_plural "des"\nmsgstr[0] "one"\nmsgstr[1] ""\n\n'
                  '#~ msgid "old"\n#~ msgstr "old"\n', encoding="utf-8")
    header, single, plural = parse_po(po)
    assert header.msgstr[0] == "Language: en\n"
    assert (single.msgctxt, single.msgid, single.msgstr, single.fuzzy) == (
        "c", "a «b» %(n)s", {0: 'A "B" %(n)s'}, True)
    assert (plural.msgid_plural, plural.msgstr) == ("des", {0: "one", 1: ""})


def test_the_catalogue_is_complete_and_has_no_fuzzy_entry(entries):
    header, *messages = entries
    assert header.msgid == "" and not header.fuzzy
    assert "Language: en" in header.msgstr[0]
    assert len(messages) > 700  # the whole interface, not a stub
    untranslated = [_label(e) for e in messages
                    if not all(e.msgstr.get(i, "").strip()
                               for i in ((0, 1) if e.msgid_plural else (0,)))]
    assert untranslated == []
    assert [_label(e) for e in messages if e.fuzzy] == []


def test_every_placeholder_and_tag_survives_translation(entries):
    wrong = []
    for entry in entries[1:]:
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        for index, source in enumerate(sources):
            expected = Counter(PLACEHOLDER.findall(source))
            found = Counter(PLACEHOLDER.findall(entry.msgstr.get(index, "")))
            if expected != found:
                wrong.append((_label(entry), index, dict(expected), dict(found)))
    assert wrong == []


def test_the_compiled_catalogue_matches_the_po(entries):
    """The .mo is committed (fresh machines have no gettext): it must be the .po's compilation."""
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for entry in entries[1:]:
        if entry.msgid_plural:
            got = [compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                   if entry.msgctxt else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                   for n in (1, 2)]
            want = [entry.msgstr[0], entry.msgstr[1]]
        else:
            got = [compiled.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt
                   else compiled.gettext(entry.msgid)]
            want = [entry.msgstr[0]]
        if got != want:
            stale.append(_label(entry))
    assert stale == []


def test_clinical_terms_are_the_agreed_ones(entries):
    by_id = {(e.msgctxt, e.msgid): e.msgstr[0] for e in entries[1:]}
    assert by_id[(None, "Taux résiduel")] == "Trough level"
    assert by_id[(None, "NFS")] == "CBC"
    assert by_id[(None, "Bilan lipidique")] == "Lipid panel"
    assert by_id[(None, "Phase du PTI")] == "ITP phase"
    assert by_id[(None, "Prélever juste avant la prise du matin")] == \
        "Sample just before the morning dose"
    assert by_id[(None, "Hématologue")] == "Haematologist"
    assert by_id[(None, "Infirmier·ère")] == "Nurse"
    assert by_id[(None, "Pharmacien·ne")] == "Pharmacist"
    assert by_id[(None, "mg/m²/j")] == "mg/m²/day"
    assert "off-label" in by_id[(None, "Ordonnance hors AMM")].lower()
    assert "marketing authorisation" in by_id[
        (None, "Prescription hors autorisation de mise sur le marché (AMM)")]


# --- the `localized` filter -------------------------------------------------------------

def test_localized_gives_the_engine_text_of_the_active_language():
    alert = {"message": "Off-label use", "message_fr": "Utilisation hors AMM"}
    working = {"basis": "2 mg/m²/day × 1.04 m²", "basis_fr": "2 mg/m²/j × 1,04 m²"}
    with translation.override("fr"):
        assert (localized(alert), localized(working, "basis")) == (
            "Utilisation hors AMM", "2 mg/m²/j × 1,04 m²")
    with translation.override("en"):
        assert (localized(alert, "message"), localized(working, "basis")) == (
            "Off-label use", "2 mg/m²/day × 1.04 m²")
        assert localized(None, "rounding") == ""


# --- pages in English -------------------------------------------------------------------

def _in_english(client, user=None):
    if user is not None:
        client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    text = response.content.decode()
    assert '<html lang="en">' in text
    for word in FRENCH_NAVIGATION:
        assert word not in text, word
    return text


def test_the_interface_is_french_until_the_switch(client, haematologist):
    client.force_login(haematologist)
    french = client.get(reverse("home")).content.decode()
    assert '<html lang="fr">' in french and "Accueil" in french and "Se déconnecter" in french

    text = _page(_in_english(client), reverse("home"))
    assert "Hello Claire Martin" in text and "Log out" in text and "Haematologist" in text


def test_login_page_in_english(client):
    """The switch at the foot of the login page works before logging in."""
    text = _page(_in_english(client), reverse("login"))
    assert "<h1 class=\"h3 my-4\">Log in</h1>" in text
    assert "Connexion" not in text and "Se connecter" not in text


@pytest.mark.parametrize("role, heading, french, status", [
    ("haematologist", "Patients needing attention", "Patients nécessitant une attention", 200),
    ("nurse", "Care due", "Soins à faire", 200),
    ("pharmacist", "Prescriptions to validate", "Prescriptions à valider", 200),
    ("outsider", "No clinical role", "Aucun rôle clinique", 403),
])
def test_home_in_english_for_each_role(client, cast, role, heading, french, status):
    text = _page(_in_english(client, cast[role]), reverse("home"), status)
    assert heading in text and french not in text
    assert "off-label use in childhood ITP" in text  # the footer of every page


def test_patient_list_in_english(client, haematologist):
    eligible_patient(haematologist, "IPP-EN-1")
    text = _page(_in_english(client, haematologist), reverse("patient_list"))
    assert "New patient" in text and "Surname, first name or hospital number" in text
    assert "DUPONT" in text and "Nouveau patient" not in text


def test_patient_page_in_english_with_the_engine_texts_in_english(client, haematologist):
    patient = eligible_patient(haematologist, "IPP-EN-2")
    text = _page(_in_english(client, haematologist),
                 reverse("patient_detail", args=[patient.pk]))
    assert "Proposed course of action and options" in text
    assert "Complete history: prescriptions, counts, visits and changes" in text
    assert "Chronic ITP" in text or "chronic" in text.lower()
    assert "Conduite proposée" not in text and "Derniers taux résiduels" not in text
    # REG-OFF-LABEL, as the engine writes it in each language.
    assert "Off-label use" in text and "hors AMM dans le PTI de l'enfant (AMM" not in text


def test_pharmacy_worklist_in_english_with_the_working_in_english(client, haematologist,
                                                                   pharmacist):
    proposal(haematologist, eligible_patient(haematologist, "IPP-EN-3"), reason="Start")
    text = _page(_in_english(client, pharmacist), reverse("pharmacy_worklist"))
    assert "Pharmacy validations" in text and "Proposed dose" in text
    assert "2.1 mg/day" in text
    # The stored working and alerts are shown in English, not as the engine's French.
    assert "2 mg/m²/day × 1.0408 m²" in text and "mg/m²/j" not in text
    assert "Off-label use" in text and "Utilisation hors AMM" not in text


def test_pharmacy_card_stays_french_in_french(client, haematologist, pharmacist):
    proposal(haematologist, eligible_patient(haematologist, "IPP-FR-3"))
    client.force_login(pharmacist)
    text = client.get(reverse("pharmacy_worklist")).content.decode()
    assert "2 mg/m²/j × 1,0408 m²" in text and "2,1 mg/j" in text
    assert "mg/m²/day" not in text


def test_nurse_worklist_in_english(client, haematologist, nurse):
    eligible_patient(haematologist, "IPP-EN-4")
    text = _page(_in_english(client, nurse), reverse("nurse_worklist"))
    assert "<h1 class=\"h3 mb-0\">Care due</h1>" in text
    assert "Nothing to do in this period." in text or "Due on" in text


def test_dates_stay_day_first_in_english(client, haematologist, pharmacist):
    """16/10 must never read as 10/16: a clinical date is day first in both languages."""
    started = (timezone.localdate() - timedelta(days=45)).replace(day=20)
    patient = eligible_patient(haematologist, "IPP-EN-5", since=started - timedelta(days=10))
    on_treatment(haematologist, pharmacist, patient, started)
    text = _page(_in_english(client, haematologist), reverse("patient_detail", args=[patient.pk]))
    assert f"{started:%d/%m/%Y}" in text
    assert f"{started:%m/%d/%Y}" not in text


def test_every_calendar_label_of_the_engine_is_translated():
    """The engine names its calendar items in French (stored as written); every name it uses
    in the reference cases is translated where shown, M1… and T0 M6… reading the same."""
    import json

    import protocol
    from sirolimus_app.i18n import CALENDAR_LABELS, calendar_label

    cases = Path(settings.BASE_DIR) / "tests" / "protocol" / "cases"
    labels = set()
    for path in cases.glob("*.json"):
        case = json.loads(path.read_text(encoding="utf-8"))
        advice = protocol.advise(protocol.parse_course(case.get("course", case))).to_dict()
        labels |= {item["label"] for key in ("next", "schedule") for item in advice.get(key, [])}
    assert {"T0 J7", "Contrôle 48 h", "T0 J7 reprise", "M3"} <= labels
    unknown = {label for label in labels
               if label not in CALENDAR_LABELS and not re.fullmatch(r"(T0 )?M\d+", label)}
    assert not unknown
    with translation.override("en"):
        assert calendar_label("T0 J7") == "T0 D7"
        assert calendar_label("Contrôle 48 h") == "48 h check"
        assert calendar_label("M6") == "M6"
        assert all(calendar_label(label) != label for label in CALENDAR_LABELS)
    with translation.override("fr"):
        assert all(calendar_label(label) == label for label in CALENDAR_LABELS)


def test_nurse_worklist_in_english_names_the_items_in_english(client, cast):
    patient = eligible_patient(cast["haematologist"], "IPP-EN-CAL")
    on_treatment(cast["haematologist"], cast["pharmacist"], patient,
                 started=timezone.localdate() - timedelta(days=5))
    text = _page(_in_english(client, cast["nurse"]), reverse("nurse_worklist"))
    assert "T0 D7" in text and "T0 J7" not in text
