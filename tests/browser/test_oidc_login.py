"""Sign-in through the hospital's identity provider, end to end in Chromium: a real OpenID
Connect provider (oidc-provider-mock) runs on a local port for each test, the app is
configured against it, and a person clicks through. Covers a haematologist whose role comes
from a claim, a person without a role (signed in, sees nothing clinical), a refusal at the
provider and an expired token."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from oidc_provider_mock import User as ProviderUser
from oidc_provider_mock import run_server_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HAEMATOLOGIST = ProviderUser(sub="sub-0001", claims={
    "preferred_username": "c.oidc", "given_name": "Camille", "family_name": "Hospitalière",
    "email": "camille@chu.example", "roles": ["HEMATO-PED"]})
NO_ROLE = ProviderUser(sub="sub-0002", claims={
    "preferred_username": "a.secretaire", "given_name": "Alex", "family_name": "Accueil"})


def _configure(settings, server):
    base = f"http://localhost:{server.server_port}"
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "sirolimus-test"
    settings.OIDC_RP_CLIENT_SECRET = "secret-de-test"  # noqa: S105
    settings.OIDC_OP_ISSUER = base
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{base}/oauth2/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{base}/oauth2/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{base}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{base}/jwks"
    settings.OIDC_ROLES_CLAIM = "roles"
    settings.OIDC_ROLE_MAP = {"HEMATO-PED": "haematologist"}
    # The mock signs with a single key published without a "kid"; real providers name it.
    settings.OIDC_VERIFY_KID = False


@pytest.fixture
def provider(settings):
    with run_server_in_thread(user_claims=[HAEMATOLOGIST, NO_ROLE]) as server:
        _configure(settings, server)
        yield server


@pytest.fixture
def expiring_provider(settings):
    """Tokens that are already expired when the app receives them."""
    with run_server_in_thread(user_claims=[HAEMATOLOGIST],
                              access_token_max_age=timedelta(minutes=-10)) as server:
        _configure(settings, server)
        yield server


def _sign_in_at_the_provider(page, sub):
    page.goto("/patients/")
    assert "/compte/connexion/" in page.url
    page.get_by_test_id("oidc-login").click()
    page.get_by_role("button", name=sub, exact=True).click()


def _back_on_the_app(page, pattern):
    page.wait_for_url(pattern)
    # The mock provider's own page reaches for outside resources this machine lacks: only
    # the application's pages are held to "no console error".
    page.console_errors.clear()
    page.reload()


def test_a_haematologist_signs_in_with_the_hospital_account(page, provider):
    _sign_in_at_the_provider(page, HAEMATOLOGIST.sub)
    _back_on_the_app(page, "**/patients/")
    assert page.get_by_test_id("current-user").inner_text().startswith(
        "Camille Hospitalière · Hématologue")
    assert page.get_by_role("heading", name="Patients").is_visible()
    user = User.objects.get(username="c.oidc")
    assert not user.has_usable_password()  # nothing to guess or to reuse locally
    assert [g.name for g in user.groups.all()] == ["haematologist"]
    assert page.console_errors == []


def test_a_person_without_a_role_is_signed_in_but_sees_nothing_clinical(page, provider):
    _sign_in_at_the_provider(page, NO_ROLE.sub)
    _back_on_the_app(page, "**/patients/")
    assert page.get_by_role("heading", name="Patients").count() == 0
    assert page.request.get("/patients/").status == 403
    assert page.request.get("/").status == 403
    page.goto("/compte/mot-de-passe/")  # signed in all the same
    assert page.get_by_test_id("current-user").inner_text().startswith("Alex Accueil")
    assert not User.objects.get(username="a.secretaire").groups.exists()


def test_a_refusal_at_the_provider_signs_nobody_in(page, provider):
    page.goto("/compte/connexion/")
    page.get_by_test_id("oidc-login").click()
    page.get_by_role("button", name="Deny").click()
    _back_on_the_app(page, "**/compte/connexion/**")
    assert page.get_by_test_id("oidc-refused").is_visible()
    page.goto("/patients/")
    assert "/compte/connexion/" in page.url
    assert not User.objects.filter(username="c.oidc").exists()


def test_an_expired_token_is_refused(page, expiring_provider):
    _sign_in_at_the_provider(page, HAEMATOLOGIST.sub)
    _back_on_the_app(page, "**/compte/connexion/**")
    assert page.get_by_test_id("oidc-refused").is_visible()
    page.goto("/patients/")
    assert "/compte/connexion/" in page.url
    assert not User.objects.filter(username="c.oidc").exists()


def test_a_provider_identity_never_takes_over_a_local_account(page, provider):
    User.objects.create_user("c.oidc", password="Un-compte-local-solide-42")
    _sign_in_at_the_provider(page, HAEMATOLOGIST.sub)
    _back_on_the_app(page, "**/compte/connexion/**")
    assert page.get_by_test_id("oidc-refused").is_visible()
    assert not User.objects.get(username="c.oidc").groups.exists()
