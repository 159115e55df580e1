"""Several app servers on one database (docs/operations.md, "Plusieurs serveurs"): what a
request leaves behind for the next one — session, failed-login count and lockout, row
locks — is in the database, never in one server's memory or disk. `make loadtest
--servers 2` checks it running (every request to either server, 0 error, 0 lost write)."""

from axes.conf import settings as axes_settings  # axes fills in its defaults there
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.conftest import PASSWORD


def test_sessions_and_lockouts_are_kept_in_the_database():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert axes_settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    # Messages ride on the request (cookie or session), never in a server's memory.
    assert settings.MESSAGE_STORAGE.startswith("django.contrib.messages.storage.")


def test_a_sign_in_and_a_failed_attempt_are_rows_another_server_reads(client, nurse):
    client.post(reverse("login"), {"username": nurse.username, "password": "faux"})
    assert AccessAttempt.objects.filter(username=nurse.username).count() == 1
    response = client.post(reverse("login"), {"username": nurse.username,
                                              "password": PASSWORD})
    assert response.status_code == 302
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    assert session.get_decoded()["_auth_user_id"] == str(nurse.pk)
