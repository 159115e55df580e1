"""The fixed cast of users every view test uses, and the browser fixtures."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.utils import translation

from sirolimus_app.roles import Role

PASSWORD = "motdepasse-test-solide"


@pytest.fixture(autouse=True)
def french_by_default():
    """Every test starts in the default language: a request made in English earlier leaves
    the thread's language switched, and messages built outside a request would follow it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _user(username: str, role: str | None, first: str, last: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, first_name=first,
                                    last_name=last)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def haematologist(db):
    return _user("dr.martin", Role.HAEMATOLOGIST, "Claire", "Martin")


@pytest.fixture
def haematologist2(db):
    return _user("dr.durand", Role.HAEMATOLOGIST, "Paul", "Durand")


@pytest.fixture
def nurse(db):
    return _user("ide.bernard", Role.NURSE, "Julie", "Bernard")


@pytest.fixture
def pharmacist(db):
    return _user("ph.petit", Role.PHARMACIST, "Marc", "Petit")


@pytest.fixture
def pharmacist2(db):
    return _user("ph.roux", Role.PHARMACIST, "Léa", "Roux")


@pytest.fixture
def outsider(db):
    """Can log in, has no clinical role."""
    return _user("secretariat", None, "Anne", "Morel")


@pytest.fixture
def cast(haematologist, nurse, pharmacist, outsider):
    return {"haematologist": haematologist, "nurse": nurse, "pharmacist": pharmacist,
            "outsider": outsider}


def client_for(client, user):
    client.force_login(user)
    return client


def verify_second_factor(client, user):
    """Sign `user` in with a confirmed TOTP device, as if the code had been typed: what the
    admin and the second-factor policy require."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sirolimus_app.second_factor import PENDING

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or \
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.pop(PENDING, None)
    session.save()
    return client


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, past the second factor the admin requires."""
    return verify_second_factor(client, admin_user)


@pytest.fixture
def hand_made_proposals(monkeypatch):
    """For the tests of access, escaping, the audit trail and backups, whose worlds hold
    proposals built by hand (tests/web/test_security_factories.proposed_prescription) so that
    they do not depend on today's advice: validating and activating those does not ask the
    engine again, nor does dispensing them. The decision checks themselves are tested in
    tests/web/test_decisions.py and tests/web/test_dispensing.py."""
    from sirolimus_app.services import decisions, prescriptions

    monkeypatch.setattr(prescriptions, "check_decision", lambda prescription, today=None: None)
    monkeypatch.setattr(decisions, "check_decision", lambda prescription, today=None: None)
    monkeypatch.setattr(decisions, "refuse_if_forbidden", lambda advice: None)
