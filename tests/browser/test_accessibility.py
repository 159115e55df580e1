"""RGAA 4.1 / WCAG 2.1 AA on every page each person's journeys visit, in French and English:
axe-core finds no violation at desktop (1280 px) and phone (390 px) widths, and no page
scrolls sideways at 390 or 768 px (tables become cards, actions stay on screen)."""

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.models import Prescription
from tests.browser.axe import describe, violations
from tests.web.test_documents_factories import two_year_history
from tests.web.test_workflow_data import eligible_patient, on_treatment, proposal, trough

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOTS_DIR")  # set it to keep the 390 px pages as PNG files

LOCALES = {"fr": "fr-FR", "en": "en-GB"}
AXE_WIDTHS = (1280, 390)
NARROW_WIDTHS = (390, 768)


def submit_empty(page) -> None:
    """The main form sent empty, past the browser's own checks: the server's errors show."""
    form = page.locator("main form[method=post]").last
    form.evaluate("form => { form.noValidate = true; }")
    with page.expect_navigation():
        form.locator("button[type=submit]").last.click()
    assert page.locator(".invalid-feedback, .errorlist, .alert-danger").count(), page.url
    # Each field in error says so and points at its message (RGAA 11.10, 11.11).
    unlinked = page.evaluate("""() => [...document.querySelectorAll('main .is-invalid')]
      .filter(field => {
        const ids = (field.getAttribute('aria-describedby') || '').split(/\\s+/);
        const messages = ids.map(id => document.getElementById(id)).filter(Boolean);
        return field.getAttribute('aria-invalid') !== 'true'
          || !messages.some(m => m.matches('.invalid-feedback, .errorlist')
                                 || m.querySelector('.invalid-feedback, .errorlist'));
      }).map(field => field.name)""")
    assert page.locator("main .is-invalid").count(), page.url
    assert unlinked == [], f"{page.url}: errors not tied to {unlinked}"


@pytest.fixture
def ward(haematologist, nurse, pharmacist):
    """A child two years into treatment, one on day 7 (trough due today), one proposal
    awaiting the pharmacist, one eligible child with no prescription yet."""
    today = timezone.localdate()
    history = two_year_history(haematologist, nurse, pharmacist, hospital_number="IPP-800")
    day7 = eligible_patient(haematologist, "IPP-801", last_name="Garnier", first_name="Tom",
                            since=today - timedelta(days=20))
    on_treatment(haematologist, pharmacist, day7, today - timedelta(days=7))
    day7_trough = trough(nurse, day7, today - timedelta(days=1), "8.4")
    pending = proposal(haematologist, eligible_patient(haematologist, "IPP-802",
                                                       last_name="Roussel",
                                                       first_name="Inès"))
    new = eligible_patient(haematologist, "IPP-803", last_name="Lambert", first_name="Zoé")
    return {"history": history.patient, "day7": day7, "pending": pending, "new": new,
            "trough": day7_trough,
            "active": Prescription.objects.get(patient=day7, status="active")}


