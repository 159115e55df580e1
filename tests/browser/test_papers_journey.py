"""Issue 19 in Chromium, each page checked with axe-core: the haematologist prints the
off-label prescription once it is validated; the pharmacist dispenses and prints the bottle
label; the nurse, on a phone, prints the day and ticks an item of a child's row."""

import io
import re
from datetime import timedelta

import pypdf
import pytest
from django.utils import timezone

from sirolimus_app.models import Dispensing, MonitoringCheck, StaffProfile
from tests.browser.axe import assert_accessible
from tests.browser.conftest import login
from tests.conftest import PASSWORD
from tests.web.test_workflow_data import eligible_patient, on_treatment, proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RPPS = "10101234567"


def seen(page, heading: str) -> None:
    """The page the click led to is loaded (its heading shows) and passes axe-core."""
    page.get_by_role("heading", level=1).filter(has_text=heading).wait_for()
    assert_accessible(page)


def pdf_text(page, link) -> str:
    """The PDF a click on `link` opens in Chromium's viewer, as its text (pypdf): the file is
    kept on its way to the viewer (whose own page is HTML)."""
    kept = []

    def keep(route):
        response = route.fetch()
        kept.append((response.status, response.headers["content-type"], response.body()))
        route.fulfill(response=response)

    pdf = re.compile(r"\.pdf(\?.*)?$")
    page.route(pdf, keep)
    try:
        link.click()
        page.wait_for_url(pdf)
    finally:
        page.unroute(pdf)
    [(status, content_type, body)] = kept
    assert (status, content_type) == (200, "application/pdf")
    assert body.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(body)).pages)
    # A word cut at a hyphen at the end of a line ('REG-OFF-\nLABEL') is one word again.
    return re.sub(r"\s+", " ", re.sub(r"-\s*\n\s*", "-", text))


def test_haematologist_prints_the_prescription_once_validated(checked_page, haematologist,
                                                              pharmacist):
    page = checked_page
    StaffProfile.objects.create(user=haematologist, rpps=RPPS)
    today = timezone.localdate()
    patient = eligible_patient(haematologist, "IPP-190", last_name="Perrin", first_name="Jade",
                               since=today - timedelta(days=10))
    on_treatment(haematologist, pharmacist, patient, today)  # validated by the pharmacist

    page.goto("/compte/connexion/")
    assert_accessible(page)
    login(page, haematologist.username, PASSWORD)
    seen(page, "Bonjour")
    page.get_by_role("link", name="Patients").first.click()
    seen(page, "Patients")
    page.get_by_role("link", name="PERRIN Jade").click()
    seen(page, "PERRIN Jade")
    assert page.console_errors == []
    text = pdf_text(page, page.get_by_role("link", name="Ordonnance hors AMM (PDF)"))
    assert "Prescription hors autorisation de mise sur le marché" in text
    assert f"RPPS {RPPS}" in text
    assert "PERRIN Jade" in text


def test_pharmacist_validates_dispenses_and_prints_the_label(checked_page, haematologist,
                                                             pharmacist):
    page = checked_page
    patient = eligible_patient(haematologist, "IPP-191", last_name="Roux", first_name="Lina")
    proposed = proposal(haematologist, patient, reason="Début du traitement")
    expiry = timezone.localdate() + timedelta(days=200)

    page.goto("/compte/connexion/")
    assert_accessible(page)
    login(page, pharmacist.username, PASSWORD)
    seen(page, "Bonjour")
    page.get_by_test_id("home-pending").get_by_role("link", name="ROUX Lina").click()
    seen(page, "Revue de la prescription")
    card = page.get_by_test_id(f"proposal-{proposed.pk}")
    card.get_by_role("button", name="Valider").click()
    assert page.get_by_role("alert").filter(has_text="Prescription validée pour ROUX Lina") \
        .is_visible()
    seen(page, "Revue de la prescription")

    page.get_by_role("link", name="Dispenser et imprimer l'étiquette").click()
    seen(page, "Dispensation")
    assert "2,1 ml de solution buvable" in page.get_by_test_id("dispense-dose").inner_text()
    assert re.search(r"\d+ flacons? de 60 ml", page.get_by_test_id("computed").inner_text())
    assert page.get_by_text("Aucune dispensation enregistrée.").is_visible()
    page.get_by_label("Durée couverte (jours)").fill("28")  # 58,8 ml: one bottle
    page.get_by_label("Flacons de 60 ml").fill("1")
    page.get_by_label("Numéro de lot").fill("LOT-J19")
    page.get_by_label("Date de péremption").fill(expiry.isoformat())
    page.get_by_role("button", name="Enregistrer la dispensation").click()
    assert page.get_by_role("alert").filter(
        has_text="Dispensation enregistrée (lot LOT-J19)").is_visible()
    seen(page, "Dispensation")
    done = page.get_by_role("region", name="Dispensations enregistrées")
    assert "LOT-J19" in done.inner_text() and expiry.strftime("%d/%m/%Y") in done.inner_text()
    assert pharmacist.get_full_name() in done.inner_text() and "28 jours" in done.inner_text()
    record = Dispensing.objects.get(prescription=proposed)
    assert (record.batch, record.bottles, record.dispensed_by) == ("LOT-J19", 1, pharmacist)
    assert page.console_errors == []

    label = pdf_text(page, done.get_by_role("link", name="Étiquette (PDF)"))
    assert "ROUX Lina" in label
    assert "2,1 ml une fois par jour" in label
    assert "Lot LOT-J19" in label


