"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against the live server."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags that keep Chromium from reaching out to a network this machine does not have.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR",
                                  timezone_id="Europe/Paris", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Irreversible actions ask for confirmation: the person in these journeys says yes.
    page.on("dialog", lambda dialog: dialog.accept())
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    return context, page


@pytest.fixture
def page(browser, live_server):
    context, page = _page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def checked_page(browser, live_server):
    """A page for the journeys that run axe-core (tests/browser/axe.py) on every page they
    visit: its script tag is injected, which the Content-Security-Policy would refuse, so
    this context bypasses it (as tests/browser/test_accessibility.py does)."""
    context, page = _page(browser, live_server, bypass_csp=True)
    yield page
    context.close()


def login(page, username, password):
    page.goto("/compte/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
