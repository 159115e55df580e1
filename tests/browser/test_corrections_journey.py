"""Entries typed in a browser whatever its language: "6,5" is 6.5 ng/ml in a Chromium set to
English (a number input there turned it into 65)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sirolimus_app.models import TroughLevel
from tests.conftest import PASSWORD
from tests.web.test_workflow_data import eligible_patient, on_treatment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def english_page(browser, live_server):
    """A Chromium context with an English locale (navigator.language and Accept-Language);
    the session's browser, since Playwright's sync API cannot start a second one."""
    context = browser.new_context(base_url=live_server.url, locale="en-US",
                                  timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _login(page, username):
    page.goto("/compte/connexion/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_trough_typed_with_a_comma_in_an_english_browser(english_page, haematologist,
                                                           pharmacist, nurse):
    page = english_page
    today = timezone.localdate()
    patient = eligible_patient(haematologist, "IPP-700", since=today - timedelta(days=20))
    on_treatment(haematologist, pharmacist, patient, today - timedelta(days=7))
    assert page.evaluate("navigator.language") == "en-US"

    _login(page, nurse.username)
    page.goto(f"/patients/{patient.pk}/residuels/nouveau/")
    field = page.locator("#id_value")
    assert field.get_attribute("type") == "text"
    assert field.get_attribute("inputmode") == "decimal"
    field.fill("")
    field.press_sequentially("6,5")
    assert field.input_value() == "6,5"  # kept as typed: no number input to reinterpret it
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/patients/{patient.pk}/")
    trough = TroughLevel.objects.get(patient=patient)
    assert str(trough.value_ng_ml) == "6.50"


def test_the_nurse_enters_a_blood_pressure_then_undoes_a_wrong_tick(page, haematologist,
                                                                   pharmacist, nurse):
    from sirolimus_app.models import MonitoringCheck, Visit
    from sirolimus_app.services import records
    from tests.browser.conftest import login
    from tests.web.test_worklists import _items

    today = timezone.localdate()
    patient = eligible_patient(haematologist, "IPP-701", since=today - timedelta(days=33))
    on_treatment(haematologist, pharmacist, patient, today - timedelta(days=28))
    bp = next(i for (kind, label), i in _items(patient, today).items()
              if kind == "blood_pressure" and label == "M1")
    wrong = records.mark_check_done(nurse, MonitoringCheck(
        patient=patient, kind="cbc", due_date=bp.date))

    login(page, nurse.username, PASSWORD)
    page.get_by_role("link", name="Soins à faire").first.click()
    row = page.get_by_test_id(f"due-{patient.pk}-blood_pressure-{bp.date.isoformat()}")
    row.get_by_label("PA systolique (mmHg)").fill("112")
    row.get_by_label("PA diastolique (mmHg)").fill("68")
    row.get_by_role("button", name="TA mesurée").click()
    assert page.get_by_role("alert").filter(has_text="noté comme réalisé").is_visible()
    row = page.get_by_test_id(f"due-{patient.pk}-blood_pressure-{bp.date.isoformat()}")
    assert "Réalisé" in row.inner_text()
    visit = Visit.objects.get(patient=patient, label="HP")
    assert (visit.systolic_bp, visit.diastolic_bp) == (112, 68)

    row = page.get_by_test_id(f"due-{patient.pk}-cbc-{bp.date.isoformat()}")
    row.get_by_role("link", name="Annuler").click()
    page.get_by_label("Motif de l'annulation").fill("Prélèvement pas encore fait")
    page.get_by_role("button", name="Annuler le relevé").click()
    assert page.get_by_role("alert").filter(has_text="à nouveau à faire").is_visible()
    row = page.get_by_test_id(f"due-{patient.pk}-cbc-{bp.date.isoformat()}")
    assert row.get_by_role("button", name="Prélèvement fait").is_visible()
    wrong.refresh_from_db()
    assert wrong.void_reason == "Prélèvement pas encore fait"
    assert page.console_errors == []