def _working_day_on_or_before(day):
    from protocol.calendar import is_working_day

    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


PHONE = {"width": 390, "height": 844}
# Nothing wider than the window, and no box inside the page that scrolls sideways.
SIDEWAYS = """() => ({page: document.documentElement.scrollWidth,
  boxes: [...document.querySelectorAll('main *')].filter(e => {
    const overflow = getComputedStyle(e).overflowX;
    return (overflow === 'auto' || overflow === 'scroll') && e.scrollWidth > e.clientWidth + 1;
  }).length})"""


def fits_the_phone(page) -> None:
    assert page.evaluate(SIDEWAYS) == {"page": PHONE["width"], "boxes": 0}, page.url


def test_nurse_prints_the_day_and_ticks_from_a_phone(checked_page, haematologist, pharmacist,
                                                     nurse):
    page = checked_page
    page.set_viewport_size(PHONE)
    today = timezone.localdate()
    # A child whose day-7 trough is booked today (or on the last working day: still to do).
    trough_day = _working_day_on_or_before(today)
    sampled = eligible_patient(haematologist, "IPP-192", last_name="Blanc", first_name="Noa",
                               since=trough_day - timedelta(days=20))
    on_treatment(haematologist, pharmacist, sampled, trough_day - timedelta(days=7))
    # A child at its M1 visit within the week: the visit, CBC, blood pressure and lipids of
    # that day in one row.
    visited = eligible_patient(haematologist, "IPP-193", last_name="Colin", first_name="Eva",
                               since=today - timedelta(days=40))
    on_treatment(haematologist, pharmacist, visited, today - timedelta(days=26))

    page.goto("/compte/connexion/")
    assert_accessible(page)
    fits_the_phone(page)
    login(page, nurse.username, PASSWORD)
    seen(page, "Bonjour")
    fits_the_phone(page)
    page.get_by_role("link", name="Ouvrir la liste").click()
    seen(page, "Soins à faire")
    fits_the_phone(page)

    page.get_by_role("link", name="Imprimer la journée").click()
    seen(page, "Feuille de la journée")
    fits_the_phone(page)
    assert page.get_by_test_id(f"day-row-{sampled.pk}").is_visible()
    assert "BLANC Noa" in page.get_by_test_id(f"day-row-{sampled.pk}").inner_text()
    assert page.console_errors == []
    sheet = pdf_text(page, page.get_by_role("link", name="Imprimer (PDF)"))
    assert "BLANC Noa" in sheet and "IPP-192" in sheet
    page.go_back()
    seen(page, "Feuille de la journée")
    page.get_by_role("link", name="Soins à faire").last.click()
    seen(page, "Soins à faire")

    row = page.locator(f'[data-testid^="child-day-{visited.pk}-"]').filter(
        has=page.locator(f'[data-testid^="due-{visited.pk}-visit-"]'))
    assert row.count() == 1
    assert "COLIN Eva" in row.inner_text() and "IPP-193" in row.inner_text()
    cbc = row.locator(f'[data-testid^="due-{visited.pk}-cbc-"]')
    button = cbc.get_by_role("button", name="Prélèvement fait")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # on screen
    button.click()
    assert page.get_by_role("alert").filter(
        has_text="NFS M1 noté comme réalisé pour COLIN Eva").is_visible()
    seen(page, "Soins à faire")
    fits_the_phone(page)
    row = page.locator(f'[data-testid^="child-day-{visited.pk}-"]').filter(
        has=page.locator(f'[data-testid^="due-{visited.pk}-visit-"]'))
    cbc = row.locator(f'[data-testid^="due-{visited.pk}-cbc-"]')
    assert "Réalisé" in cbc.inner_text() and nurse.get_full_name() in cbc.inner_text()
    assert cbc.get_by_role("button").count() == 0
    lipids = row.locator(f'[data-testid^="due-{visited.pk}-lipids-"]')
    assert lipids.get_by_role("button", name="Prélèvement fait").is_visible()  # its own tick
    assert row.get_by_role("button", name="Visite faite").is_visible()
    check = MonitoringCheck.objects.get(patient=visited)
    assert (check.kind, check.recorded_by) == ("cbc", nurse)
    assert page.console_errors == []
