"""The nurse finds the day-7 trough due today and records that the sample was taken."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from sirolimus_app.models import MonitoringCheck
from tests.browser.conftest import login
from tests.conftest import PASSWORD
from tests.web.test_workflow_data import eligible_patient, on_treatment, proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOTS_DIR")  # set it to keep the pages as PNG files


def test_nurse_finds_the_d7_trough_and_records_it(page, haematologist, pharmacist, nurse):
    today = timezone.localdate()
    patient = eligible_patient(haematologist, "IPP-600", since=today - timedelta(days=20))
    on_treatment(haematologist, pharmacist, patient, today - timedelta(days=7))
    late = eligible_patient(haematologist, "IPP-601", last_name="Garnier", first_name="Tom",
                            since=today - timedelta(days=40))
    on_treatment(haematologist, pharmacist, late, today - timedelta(days=33))
    proposal(haematologist, eligible_patient(haematologist, "IPP-602", last_name="Roussel",
                                             first_name="Inès"))

    login(page, nurse.username, PASSWORD)
    page.get_by_role("link", name="Soins à faire").first.click()
    row = page.get_by_test_id(f"due-{patient.pk}-trough-{today.isoformat()}")
    assert "T0 J7" in row.inner_text()
    assert "prélever juste avant la prise du matin" in row.inner_text()
    # In the child's row of that day, which names the child.
    day = page.locator(f'[data-testid^="child-day-{patient.pk}-"]').filter(has=row)
    assert "DUPONT Léa" in day.inner_text() and "IPP-600" in day.inner_text()
    if SHOTS:
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.screenshot(path=os.path.join(SHOTS, "nurse_worklist.png"), full_page=True)

    row.get_by_role("button", name="Prélèvement fait").click()
    assert page.get_by_role("alert").filter(
        has_text="Taux résiduel T0 J7 noté comme réalisé pour DUPONT Léa").is_visible()
    row = page.get_by_test_id(f"due-{patient.pk}-trough-{today.isoformat()}")
    assert "Réalisé" in row.inner_text() and "Julie Bernard" in row.inner_text()
    assert row.get_by_role("button").count() == 0
    check = MonitoringCheck.objects.get(patient=patient)
    assert (check.kind, check.due_date, check.recorded_by) == ("trough", today, nurse)
    assert page.console_errors == []
