"""The security test's findings (issue 16, item 4), each as the tester found it."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.documents import cohort
from sirolimus_app.forms import PatientForm, ProposalChoiceForm, TreatmentChangeForm
from sirolimus_app.forms.common import TypedTextMixin, has_forbidden_characters
from sirolimus_app.forms.workflow import RejectForm
from sirolimus_app.models import Patient
from tests.conftest import PASSWORD
from tests.web.test_security_factories import new_patient

pytestmark = pytest.mark.django_db
LOCKOUT_TEXT = "Trop de tentatives de connexion"
# Django refuses NUL itself, with its own message; the app refuses the rest.
REFUSALS = ("Caractères de contrôle interdits", "Le caractère nul n’est pas autorisé")


def refused(text: str) -> bool:
    return any(message in text for message in REFUSALS)


def _login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


# --- usernames --------------------------------------------------------------------------

def test_a_300_character_username_is_refused_before_authentication(client):
    response = _login(client, "a" * 300, "x")
    assert response.status_code == 200
    assert "Identifiant trop long" in response.content.decode()


def test_the_admin_has_no_login_form_of_its_own(client):
    """Its sign-in is the application's (same checks, same throttling, then the 2nd factor)."""
    response = client.post(reverse("admin:login"), {"username": "a" * 300, "password": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=/admin/")


@pytest.mark.parametrize("username", ["dr.martin\x00", "dr.martin\u200b"])
def test_control_characters_in_the_username_are_refused_not_a_crash(client, haematologist,
                                                                     username):
    response = _login(client, username)
    assert response.status_code == 200
    assert refused(response.content.decode())
    assert "_auth_user_id" not in client.session


# --- invisible and control characters ---------------------------------------------------

@pytest.mark.parametrize("char", ["\x00", "\u200b", "\u202e", "\u2028", "\u2029", "\ufeff"])
def test_invisible_characters_in_an_ipp_or_name_are_refused(client, haematologist, char):
    new_patient(haematologist, "IPP-1234")
    client.force_login(haematologist)
    response = client.post(reverse("patient_create"), {
        "hospital_number": f"IPP-{char}1234", "last_name": f"Dupont{char}", "first_name": "Léa",
        "birth_date": "2015-04-10", "sex": "F", "diagnosis_date": "2024-01-10",
        "bsa_formula": "mosteller", "form": "solution"})
    assert response.status_code == 200
    assert refused(response.content.decode())
    assert Patient.objects.count() == 1


def test_line_breaks_stay_allowed_in_notes_but_not_separators():
    assert not has_forbidden_characters("Aphtes.\r\nBains de bouche.\t", multiline=True)
    assert has_forbidden_characters("Aphtes.\u2028Faux en-tête", multiline=True)
    assert has_forbidden_characters("Dupont\n")
    assert not has_forbidden_characters("Lefèvre-Ündé d'Ávila")


@pytest.mark.parametrize("form_class,data", [
    (TreatmentChangeForm, {"on_date": "2024-01-10", "reason": "Aphtes\u202e.stnemele"}),
    (ProposalChoiceForm, {"choice": "1", "action": "increase", "mg_per_day": "2.5",
                          "reason": "ok\x00"}),
    (RejectForm, {"version": "1", "reason": "Dose\u200b incohérente"}),
])
def test_reasons_refuse_control_and_format_characters(form_class, data):
    form = form_class(data)
    assert not form.is_valid()
    assert refused(" ".join(form.errors["reason"]))


def _form_classes():
    import sirolimus_app.forms as forms_package
    import sirolimus_app.forms.workflow as workflow
    from sirolimus_app.forms import search

    for module in (forms_package, workflow, search):
        for value in vars(module).values():
            if isinstance(value, type) and hasattr(value, "base_fields"):
                yield value


def test_every_form_with_typed_text_or_dates_checks_it():
    """Every form of the app with a text or date field applies the typed-text rule."""
    from django import forms

    checked = []
    for form_class in _form_classes():
        if any(isinstance(f, forms.CharField | forms.DateField | forms.DateTimeField)
               for f in form_class.base_fields.values()):
            assert issubclass(form_class, TypedTextMixin), form_class
            checked.append(form_class)
    assert PatientForm in checked and RejectForm in checked and len(checked) >= 10


@pytest.mark.parametrize("q", ["\x00", "Mar\x00tin", "\u200b"])
def test_a_nul_in_the_search_is_a_message_never_a_500(client, haematologist, q):
    new_patient(haematologist, "IPP-1234", last_name="Martin")
    client.force_login(haematologist)
    response = client.get(reverse("patient_list"), {"q": q})
    assert response.status_code == 200
    assert 'data-testid="search-error"' in response.content.decode()


def test_the_search_still_finds_by_name(client, haematologist):
    new_patient(haematologist, "IPP-1234", last_name="Martin")
    client.force_login(haematologist)
    response = client.get(reverse("patient_list"), {"q": " martin "})
    assert "IPP-1234" in response.content.decode()
    assert 'data-testid="search-error"' not in response.content.decode()


# --- dates ------------------------------------------------------------------------------

@pytest.mark.parametrize("day,message", [
    ("9999-12-31", "futur"), ("1899-12-31", "antérieure à 1900"), ("0001-01-01", "1900")])
def test_implausible_dates_are_refused(day, message):
    form = TreatmentChangeForm({"on_date": day, "reason": "Aphtes."})
    assert not form.is_valid()
    assert message in " ".join(form.errors["on_date"])


def test_a_planned_visit_may_be_ahead_but_not_centuries_ahead(haematologist):
    from sirolimus_app.forms.records import VisitForm

    patient = new_patient(haematologist, "IPP-1234")
    soon = timezone.localdate() + timedelta(days=30)
    assert VisitForm({"label": "M3", "planned_date": soon.isoformat()},
                     patient=patient).is_valid()
    form = VisitForm({"label": "M3", "planned_date": "9999-12-31"}, patient=patient)
    assert not form.is_valid() and "planned_date" in form.errors


def test_a_birth_date_in_the_far_future_is_refused(client, haematologist):
    client.force_login(haematologist)
    response = client.post(reverse("patient_create"), {
        "hospital_number": "IPP-9999", "last_name": "Dupont", "first_name": "Léa",
        "birth_date": "9999-12-31", "sex": "F", "diagnosis_date": "9999-12-31",
        "bsa_formula": "mosteller", "form": "solution"})
    assert response.status_code == 200
    assert not Patient.objects.filter(hospital_number="IPP-9999").exists()
    assert 'max="' in response.content.decode()


# --- sign-in, password change, spraying -------------------------------------------------

def test_the_login_loop_next_sends_a_signed_in_user_home(client, nurse):
    client.force_login(nurse)
    response = client.get(reverse("login"), {"next": reverse("login")})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_a_safe_next_is_still_followed(client, nurse):
    client.force_login(nurse)
    response = client.get(reverse("login"), {"next": reverse("patient_list")})
    assert response["Location"] == reverse("patient_list")


def test_password_change_guesses_are_throttled_like_the_login(client, haematologist):
    client.force_login(haematologist)
    url = reverse("password_change")
    data = {"new_password1": "Un-nouveau-solide-42", "new_password2": "Un-nouveau-solide-42"}
    for _ in range(4):
        response = client.post(url, {"old_password": "devine", **data})
        assert response.status_code == 200
        assert "ancien mot de passe est incorrect" in response.content.decode()
    response = client.post(url, {"old_password": "devine", **data})
    assert response.status_code == 429 and LOCKOUT_TEXT in response.content.decode()
    # Locked: even the right password is refused, and it stays unchanged.
    response = client.post(url, {"old_password": PASSWORD, **data})
    assert response.status_code == 429
    haematologist.refresh_from_db()
    assert haematologist.check_password(PASSWORD)


def test_the_right_old_password_still_changes_it(client, haematologist):
    client.force_login(haematologist)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Un-nouveau-solide-42",
        "new_password2": "Un-nouveau-solide-42"})
    assert response.status_code == 302
    haematologist.refresh_from_db()
    assert haematologist.check_password("Un-nouveau-solide-42")


