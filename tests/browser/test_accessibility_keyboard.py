"""Each person's main journey with the keyboard alone (Tab, Enter, Space; no click): the
haematologist prescribes, the pharmacist validates, the nurse ticks a sample and prints the
schedule. Focus starts on the skip link, moves forward in the page's order, and is visible on
every control it reaches."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sirolimus_app.models import MonitoringCheck, Prescription
from tests.conftest import PASSWORD
from tests.web.test_workflow_data import eligible_patient, on_treatment, proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The focused element, whether its focus can be seen (an outline or a ring), and whether it
# comes after the element focused before it in the document.
FOCUS = """previous => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                  || style.boxShadow !== 'none';
  const name = (el.getAttribute('aria-label') || el.innerText || el.value || el.id || '')
                 .trim().replace(/\\s+/g, ' ');
  const after = !window.__lastFocus
                || !!(window.__lastFocus.compareDocumentPosition(el)
                      & Node.DOCUMENT_POSITION_FOLLOWING);
  window.__lastFocus = el;
  return {tag: el.tagName.toLowerCase(), name, visible, after};
}"""


def tab_to(page, name: str, limit: int = 120) -> dict:
    """Press Tab until the focused control's name starts with `name`; every control on the
    way must show its focus and come after the one before (until Tab leaves the page's last
    control and starts again at the top)."""
    page.evaluate("() => { window.__lastFocus = null; }")
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS, None)
        if focused["tag"] == "body":  # past the last control: Tab starts again at the top
            page.evaluate("() => { window.__lastFocus = null; }")
            continue
        assert focused["visible"], f"focus not visible on {focused}"
        assert focused["after"], f"focus went backwards to {focused}"
        if focused["name"].startswith(name):
            return focused
    raise AssertionError(f"{name!r} not reached with Tab on {page.url}")


def keyboard_login(page, username: str) -> None:
    page.goto("/compte/connexion/")
    assert page.evaluate("document.activeElement.id") == "id_username"  # autofocus
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/")
    # The first Tab of a page reaches the skip link, which leads past the menu.
    page.keyboard.press("Tab")
    skip = page.evaluate(FOCUS, None)
    assert skip["name"] == "Aller au contenu" and skip["visible"], skip
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('content').contains(document.activeElement)")


def follow(page, name: str, key: str = "Enter") -> None:
    tab_to(page, name)
    with page.expect_navigation():
        page.keyboard.press(key)


def test_haematologist_prescribes_with_the_keyboard(page, haematologist):
    patient = eligible_patient(haematologist, "IPP-900", last_name="Lambert",
                               first_name="Zoé")
    keyboard_login(page, haematologist.username)
    follow(page, "Patients")
    follow(page, "LAMBERT Zoé")
    follow(page, "Proposition de dose")
    follow(page, "Prescrire : Début du traitement")
    assert "en attente de validation pharmaceutique" in page.get_by_test_id(
        "pending-prescription").inner_text()
    assert Prescription.objects.get(patient=patient).status == Prescription.Status.PROPOSED


def test_pharmacist_validates_with_the_keyboard(page, haematologist, pharmacist):
    proposed = proposal(haematologist, eligible_patient(haematologist, "IPP-901"))
    keyboard_login(page, pharmacist.username)
    follow(page, "Validations")
    follow(page, "Valider")
    proposed.refresh_from_db()
    assert proposed.status == Prescription.Status.ACTIVE
    assert page.get_by_role("alert").first.is_visible()


def test_nurse_ticks_a_sample_and_prints_the_schedule_with_the_keyboard(
        page, haematologist, pharmacist, nurse):
    today = timezone.localdate()
    patient = eligible_patient(haematologist, "IPP-902", since=today - timedelta(days=20))
    on_treatment(haematologist, pharmacist, patient, today - timedelta(days=7))
    keyboard_login(page, nurse.username)
    follow(page, "Soins à faire")
    follow(page, "Prélèvement fait", key="Space")
    check = MonitoringCheck.objects.get(patient=patient)
    assert (check.kind, check.due_date, check.recorded_by) == ("trough", today, nurse)
    assert "Réalisé" in page.get_by_test_id(
        f"due-{patient.pk}-trough-{today.isoformat()}").inner_text()

    follow(page, "DUPONT Léa")
    tab_to(page, "Calendrier de surveillance (PDF)")
    with page.expect_response(lambda r: r.url.endswith("/calendrier.pdf")) as printed:
        page.keyboard.press("Enter")
    response = printed.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert page.console_errors == []
