"""In Chromium: the nurse prints the family's schedule from the patient page, which shows the
charts and prints cleanly; the haematologist exports the cohort."""

import csv
import io

import pytest

from tests.browser.conftest import login
from tests.conftest import PASSWORD
from tests.web.test_documents_factories import two_year_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nurse_sees_the_charts_and_prints_the_schedule(page, haematologist, nurse, pharmacist):
    history = two_year_history(haematologist, nurse, pharmacist)
    login(page, nurse.username, PASSWORD)
    page.goto(f"/patients/{history.patient.pk}/")
    charts = page.locator(".patient-charts svg[role=img]")
    assert charts.count() == 2
    assert page.get_by_role("img", name="Taux résiduels de sirolimus (ng/ml)").is_visible()
    assert "9 taux résiduels" in page.locator(".patient-charts").inner_text()

    link = page.get_by_role("link", name="Calendrier de surveillance (PDF)")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    # The browser's print: no navigation, no buttons, the charts kept.
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert not link.is_visible()
    assert charts.first.is_visible()
    assert page.console_errors == []


def test_haematologist_exports_the_cohort(page, haematologist, nurse, pharmacist):
    history = two_year_history(haematologist, nurse, pharmacist)
    login(page, haematologist.username, PASSWORD)
    page.get_by_role("link", name="Cohorte OBS'CEREVANCE").click()
    assert "1 patient inclus dans la cohorte." in page.locator("main").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Patients (une ligne par patient, CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("obs-cerevance-patients-")
    with open(download.path(), encoding="utf-8") as exported:
        rows = list(csv.DictReader(io.StringIO(exported.read())))
    assert [r["study_code"] for r in rows] == [history.patient.study_code]
    assert page.console_errors == []
