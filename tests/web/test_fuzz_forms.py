"""Every form of the project, fuzzed through its page with absurd, empty, huge, wrong-unit,
wrong-type and injection-shaped values: never a 500, the error shown next to the field that
holds the bad value, nothing saved.

The forms are found from the project's URL table (test_access_sweep.ACCESS) and read from
the page as a browser would: each field's kind (number, date, list…) decides which values
are certainly wrong for it. Free text (names, notes, reasons) may hold anything: there the
test is that it never breaks the page, and tests/web/test_security_escaping.py checks that it
is shown escaped.
"""

import os
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sirolimus_app.models import AuditEvent, Patient
from tests.web.test_access_sweep import (
    ACCESS,
    FORM,
    PROJECT,
    clinical_rows,
    url_for,
    world,  # noqa: F401 (fixture used below)
)

# Proposals built by hand, validated without the engine (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("hand_made_proposals")

INJECTIONS = ["<script>alert(1)</script>", "'; DROP TABLE sirolimus_app_patient; --",
              '=HYPERLINK("http://evil.example","x")', "{{ 7*7 }}", "\x00", "12\x00"]
HUGE = ["9" * 10_000, "1" + "0" * 400, "99999999999999999999"]
NOT_NUMBERS = ["abc", "NaN", "nan", "inf", "-Infinity", "1e309", "-1e309", "1e12", "-1",
               "-0.01", "12 mg", "12 mg/m²", "5 ng/ml", "1,2,3", "0x1A", "1/2", "", " "]
NOT_DATES = ["2024-02-30", "31/02/2024", "2024-13-01", "0000-00-00", "hier", "1e309", "NaN",
             "2024-01-01T25:61", "32/13/2024 08:00", ""]
NOT_CHOICES = ["zzz", "mg/L", "kg", "ng/ml ", "NULL", ""]

WRONG = {
    "number": NOT_NUMBERS + INJECTIONS + HUGE,
    "date": NOT_DATES + INJECTIONS + HUGE,
    "datetime-local": NOT_DATES + INJECTIONS + HUGE,
    "select": NOT_CHOICES + INJECTIONS + HUGE,
    "radio": NOT_CHOICES + INJECTIONS + HUGE,
}
TEXT = INJECTIONS + HUGE + ["", " ", "Ω≈ç√∫ 😀 ‮ RTL", "a\r\nb"]
# Hidden fields carry what the page was built from (versions, ids); tampering is refused.
HIDDEN = NOT_NUMBERS + INJECTIONS + HUGE


class PageForms(HTMLParser):
    """The POST forms of the page at `page` that post to `target`: fields, kinds, values."""

    def __init__(self, page: str, target: str):
        super().__init__()
        self.page, self.target = page, target
        self.forms, self._form, self._textarea, self._select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form" and attrs.get("method", "").lower() == "post" \
                and (attrs.get("action") or self.page) == self.target:
            self._form = {}
            self.forms.append(self._form)
        if self._form is None or "name" not in attrs and tag != "option":
            return
        name = attrs.get("name")
        invalid = "is-invalid" in attrs.get("class", "")
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind == "text" and attrs.get("inputmode") == "decimal":
                kind = "number"  # a decimal typed as text (forms.records.DecimalInput)
            if kind in ("submit", "button") or name == "csrfmiddlewaretoken":
                return
            field = self._form.setdefault(name, {"kind": kind, "value": "", "options": [],
                                                 "invalid": False, "required": False})
            field["required"] |= "required" in attrs
            field["invalid"] |= invalid
            if kind in ("checkbox", "radio"):
                field["options"].append(attrs.get("value", "on"))
                if "checked" in attrs:
                    field["value"] = attrs.get("value", "on")
            else:
                field["value"] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = self._form[name] = {"kind": "textarea", "value": "", "options": [],
                                                 "invalid": invalid, "required": False}
        elif tag == "select":
            self._select = self._form[name] = {"kind": "select", "value": "", "options": [],
                                               "invalid": invalid,
                                               "required": "required" in attrs}
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value", ""))
            if "selected" in attrs or not self._select["value"]:
                self._select["value"] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data


def wrong_values(field: dict) -> list[str]:
    """Values certainly wrong for this field: blanks only where it is required, and for a
    list, only what is not one of its options."""
    return [value for value in WRONG[field["kind"]]
            if (value.strip() or field["required"]) and value not in field["options"]]


def forms_on(client, page: str, target: str) -> list[dict]:
    response = client.get(page)
    assert response.status_code == 200, page
    parser = PageForms(page, target)
    parser.feed(response.content.decode())
    return [form for form in parser.forms if form]


def values(form: dict) -> dict:
    return {name: field["value"] for name, field in form.items()
            if field["kind"] != "checkbox" or field["value"]}


FORM_PAGES = sorted(name for name, (methods, _roles) in ACCESS.items() if methods == FORM)
# Actions without a page of their own: the page that shows their form.
ACTION_PAGES = {"prescription_withdraw": "patient_detail", "prescription_validate":
                "prescription_review", "prescription_reject": "prescription_review",
                "nurse_check_done": "nurse_worklist", "nurse_check_vitals": "nurse_worklist",
                "interop_attach": "interop_review", "interop_reject": "interop_review"}
