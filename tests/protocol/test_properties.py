"""Properties over random valid and invalid courses (hypothesis)."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from protocol import RULES, CourseError, advise, parse_course
from protocol.bsa import plausibility

from .support import build

TODAY = date(2026, 6, 1)
DRUGS = [
    "paracétamol",
    "fluconazole",
    "Rifampicine",
    "diltiazem",
    "prednisone",
    "amoxicilline",
    "azathioprine",
    "jus de pamplemousse",
    "eltrombopag",
]
ALLERGIES = ["pénicilline", "soja", "arachide", "latex", "noix"]
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def days_before(max_days: int):
    return st.integers(0, max_days).map(lambda n: (TODAY - timedelta(days=n)).isoformat())


@st.composite
def patients(draw):
    height = draw(st.integers(400, 2100)) / 10
    bmi = draw(st.floats(8.5, 59))
    weight = round(min(max(bmi * (height / 100) ** 2, 1.5), 150), 1)
    assume(plausibility(weight, height) == [])
    return {
        # born before the earliest event the course can hold (830 days back)
        "birth_date": (TODAY - timedelta(days=draw(st.integers(830, 21 * 365)))).isoformat(),
        "weight_kg": weight,
        "height_cm": height,
        "bsa_formula": draw(st.sampled_from(["mosteller", "haycock", "dubois", "gehan_george"])),
        "itp_phase": draw(st.sampled_from(["newly_diagnosed", "persistent", "chronic", None])),
        "severity_signs": draw(st.sampled_from([True, False, None])),
        "allergies": draw(st.lists(st.sampled_from(ALLERGIES), max_size=2)),
        "vzv_immune": draw(st.sampled_from([True, False, None])),
        "comedications": draw(st.lists(st.sampled_from(DRUGS), max_size=3)),
        "prolonged_corticosteroids": draw(st.booleans()),
        "immunodeficiency": draw(st.booleans()),
    }


@st.composite
def doses(draw):
    starts = sorted(draw(st.sets(st.integers(0, 800), max_size=10)), reverse=True)
    entries = []
    for n in starts:
        mg = draw(st.sampled_from([0] * 3 + [x / 10 for x in range(1, 50)] + [5, 6]))
        entry = {"start": (TODAY - timedelta(days=n)).isoformat(), "mg_per_day": mg}
        if mg == 0 and draw(st.booleans()):
            entry["stop"] = True
        if mg and (mg * 10) % 5 == 0 and draw(st.booleans()):
            entry["form"] = "tablets"
        elif mg and draw(st.booleans()):
            entry["form"] = "solution"
        entries.append(entry)
    return entries


@st.composite
def courses(draw):
    data = build(
        draw(patients()),
        today=TODAY.isoformat(),
        form=draw(st.sampled_from(["solution", "tablets"])),
        doses=draw(doses()),
        troughs=draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "date": days_before(800),
                        "value": st.floats(0, 60).map(lambda v: round(v, 1)),
                        "unit": st.sampled_from(["ng/ml", "µg/l", "nmol/l"]),
                        "assay": st.sampled_from(["LC-MS/MS", "immunoassay"]),
                    }
                ),
                max_size=30,
            )
        ),
        platelets=draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "date": days_before(820),
                        "value": st.integers(0, 600),
                        "unit": st.sampled_from(["G/L", "10^9/L", "10⁹/l"]),
                        "bleeding": st.booleans(),
                    }
                ),
                max_size=30,
            )
        ),
        adverse_events=draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "date": days_before(700),
                        "kind": st.sampled_from(["aphthae", "fever", "hypertension", "other"]),
                        "declared": st.none(),
                    }
                ),
                max_size=3,
            )
        ),
    )
    data["patient"] = {k: v for k, v in data["patient"].items() if v is not None}
    return data


def proposals(advice: dict):
    yield advice["dose"]
    yield from advice["options"]
    if advice["taper"]:
        yield from advice["taper"]["steps"]
    for p in (advice["dose"], *advice["options"]):
        yield from p["alternatives"]


@SETTINGS
@given(courses())
def test_TOX_SUSPEND_no_proposal_at_or_above_a_dose_that_gave_a_toxic_trough(data):
    advice = advise(parse_course(data)).to_dict()
    if advice["day_of_treatment"] is None:
        return
    start = TODAY - timedelta(days=advice["day_of_treatment"])
    toxic = [
        t["dose_mg_per_day"]
        for t in advice["troughs"]
        if t["zone"] == "toxic" and t["dose_mg_per_day"] > 0 and t["date"] >= start.isoformat()
    ]
    if not toxic:
        return
    for p in proposals(advice):
        assert p["mg_per_day"] == 0 or p["mg_per_day"] < min(toxic), (p, toxic)


@SETTINGS
@given(courses())
def test_DOSE_CAP_and_DOSE_RANGE_no_proposal_above_4_mg_or_2_5_mg_per_m2(data):
    advice = advise(parse_course(data)).to_dict()
    bsa = Decimal(str(advice["bsa_m2"]))
    for p in proposals(advice):
        mg = Decimal(str(p["mg_per_day"]))
        assert 0 <= mg <= 4
        assert mg <= Decimal("2.5") * bsa, (p, bsa)


@SETTINGS
@given(courses())
def test_FORM_PRESENTATIONS_every_proposal_is_realisable(data):
    advice = advise(parse_course(data)).to_dict()
    for p in proposals(advice):
        mg = Decimal(str(p["mg_per_day"]))
        if p["form"] == "solution":
            assert mg % Decimal("0.1") == 0 and p["tablets"] is None
            assert Decimal(str(p["volume_ml"])) == mg
        else:
            assert mg % Decimal("0.5") == 0 and p["volume_ml"] is None
            assert sum(Decimal(k) * n for k, n in p["tablets"].items()) == mg
            assert set(p["tablets"]) <= {"0.5", "1", "2"}


@SETTINGS
@given(courses())
def test_REG_OFF_LABEL_any_valid_course_gets_advice_citing_known_rules(data):
    advice = advise(parse_course(data)).to_dict()
    cited = [a["rule"] for a in advice["alerts"]]
    for p in proposals(advice):
        cited += p.get("rules", [])
    for item in advice["schedule"] + advice["next"]:
        cited += item["rules"]
    assert set(cited) <= set(RULES)
    assert "REG-OFF-LABEL" in cited
    assert all(a["severity"] in ("info", "warning", "critical") for a in advice["alerts"])
    if not advice["eligible"]:
        assert advice["dose"]["mg_per_day"] == 0
        # a toxic trough still asks for its suspension (and 48 h control) when contraindicated
        pending = advice["pending_suspension"] is not None
        assert advice["dose"]["action"] == ("suspend" if pending else "none")


JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(["2026-13-01", "G/L", "mg/dl", "soja", "-", ""]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from paths(child, (*prefix, i))


@SETTINGS
@given(courses(), st.data())
def test_DOSE_START_invalid_input_raises_only_course_error(data, draw):
    path = draw.draw(st.sampled_from(list(paths(data))))
    junk = draw.draw(JUNK)
    if path:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = junk
    else:
        data = junk
    try:
        advice = advise(parse_course(data))
    except CourseError as error:
        assert error.problems and all(
            p.field and p.message_en and p.message_fr for p in error.problems
        )
    else:
        assert advice.to_dict()["dose"]["mg_per_day"] <= 4