def journeys(role: str, ward) -> list[tuple[str, str, object]]:
    """(name, URL, what to do once there) for every page the role's journeys visit."""
    if role == "anonymous":
        return [("login", reverse("login"), None),
                ("login-error", reverse("login"), submit_empty),
                ("statement", reverse("accessibility"), None)]
    if role == "outsider":
        return [("no-role", reverse("home"), None),
                ("forbidden", reverse("patient_detail", args=[ward["history"].pk]), None)]
    rich, day7 = ward["history"].pk, ward["day7"].pk
    common = [("home", reverse("home"), None),
              ("password", reverse("password_change"), None),
              ("password-error", reverse("password_change"), submit_empty),
              ("statement", reverse("accessibility"), None)]
    if role == "haematologist":
        new = ward["new"].pk
        return common + [
            ("patients", reverse("patient_list"), None),
            ("search", reverse("patient_list") + "?q=Garnier", None),
            ("patient", reverse("patient_detail", args=[rich]), None),
            ("history", reverse("patient_history", args=[rich]), None),
            ("eligibility", reverse("patient_eligibility", args=[new]), None),
            ("proposal", reverse("patient_proposal", args=[new]), None),
            ("patient-form-error", reverse("patient_create"), submit_empty),
            ("trough-error", reverse("trough_add", args=[day7]), submit_empty),
            ("lab-error", reverse("lab_add", args=[day7]), submit_empty),
            ("visit-error", reverse("visit_add", args=[day7]), submit_empty),
            ("cohort", reverse("documents_cohort"), None),
            ("access-log", reverse("patient_access_log", args=[rich]), None),
            ("void", reverse("record_void", args=[day7, "troughlevel", ward["trough"].pk]),
             None),
            ("lab-review", reverse("interop_review"), None),
        ]
    if role == "pharmacist":
        pending = ward["pending"].pk
        return common + [
            ("worklist", reverse("pharmacy_worklist"), None),
            ("review", reverse("prescription_review", args=[pending]), None),
            ("reject-error", reverse("prescription_review", args=[pending]), submit_empty),
            ("patient", reverse("patient_detail", args=[rich]), None),
            ("dispense", reverse("prescription_dispense", args=[ward["active"].pk]), None),
        ]
    return common + [  # nurse
        ("worklist", reverse("nurse_worklist"), None),
        ("patient", reverse("patient_detail", args=[day7]), None),
        ("patient-long", reverse("patient_detail", args=[rich]), None),
        ("day-sheet", reverse("nurse_day_sheet"), None),
    ]


def signed_in(browser, live_server, user, language: str, width: int):
    """A browser context of `user` (None: not signed in) in `language`; axe-core is injected
    as a script tag, which the Content-Security-Policy would refuse: the test bypasses it."""
    context = browser.new_context(base_url=live_server.url, locale=LOCALES[language],
                                  timezone_id="Europe/Paris", bypass_csp=True,
                                  viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookies.append({"name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url})
    context.add_cookies(cookies)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return context, page


def walk(browser, live_server, request, role, ward, widths, check) -> list[str]:
    """Every page of the role, in both languages, at each width: one page load each."""
    user = None if role == "anonymous" else request.getfixturevalue(role)
    failures = []
    for language in LOCALES:
        for width in widths:
            context, page = signed_in(browser, live_server, user, language, width)
            try:
                for name, url, then in journeys(role, ward):
                    page.goto(url)
                    if then:
                        then(page)
                    assert page.locator("html").get_attribute("lang") == language, url
                    problem = check(page, width)
                    if problem:
                        failures.append(f"[{role} {language} {width}px {name}] {problem}")
                    if SHOTS and width == 390 and language == "fr":
                        page.screenshot(path=os.path.join(SHOTS, f"{role}-{name}-390.png"),
                                        full_page=True)
            finally:
                context.close()
    return failures


def axe_problem(page, width) -> str:
    found = violations(page)
    return f"{page.url}\n{describe(found)}" if found else ""


# What scrolls sideways: the page itself, or a box inside it (a table in a scrolling wrapper
# hides its last column, often the action, off screen).
SIDEWAYS = """() => {
  const boxes = [...document.querySelectorAll('main *')].filter(e => {
    const overflow = getComputedStyle(e).overflowX;
    return (overflow === 'auto' || overflow === 'scroll') && e.scrollWidth > e.clientWidth + 1;
  }).map(e => e.tagName.toLowerCase() + '.' + e.className);
  return {page: document.documentElement.scrollWidth, boxes};
}"""


def sideways_problem(page, width) -> str:
    found = page.evaluate(SIDEWAYS)
    if found["page"] > width or found["boxes"]:
        return f"{page.url}: page {found['page']} px wide at {width} px; scrolling boxes " \
               f"{found['boxes']}"
    return ""


ROLES = ["anonymous", "outsider", "haematologist", "pharmacist", "nurse"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_journeys_passes_axe(browser, live_server, request, ward, role):
    failures = walk(browser, live_server, request, role, ward, AXE_WIDTHS, axe_problem)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_phone_or_a_tablet(browser, live_server, request, ward,
                                                         role):
    failures = walk(browser, live_server, request, role, ward, NARROW_WIDTHS,
                    sideways_problem)
    assert not failures, "\n".join(failures)
