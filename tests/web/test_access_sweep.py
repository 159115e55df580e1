"""Every URL pattern of the project, for every kind of visitor.

The patterns are read from the resolver, so a page added without an entry in ACCESS below
fails here until someone decides who may open it. Path parameters are filled with real
objects. For each pattern: an anonymous visitor is sent to a login page and sees no data;
each role gets the page where it should and 403 elsewhere (GET and POST), and a refused
request changes nothing; a user with no role sees nothing clinical.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sirolimus_app.models import (
    AccessLogEntry,
    AuditEvent,
    CoMedication,
    MonitoringCheck,
    Prescription,
    Visit,
)
from sirolimus_app.services import dispensing, prescriptions
from tests.conftest import verify_second_factor
from tests.interop.test_review import held_result
from tests.web.test_security_factories import (
    CLINICAL_MODELS,
    TODAY,
    proposed_prescription,
    rich_patient,
)

# Proposals built by hand, validated without the engine (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("hand_made_proposals")

H, N, P = "haematologist", "nurse", "pharmacist"
CLINICAL = {H, N, P}
GET, POST = "GET", "POST"
FORM = "GET POST"  # a form shown on GET and saved on POST

# Who may open each page, and the methods it answers.
ACCESS: dict[str, tuple[str, set[str]]] = {
    "home": (GET, CLINICAL),
    "patient_list": (GET, CLINICAL),
    "patient_create": (FORM, {H}),
    "patient_detail": (GET, CLINICAL),
    "patient_edit": (FORM, {H}),
    "patient_eligibility": (GET, CLINICAL),
    "patient_proposal": (FORM, CLINICAL),
    "patient_history": (GET, CLINICAL),
    "patient_suspend": (FORM, {H}),
    "patient_stop": (FORM, {H}),
    "prescription_withdraw": (POST, {H}),
    "trough_add": (FORM, {H, N}),
    "lab_add": (FORM, {H}),
    "visit_add": (FORM, {H}),
    "visit_edit": (FORM, {H}),
    "adverse_event_add": (FORM, {H}),
    "measurement_add": (FORM, {H, N}),
    "comedication_add": (FORM, {H, P}),  # the pharmacist, at reconciliation
    "comedication_edit": (FORM, {H}),
    # Swept on a visit the haematologist entered: the nurse and the pharmacist may void only
    # their own entries (tests/web/test_corrections.py).
    "record_void": (FORM, {H}),
    "record_correct": (FORM, {H}),
    "pharmacy_worklist": (GET, {P}),
    "prescription_review": (GET, CLINICAL),
    "prescription_validate": (POST, {P}),
    "prescription_reject": (POST, {P}),
    "nurse_worklist": (GET, {H, N}),
    "nurse_day_sheet": (GET, {H, N}),
    "nurse_day_sheet_pdf": (GET, {H, N}),
    "prescription_dispense": (FORM, {P}),
    "prescription_repropose": (POST, {H}),
    "documents_prescription_pdf": (GET, {H}),  # signed by the prescriber
    "documents_bottle_label_pdf": (GET, {P}),
    "nurse_check_done": (POST, {H, N}),
    "nurse_check_vitals": (POST, {H, N}),
    # Swept on the nurse's tick: she and the haematologists may undo it.
    "nurse_check_undo": (FORM, {H, N}),
    "documents_schedule_pdf": (GET, CLINICAL),
    "documents_schedule_ics": (GET, CLINICAL),
    "documents_summary_pdf": (GET, CLINICAL),
    "documents_dose_sheet_pdf": (GET, CLINICAL),
    "documents_cohort": (GET, {H}),
    "documents_cohort_patients_csv": (GET, {H}),
    "documents_cohort_events_csv": (GET, {H}),
    "patient_access_log": (GET, {H}),
    "interop_review": (GET, {H}),
    "interop_attach": (POST, {H}),
    "interop_reject": (POST, {H}),
}
# Pages of one's own account: any logged-in user, with or without a role.
ACCOUNT = {"password_change": GET, "password_change_done": GET, "logout": POST,
           "otp_verify": FORM, "otp_setup": FORM}
# The only pages open without logging in (the language switch is on the login page).
PUBLIC = {"login", "healthz", "favicon", "set_language", "admin:login", "oidc_authentication_init",
          "oidc_authentication_callback", "accessibility"}  # RGAA: the statement is public
# The FHIR API: no session, a bearer token instead (tests/interop/test_fhir_api.py).
TOKEN = {"fhir_observation", "fhir_bundle", "fhir_patient_everything"}


def url_patterns(patterns=None, prefix="", namespace=None):
    """(qualified name, route, parameter names) of every pattern, included ones too."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, route,
                                    pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name, route, pattern


