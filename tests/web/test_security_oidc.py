"""The OpenID Connect backend's own checks (the full flow runs in
tests/browser/test_oidc_login.py against a real provider)."""

import time

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from sirolimus_app.oidc import HospitalOIDCBackend
from sirolimus_app.roles import Role

pytestmark = pytest.mark.django_db
ISSUER = "https://idp.chu.example"


def test_off_unless_configured(client):
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404
    assert 'data-testid="oidc-login"' not in client.get(reverse("login")).content.decode()
    assert HospitalOIDCBackend().authenticate(None) is None


@pytest.fixture
def backend(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "sirolimus", "s"
    settings.OIDC_OP_ISSUER = ISSUER
    for name in ("AUTHORIZATION", "TOKEN", "USER", "JWKS"):
        setattr(settings, f"OIDC_OP_{name}_ENDPOINT", f"{ISSUER}/{name.lower()}")
    settings.OIDC_ROLES_CLAIM = "roles"
    settings.OIDC_ROLE_MAP = {"HEMATO": Role.HAEMATOLOGIST, "IDE": Role.NURSE}
    return HospitalOIDCBackend()


def test_the_sign_in_button_shows_when_configured(client, backend):
    assert 'data-testid="oidc-login"' in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize("change,accepted", [
    ({}, True), ({"iss": "https://evil.example"}, False), ({"aud": "other-app"}, False),
    ({"aud": ["other-app", "sirolimus"]}, True), ({"exp": time.time() - 3600}, False),
    ({"exp": None}, False)])
def test_the_token_must_be_ours_and_valid(backend, monkeypatch, change, accepted):
    payload = {"iss": ISSUER, "aud": "sirolimus", "exp": time.time() + 300, **change}
    monkeypatch.setattr(OIDCAuthenticationBackend, "verify_token", lambda self, t, **k: payload)
    if accepted:
        assert backend.verify_token("token") == payload
    else:
        with pytest.raises(SuspiciousOperation):
            backend.verify_token("token")


@pytest.mark.parametrize("username,valid", [
    ("c.oidc", True), ("", False), ("x" * 151, False), ("c.oidc\u200b", False)])
def test_the_username_claim_is_checked(backend, username, valid):
    assert backend.verify_claims({"preferred_username": username}) is valid


def test_roles_follow_the_claim_and_other_values_are_ignored(backend):
    user = backend.create_user({"preferred_username": "c.oidc", "given_name": "Camille",
                                "roles": ["HEMATO", "ADMIN-SI"]})
    assert not user.has_usable_password() and user.first_name == "Camille"
    assert [g.name for g in user.groups.all()] == [Role.HAEMATOLOGIST]
    backend.update_user(user, {"preferred_username": "c.oidc", "roles": ["IDE"]})
    assert [g.name for g in user.groups.all()] == [Role.NURSE]
    backend.update_user(user, {"preferred_username": "c.oidc"})
    assert not user.groups.exists()


def test_without_a_roles_claim_the_administrators_grants_stay(backend, settings):
    settings.OIDC_ROLES_CLAIM = ""
    user = backend.create_user({"preferred_username": "c.oidc", "roles": ["HEMATO"]})
    assert not user.groups.exists()
    user.groups.add(Group.objects.get(name=Role.PHARMACIST))
    backend.update_user(user, {"preferred_username": "c.oidc"})
    assert [g.name for g in user.groups.all()] == [Role.PHARMACIST]


def test_a_local_account_with_a_password_is_never_matched(backend):
    User.objects.create_user("c.oidc", password="Un-compte-local-solide-42")
    with pytest.raises(SuspiciousOperation):
        backend.filter_users_by_claims({"preferred_username": "c.oidc"})
