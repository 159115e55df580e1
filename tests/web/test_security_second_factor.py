"""The second factor for local accounts (issue 16, item 3): TOTP enrolment with a QR code drawn
here, backup codes, who must give it (OTP_REQUIRED_FOR), the admin behind it, and the recovery
command."""

import re
import time

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sirolimus_app.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
STAFF_PASSWORD = "Un-support-tres-solide-42"


def code(device, ahead: int = 0) -> str:
    """What the phone shows now (or `ahead` steps later: a code is accepted once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def staff(db):
    return User.objects.create_user("support", password=STAFF_PASSWORD, is_staff=True,
                                    first_name="Sam", last_name="Support")


def enrol(client, user) -> list[str]:
    page = client.get(reverse("otp_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(reverse("otp_setup"), {"token": code(device), "next": "/"})
    assert done.status_code == 200
    return re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())


def test_staff_enrol_at_first_sign_in_with_a_locally_drawn_qr_code(client, staff):
    response = sign_in(client, "support", STAFF_PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))
    to_setup = client.get(reverse("otp_verify"))
    assert to_setup["Location"].startswith(reverse("otp_setup"))
    page = client.get(reverse("otp_setup")).content.decode()
    qr = page[page.index('data-testid="otp-qr"'):]
    assert "<svg" in qr and "<path" in qr
    assert "http" not in qr.split("</svg>")[0]  # no outside service draws (or sees) it
    assert 'style="' not in qr.split("</svg>")[0]  # the CSP forbids inline styles
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=staff)
    assert secret and not device.confirmed
    done = client.post(reverse("otp_setup"), {"token": code(device)})
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/"' in done.content.decode()  # "Continuer" goes home
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=staff).count() == 10
    assert client.get(reverse("password_change")).status_code == 200  # no role: no home page
    assert AuditEvent.objects.filter(action="account.second_factor_enrolled",
                                     object_id=str(staff.pk)).count() == 1


def test_a_wrong_code_does_not_enrol(client, staff):
    sign_in(client, "support", STAFF_PASSWORD)
    client.get(reverse("otp_setup"))
    response = client.post(reverse("otp_setup"), {"token": "000000"})
    assert response.status_code == 200 and "Code incorrect" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    assert client.get(reverse("home")).status_code == 302


@pytest.fixture
def enrolled(client, staff):
    sign_in(client, "support", STAFF_PASSWORD)
    codes = enrol(client, staff)
    client.post(reverse("logout"))
    return codes


def test_next_sign_in_asks_for_the_code_then_opens(client, staff, enrolled):
    sign_in(client, "support", STAFF_PASSWORD)
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))
    wrong = client.post(reverse("otp_verify"), {"token": "123456"})
    assert "Code incorrect" in wrong.content.decode()
    device = TOTPDevice.objects.get(user=staff)
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    response = client.post(reverse("otp_verify"), {"token": code(device, ahead=1),
                                                   "next": reverse("patient_list")})
    assert response.status_code == 302 and response["Location"] == reverse("patient_list")
    assert client.get(reverse("password_change")).status_code == 200


def test_a_backup_code_works_once(client, staff, enrolled):
    sign_in(client, "support", STAFF_PASSWORD)
    response = client.post(reverse("otp_verify"), {"token": enrolled[0]})
    assert response.status_code == 302
    assert client.get(reverse("password_change")).status_code == 200
    client.post(reverse("logout"))
    sign_in(client, "support", STAFF_PASSWORD)
    again = client.post(reverse("otp_verify"), {"token": enrolled[0]})
    assert again.status_code == 200 and "Code incorrect" in again.content.decode()
    assert StaticToken.objects.filter(device__user=staff).count() == 9


def test_a_sign_in_without_the_code_reaches_nothing(client, staff, enrolled):
    sign_in(client, "support", STAFF_PASSWORD)
    for url in (reverse("home"), reverse("patient_list"), "/admin/",
                reverse("password_change")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("otp_verify")), url


def test_the_admin_requires_the_second_factor(client, staff, enrolled):
    staff.is_superuser = True
    staff.save()
    sign_in(client, "support", STAFF_PASSWORD)
    assert client.get("/admin/")["Location"].startswith(reverse("otp_verify"))
    assert client.get("/admin/login/?next=/admin/")["Location"].startswith(
        reverse("otp_verify"))
    client.post(reverse("otp_verify"), {"token": enrolled[1]})
    assert client.get("/admin/").status_code == 200


def test_an_enrolled_user_without_a_second_factor_policy_is_still_asked(client, nurse):
    client.post(reverse("login"), {"username": nurse.username, "password": PASSWORD})
    assert client.get(reverse("home")).status_code == 200  # nurses: not required by default
    enrol(client, nurse)
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": nurse.username, "password": PASSWORD})
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))


@override_settings(OTP_REQUIRED_FOR=["haematologist"])
def test_the_policy_is_per_role(client, haematologist, nurse):
    client.post(reverse("login"), {"username": haematologist.username, "password": PASSWORD})
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": nurse.username, "password": PASSWORD})
    assert client.get(reverse("home")).status_code == 200


def test_staff_and_superusers_are_required_by_default(settings):
    assert set(settings.OTP_REQUIRED_FOR) == {"staff", "superuser"}


def test_enrolled_users_cannot_replace_their_device_themselves(client, staff, enrolled):
    sign_in(client, "support", STAFF_PASSWORD)
    client.post(reverse("otp_verify"), {"token": enrolled[2]})
    page = client.get(reverse("otp_setup")).content.decode()
    assert 'data-testid="otp-enrolled"' in page
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_recovery_resets_the_devices_and_is_audited(client, staff, enrolled):
    call_command("reset_second_factor", "support", "--reason", "téléphone perdu")
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    line = AuditEvent.objects.get(action="account.second_factor_reset")
    assert line.after["reason"] == "téléphone perdu"
    sign_in(client, "support", STAFF_PASSWORD)
    assert client.get(reverse("otp_verify"))["Location"].startswith(reverse("otp_setup"))


def test_recovery_of_an_unknown_user_fails_clearly(db):
    with pytest.raises(CommandError, match="inconnu"):
        call_command("reset_second_factor", "personne", "--reason", "x")


def test_the_code_field_refuses_control_characters(client, staff, enrolled):
    sign_in(client, "support", STAFF_PASSWORD)
    response = client.post(reverse("otp_verify"), {"token": "12\u200b3456"})
    assert response.status_code == 200
    assert "Caractères de contrôle interdits" in response.content.decode()