ALL = list(url_patterns())
PROJECT = [(name, route) for name, route, _ in ALL
           if not route.startswith("admin/") and name not in TOKEN]
ADMIN = [(name, route) for name, route, _ in ALL if route.startswith("admin/")]


def test_every_project_page_has_a_decision_on_who_may_open_it():
    names = {name for name, _ in PROJECT}
    assert None not in names, "every page needs a name to be checked"
    undecided = names - set(ACCESS) - set(ACCOUNT) - PUBLIC
    assert not undecided, f"add these pages to ACCESS with the roles allowed: {undecided}"
    assert not set(ACCESS) - names, "ACCESS lists pages that no longer exist"


def test_only_the_login_the_language_and_the_health_probe_are_open_without_login():
    open_views = {name for name, _, pattern in ALL
                  if getattr(pattern.callback, "login_required", True) is False}
    assert open_views == PUBLIC | TOKEN


def test_the_api_refuses_every_request_without_a_token(client, world):
    for name, route, _ in ALL:
        if name in TOKEN:
            url = "/" + route.replace("<int:pk>", str(world["patient"].pk))
            for verb in (GET, POST):
                response = getattr(client, verb.lower())(url)
                assert response.status_code in (401, 405), (verb, url)
                assert _clean(response, world), url


# --- the objects the parameters point at ------------------------------------------------

@pytest.fixture
def world(haematologist, haematologist2, nurse, pharmacist, outsider):
    """A patient with every kind of record, an active prescription and a pending one."""
    patient = rich_patient(haematologist, nurse, "IPP-SWEEP", "Confidentiel")
    first = Prescription.objects.get(patient=patient)
    active = prescriptions.validate(pharmacist, first.pk, first.version, today=TODAY)
    pending = proposed_prescription(patient, haematologist2, mg="1.50")
    return {"patient": patient, "active": active, "pending": pending,
            "visit": Visit.objects.get(patient=patient),
            "comedication": CoMedication.objects.get(patient=patient),
            "check": MonitoringCheck.objects.get(patient=patient),
            "inbound": held_result(),
            "dispensing": dispensing.dispense(pharmacist, active.pk, days=28, batch="LOT-1",
                                              expiry=TODAY + timedelta(days=365), today=TODAY),
            "users": {H: haematologist, N: nurse, P: pharmacist, "outsider": outsider}}


# The literal segment before a parameter says what kind of object it names.
KINDS = {"patients": "patient", "pharmacie": "pending", "prescriptions": "pending",
         "visites": "visit", "traitements-associes": "comedication", "releves": "check",
         "resultats-recus": "inbound", "dispensations": "dispensing"}


# Pages of a validated prescription only.
VALIDATED_ONLY = {"documents_dose_sheet_pdf", "documents_prescription_pdf", "prescription_dispense"}
# Pages of any kind of record: <kind> is the model's name.
RECORD_PAGES = {"record_void", "record_correct"}


def url_for(name: str, route: str, world) -> str:
    if name in RECORD_PAGES:
        visit = world["visit"]
        return reverse(name, args=[visit.patient_id, "visit", visit.pk])
    kwargs = {}
    for match in re.finditer(r"([\w-]+)/<(?:\w+:)?(\w+)>", route):
        segment, parameter = match.groups()
        assert segment in KINDS, f"{route}: what does <{parameter}> after {segment}/ name?"
        kind = KINDS[segment]
        if name in VALIDATED_ONLY:
            kind = "active"  # printed, or dispensed, for a validated prescription
        kwargs[parameter] = world[kind].pk
    return reverse(name, kwargs=kwargs)


def _secret_parts(world) -> list[str]:
    patient = world["patient"]
    return [patient.hospital_number, patient.last_name, patient.last_name.upper(),
            patient.study_code]


def _clean(response, world) -> bool:
    body = response.content.decode(errors="replace") if not response.streaming else ""
    return not any(secret in body for secret in _secret_parts(world))


