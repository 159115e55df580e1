"""Login throttling, idle sessions, password rules and logout, through the real login form.

The login is posted to the real form (not `client.login`) so django-axes sees each attempt.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

LOCKOUT_TEXT = "Trop de tentatives de connexion"


def _login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _fail(client, username, times, **extra):
    return [_login(client, username, "mauvais-mot-de-passe", **extra) for _ in range(times)]


def test_five_bad_passwords_lock_the_account_with_a_french_message(client, haematologist):
    responses = _fail(client, haematologist.username, 4)
    assert all(r.status_code == 200 for r in responses)
    assert all(LOCKOUT_TEXT not in r.content.decode() for r in responses)

    fifth = _fail(client, haematologist.username, 1)[0]
    assert fifth.status_code == 429
    assert LOCKOUT_TEXT in fifth.content.decode()
    assert "15 minutes" in fifth.content.decode()


def test_once_locked_the_right_password_is_refused_too(client, haematologist):
    _fail(client, haematologist.username, 5)
    response = _login(client, haematologist.username, PASSWORD)
    assert response.status_code == 429
    assert LOCKOUT_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_lockout_ends_after_the_cool_off(client, haematologist, settings):
    _fail(client, haematologist.username, 5)
    settings.AXES_COOLOFF_TIME = timedelta(seconds=0)
    assert _login(client, haematologist.username, PASSWORD).status_code == 302


def test_a_forged_forwarded_address_does_not_escape_the_lockout(client, haematologist):
    """The lockout keys on the connection's address, not on a header the client chooses."""
    for n in range(5):
        _fail(client, haematologist.username, 1, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    response = _login(client, haematologist.username, PASSWORD,
                      HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert response.status_code == 429


def test_a_locked_user_does_not_lock_a_colleague(client, haematologist, nurse):
    _fail(client, haematologist.username, 5)
    assert _login(client, nurse.username, PASSWORD).status_code == 302


def test_sessions_end_after_thirty_idle_minutes_and_with_the_browser():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_session_cookie_has_no_expiry_so_it_dies_with_the_browser(client, nurse):
    response = _login(client, nurse.username, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] is True


def test_each_request_pushes_the_idle_deadline_thirty_minutes_ahead(client, nurse):
    _login(client, nurse.username, PASSWORD)
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=2))
    assert client.get(reverse("home")).status_code == 200
    remaining = Session.objects.get(pk=key).expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_after_thirty_idle_minutes_the_next_page_asks_to_log_in_again(client, nurse):
    _login(client, nurse.username, PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    # 31 minutes without a request: the server-side session has expired.
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_weak_new_password_is_refused_in_french(client, haematologist):
    client.force_login(haematologist)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "demo", "new_password2": "demo"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ce mot de passe est trop court" in content
    assert "10 caractères" in content
    haematologist.refresh_from_db()
    assert haematologist.check_password(PASSWORD)


@pytest.mark.parametrize("weak,message", [
    ("12345678901234", "entièrement numérique"),
    ("password1234", "trop courant"),
    ("claire.martin", "trop semblable"),
])
def test_each_password_validator_is_active(client, haematologist, weak, message):
    client.force_login(haematologist)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
    assert message in response.content.decode()
    haematologist.refresh_from_db()
    assert haematologist.check_password(PASSWORD)


def test_a_strong_new_password_is_accepted(client, haematologist):
    client.force_login(haematologist)
    new = "Rapamune-sirolimus-2021!"
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    haematologist.refresh_from_db()
    assert haematologist.check_password(new)


def test_a_link_cannot_log_a_user_out_and_a_post_ends_the_session(client, nurse):
    _login(client, nurse.username, PASSWORD)
    key = client.session.session_key
    client.get(reverse("logout"))  # e.g. an <img src> planted somewhere: refused (405)
    assert client.get(reverse("home")).status_code == 200

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(pk=key).exists()
    assert client.get(reverse("home")).status_code == 302


def test_logout_needs_the_csrf_token(nurse):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(nurse)
    assert csrf_client.post(reverse("logout")).status_code == 403
    assert csrf_client.get(reverse("home")).status_code == 200