# Buttons that post nothing typed (the version the page was built from only): tested with a
# stale version in tests/web/test_decisions.py.
NO_TYPED_INPUT = {"prescription_repropose"}


FREE_TEXT_ONLY = {"record_void", "nurse_check_undo", "interop_attach", "interop_reject"}


def test_every_form_of_the_project_is_fuzzed():
    posted = {name for name, (methods, _roles) in ACCESS.items() if "POST" in methods}
    assert posted == set(FORM_PAGES) | set(ACTION_PAGES) | NO_TYPED_INPUT


@pytest.fixture
def fuzz_world(db, request, settings):
    """The access sweep's patient; the demo too for the proposal form (the engine proposes
    a dose to some of its patients)."""
    objects = request.getfixturevalue("world")
    if "patient_proposal" in request.node.name or "blank" in request.node.name:
        settings.DEBUG = True
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return objects


def locate(client, name, fuzz_world) -> tuple[str, dict]:
    """Log in as a role allowed to post the form; return where it posts and the form."""
    roles = ACCESS[name][1]
    role = next(r for r in ("haematologist", "nurse", "pharmacist") if r in roles)
    # Only the prescriber who proposed a prescription is offered to withdraw it.
    client.force_login(fuzz_world["pending"].proposed_by if name == "prescription_withdraw"
                       else fuzz_world["users"][role])
    target = url_for(name, dict(PROJECT)[name], fuzz_world)
    if name in ACTION_PAGES:
        page_name = ACTION_PAGES[name]
        pages = [url_for(page_name, dict(PROJECT)[page_name], fuzz_world)]
    elif name == "patient_proposal":  # a patient the engine proposes a dose for
        pages = [reverse(name, args=[patient.pk]) for patient in Patient.objects.all()]
    else:
        pages = [target]
    for page in pages:
        page_target = page if name == "patient_proposal" else target
        forms = forms_on(client, page, page_target)
        if forms:
            return page_target, forms[0]
    pytest.fail(f"no form posting to {name} found on {pages}: it cannot be fuzzed")


def fields_in_error(response, url) -> set[str]:
    parser = PageForms(url, url)
    html = response.content.decode()
    parser.feed(html)
    return {name for form in parser.forms for name, field in form.items()
            if field["invalid"] or f'id="error_1_id_{name}"' in html}


@pytest.mark.parametrize("name", FORM_PAGES + sorted(ACTION_PAGES))
def test_every_form_refuses_wrong_values_next_to_the_field(client, fuzz_world, name):
    url, form = locate(client, name, fuzz_world)
    checked = {n: f for n, f in form.items() if f["kind"] in WRONG}
    # `next` only says where to go back to (checked by the view): any value, never a 500.
    hidden = [n for n, f in form.items() if f["kind"] == "hidden" and n != "next"]
    texts = [n for n, f in form.items() if f["kind"] in ("text", "textarea") or n == "next"]
    if not (checked or hidden):
        # A reason alone: any text is a reason, a blank one is refused (the blank test below
        # and tests/web/test_corrections.py).
        assert name in FREE_TEXT_ONLY, f"{name}: nothing to fuzz"
        return
    baseline = values(form)
    before, lines = clinical_rows(), AuditEvent.objects.count()

    @settings(max_examples=20, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(data=st.data())
    def check(data):
        visible = bool(checked) and (not hidden or data.draw(st.booleans(), label="visible"))
        wrong, tampered = {}, {}
        if visible:  # one to three visible fields get a value certainly wrong for them
            for field in data.draw(st.lists(st.sampled_from(sorted(checked)), min_size=1,
                                            max_size=3, unique=True)):
                wrong[field] = data.draw(st.sampled_from(wrong_values(checked[field])),
                                         label=field)
        else:  # or the hidden fields the page was built with are tampered with
            for field in data.draw(st.lists(st.sampled_from(hidden), min_size=1,
                                            unique=True)):
                tampered[field] = data.draw(st.sampled_from(HIDDEN), label=field)
        typed = {field: data.draw(st.sampled_from(TEXT), label=field)
                 for field in data.draw(st.lists(st.sampled_from(texts), unique=True))
                 } if texts else {}
        response = client.post(url, {**baseline, **typed, **tampered, **wrong})  # 500 raises
        assert response.status_code in (200, 302), response.status_code
        if wrong:
            assert response.status_code == 200, f"accepted {wrong}"
            missing = set(wrong) - fields_in_error(response, url)
            assert not missing, f"no error next to {missing}: {wrong}"
        assert clinical_rows() == before, f"saved despite {wrong or tampered}"
        assert AuditEvent.objects.count() == lines

    check()


def test_blank_forms_save_nothing_and_say_why(client, fuzz_world):
    for name in FORM_PAGES:
        url, form = locate(client, name, fuzz_world)
        before = clinical_rows()
        response = client.post(url, {field: "" for field in form})  # what a browser sends
        assert response.status_code in (200, 302), name
        assert clinical_rows() == before, name
        html = response.content.decode() if response.status_code == 200 else ""
        assert "is-invalid" in html or "alert-danger" in html or response.status_code == 302
