import pytest
from django.core.management import call_command

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_haematologist_logs_in_and_out(page, settings):
    settings.DEBUG = True
    call_command("load_demo")
    settings.DEBUG = False
    page.goto("/")
    assert "/compte/connexion/" in page.url  # anonymous: the login page, never data
    login(page, "hematologue", "demo")
    assert page.get_by_test_id("current-user").inner_text().startswith("Hélène Hématologue")
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto("/")
    assert "/compte/connexion/" in page.url
    assert page.console_errors == []


def test_wrong_password_shows_a_french_error(page, db):
    login(page, "personne", "faux")
    error = page.get_by_text("Saisissez un nom d’utilisateur et un mot de passe valides")
    assert error.is_visible()