@override_settings(AXES_ADDRESS_FAILURE_LIMIT=6)
def test_one_address_trying_many_usernames_is_throttled(client, cast):
    """Password spraying: two wrong passwords each on three accounts, none locked by itself;
    the address is, and then even a right password from it is refused."""
    for username in ("dr.martin", "ide.bernard", "ph.petit"):
        for _ in range(2):
            assert _login(client, username, "Printemps2026!").status_code == 200
    response = _login(client, "secretariat")
    assert response.status_code == 429 and LOCKOUT_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert _login(client, "secretariat", REMOTE_ADDR="10.1.2.3").status_code == 302


def test_the_address_limit_is_above_the_per_account_limit(settings):
    assert settings.AXES_ADDRESS_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT


# --- CSV --------------------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ("x;=2+3;", "x;'=2+3;"), ("a; +1;@b", "a;' +1;'@b"), ("=1", "'=1"), ("a;b", "a;b")])
def test_every_semicolon_segment_is_disarmed(value, expected):
    assert cohort.safe_cell(value) == expected


def test_every_csv_field_is_quoted():
    text = cohort.to_csv(["a", "b"], [["x;=2+3;", 5]])
    assert text.splitlines() == ['"a","b"', '"x;\'=2+3;","5"']
    assert list(csv.reader(io.StringIO(text)))[1] == ["x;'=2+3;", "5"]


# --- caching and sessions ---------------------------------------------------------------

def test_pages_with_patient_data_are_never_stored(client, haematologist):
    patient = new_patient(haematologist, "IPP-1234")
    client.force_login(haematologist)
    for url in (reverse("home"), reverse("patient_list"),
                reverse("patient_detail", args=[patient.pk]),
                reverse("patient_history", args=[patient.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_the_session_ends_after_its_absolute_lifetime(client, nurse, settings):
    import time

    from sirolimus_app.middleware_security import SIGNED_IN_AT

    _login(client, nurse.username)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_absolute_lifetime_defaults_to_twelve_hours(settings):
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600


def test_gunicorn_names_itself_without_a_version():
    """The Server header is gunicorn's (the app sends none): its name, never its version."""
    import gunicorn
    from gunicorn.http.wsgi import Response

    class Request:
        version = (1, 1)
        headers = []

    response = Response(Request(), None, type("Cfg", (), {"is_ssl": False})())
    assert response.version == "gunicorn" and gunicorn.__version__ not in response.version


def test_the_app_sends_no_server_header(client, nurse):
    client.force_login(nurse)
    assert "Server" not in client.get(reverse("home")).headers


def test_date_default_bounds_are_sane():
    from sirolimus_app.forms.common import EARLIEST_DATE, latest_plausible_date

    assert EARLIEST_DATE == date(1900, 1, 1)
    assert timezone.localdate() < latest_plausible_date() < date(2200, 1, 1)