# --- anonymous --------------------------------------------------------------------------

def test_anonymous_visitors_get_the_login_page_and_no_data(client, world):
    problems = []
    audit_lines = AuditEvent.objects.count()
    for name, route in PROJECT:
        if name in PUBLIC:
            continue
        url = url_for(name, route, world)
        for verb in (GET, POST):
            response = getattr(client, verb.lower())(url)
            login = reverse("login")
            if response.status_code != 302 or not response["Location"].startswith(
                    f"{login}?next="):
                problems.append(f"{verb} {url}: {response.status_code}")
            elif response.content or not _clean(response, world):
                problems.append(f"{url}: the redirect carries content")
    assert not problems, "\n".join(problems)
    assert AuditEvent.objects.count() == audit_lines


def test_public_pages_show_nothing_clinical(client, world):
    for name in ("login", "healthz"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert _clean(response, world)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/patients/"})
    assert response.status_code == 302 and not response.content
    assert client.get(response["Location"])["Location"].startswith(reverse("login"))


# --- each role, and a user with no role --------------------------------------------------

def _sweep(client, user, world, allowed_for, login=True):
    """GET then POST every page as `user`; return what differs from ACCESS."""
    if login:
        client.force_login(user)
    problems = []
    # Pages first, then actions (an allowed POST may change the objects other URLs use).
    for name, route in sorted(PROJECT, key=lambda item: ACCESS.get(item[0], (GET,))[0]):
        if name not in ACCESS:
            continue
        methods, roles = ACCESS[name]
        url = url_for(name, route, world)
        allowed = allowed_for(roles)
        if not allowed:
            for verb in (GET, POST):
                response = getattr(client, verb.lower())(url)
                # 405 when the method is not the page's: refused before anything is read.
                expected = (403,) if verb in methods.split() else (403, 405)
                if response.status_code not in expected or not _clean(response, world):
                    problems.append(f"{verb} {url}: {response.status_code}, expected refusal")
        elif GET in methods.split():
            response = client.get(url)
            if response.status_code != 200:
                problems.append(f"GET {url}: {response.status_code}, expected 200")
        else:
            response = client.post(url)  # empty form: refused with a message, never a 500
            if response.status_code not in (200, 302):
                problems.append(f"POST {url}: {response.status_code}, expected 200/302")
    return problems


def clinical_rows() -> dict:
    return {model._meta.label: list(model.objects.order_by("pk").values())
            for model in CLINICAL_MODELS}


@pytest.mark.parametrize("role", [H, N, P])
def test_each_role_reaches_its_pages_and_is_refused_elsewhere(client, world, role):
    before = clinical_rows()
    problems = _sweep(client, world["users"][role], world, lambda roles: role in roles)
    assert not problems, "\n".join(problems)
    # Refusals change nothing, and empty POSTs to its own actions are refused by the forms.
    assert clinical_rows() == before


def test_a_user_without_role_sees_nothing_clinical(client, world):
    before, lines = clinical_rows(), AuditEvent.objects.count()
    problems = _sweep(client, world["users"]["outsider"], world, lambda roles: False)
    assert not problems, "\n".join(problems)
    assert clinical_rows() == before and AuditEvent.objects.count() == lines
    assert client.get(reverse("password_change")).status_code == 200


@pytest.mark.parametrize("who", [None, H, N, P, "outsider"])
def test_the_admin_is_for_staff_only(client, world, who):
    if who:
        client.force_login(world["users"][who])
    audit = AuditEvent.objects.first()
    for name, route in ADMIN:
        if name and name.split(":")[1] in ("login",):
            continue
        url = "/" + re.sub(r"<(?:\w+:)?\w+>", str(audit.pk), route)
        url = url.replace("^(?P<app_label>auth|axes|sirolimus_app)/$", "sirolimus_app/")
        url = url.replace("(?P<url>.*)$", "nowhere/")
        response = client.get(url)
        assert response.status_code in (302, 405), url  # logout is POST only
        if response.status_code == 302:  # to a login page (logout: to the admin's index)
            assert re.search(r"login|connexion|^/admin/$", response["Location"]), url
        assert _clean(response, world), url


def test_a_staff_user_without_a_role_still_cannot_open_clinical_pages(client, world):
    staff = User.objects.create_user("support", password="Un-support-solide-42",
                                     is_staff=True)
    client.force_login(staff)
    url = reverse("patient_detail", args=[world["patient"].pk])
    # Staff owe a second factor first; past it, still no clinical role.
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_verify"))
    verify_second_factor(client, staff)
    assert client.get(url).status_code == 403


# --- with the second factor required -----------------------------------------------------

def _owes_second_factor(client, user, world) -> list[str]:
    """Every page but the account's own sends to the second factor, and shows nothing."""
    client.force_login(user)
    problems = []
    for name, route in PROJECT:
        if name in PUBLIC or name in ("otp_verify", "otp_setup", "logout"):
            continue
        url = url_for(name, route, world)
        for verb in (GET, POST):
            response = getattr(client, verb.lower())(url)
            if response.status_code != 302 or not response["Location"].startswith(
                    reverse("otp_verify")) or not _clean(response, world):
                problems.append(f"{verb} {url}: {response.status_code}")
    return problems


@pytest.mark.parametrize("role", [H, N, P])
def test_when_a_role_requires_the_second_factor_nothing_opens_without_it(client, world, role):
    before, reads = clinical_rows(), AccessLogEntry.objects.count()
    with override_settings(OTP_REQUIRED_FOR=[role]):
        problems = _owes_second_factor(client, world["users"][role], world)
    assert not problems, "\n".join(problems)
    assert clinical_rows() == before and AccessLogEntry.objects.count() == reads


@pytest.mark.parametrize("role", [H, N, P])
def test_with_the_second_factor_each_role_reaches_exactly_its_pages(client, world, role):
    user = world["users"][role]
    with override_settings(OTP_REQUIRED_FOR=[role]):
        verify_second_factor(client, user)
        before = clinical_rows()
        problems = _sweep(client, user, world, lambda roles: role in roles, login=False)
    assert not problems, "\n".join(problems)
    assert clinical_rows() == before


def test_a_verified_user_without_a_role_still_sees_nothing_clinical(client, world):
    outsider = world["users"]["outsider"]
    with override_settings(OTP_REQUIRED_FOR=["all"]):
        assert _owes_second_factor(client, outsider, world) == []
        verify_second_factor(client, outsider)
        problems = _sweep(client, outsider, world, lambda roles: False, login=False)
    assert not problems, "\n".join(problems)


def test_refused_pages_leave_no_access_line_and_allowed_ones_one(client, world):
    """A refused request reads nothing, so it logs no read; an opened page logs one."""
    patient = world["patient"]
    client.force_login(world["users"]["outsider"])
    client.get(reverse("patient_detail", args=[patient.pk]))
    assert not AccessLogEntry.objects.exists()
    client.force_login(world["users"][N])
    client.get(reverse("patient_detail", args=[patient.pk]))
    assert AccessLogEntry.objects.filter(patient=patient, page="record").count() == 1


def test_unknown_or_absurd_ids_are_404_never_a_crash(client, world):
    client.force_login(world["users"][H])
    checked = 0
    for name, route in PROJECT:
        methods, roles = ACCESS.get(name, ("", set()))
        if "GET" not in methods or H not in roles or "<" not in route:
            continue
        for bad in (987654, 2**63, 10**30):
            kwargs = {p: bad for p in re.findall(r"<(?:\w+:)?(\w+)>", route)}
            assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, (name, bad)
            checked += 1
    assert checked


def test_a_record_is_only_reached_through_its_own_patient(client, world, haematologist,
                                                          nurse):
    """/patients/<other>/visites/<this patient's visit>/ must not open (or change) it."""
    other = rich_patient(haematologist, nurse, "IPP-OTHER", "Autre")
    client.force_login(haematologist)
    before = clinical_rows()
    for name, route in PROJECT:
        parameters = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if not route.startswith("patients/") or len(parameters) < 2:
            continue
        url = url_for(name, route, world).replace(
            f"/patients/{world['patient'].pk}/", f"/patients/{other.pk}/", 1)
        methods = ACCESS[name][0].split()
        for verb in methods:
            response = getattr(client, verb.lower())(url, {"version": "1"}
                                                     if verb == POST else None)
            assert response.status_code == 404, (verb, url)
    assert clinical_rows() == before
