"""The shape of the code, checked on its syntax tree (no database):

- layers import downward only: protocol ← models ← services ← presenters ← documents ←
  views ← urls (README, "Parts");
- no code outside protocol/ decides on a rule ID or searches an engine sentence: the engine
  says what the app needs as fields (Advice.pending_suspension, Check.missing…). Rule IDs may
  still be *shown* (badges, tooltips, a form's help) — only tests on them are refused.
"""

import ast
import re
from pathlib import Path

import pytest

import protocol

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "sirolimus_app"

# The rank of each part; a module may import parts of its own rank or below. Base modules
# (i18n, localtime, env, roles) are plain helpers every layer may use.
RANKS = [
    ("protocol", 0),
    ("sirolimus_app.i18n", 1), ("sirolimus_app.localtime", 1), ("sirolimus_app.env", 1),
    ("sirolimus_app.roles", 1), ("sirolimus_app.settings", 1), ("sirolimus_app.formats", 1),
    ("sirolimus_app.dblock", 1), ("sirolimus_app.collector", 1),
    ("sirolimus_app.models", 2),
    ("sirolimus_app.services", 3), ("sirolimus_app.signals", 3),
    # The laboratory's messages (issue 18): its models, its services, its pages and wiring.
    ("sirolimus_app.interop", 3), ("sirolimus_app.interop.models", 2),
    ("sirolimus_app.interop.mapping", 3), ("sirolimus_app.interop.hl7v2", 3),
    ("sirolimus_app.interop.fhir_in", 3), ("sirolimus_app.interop.fhir_out", 3),
    ("sirolimus_app.interop.importer", 3), ("sirolimus_app.interop.review", 3),
    ("sirolimus_app.interop.tokens", 3), ("sirolimus_app.interop.mllp", 3),
    ("sirolimus_app.interop.forms", 4),
    ("sirolimus_app.interop.views", 6), ("sirolimus_app.interop.api", 6),
    ("sirolimus_app.interop.admin", 6), ("sirolimus_app.interop.urls", 7),
    ("sirolimus_app.presenters", 4), ("sirolimus_app.forms", 4),
    ("sirolimus_app.documents", 5), ("sirolimus_app.access", 5),
    ("sirolimus_app.views", 6), ("sirolimus_app.templatetags", 6),
    ("sirolimus_app.context_processors", 6), ("sirolimus_app.middleware", 6),
    ("sirolimus_app.admin", 6), ("sirolimus_app.admin_site", 6),
    ("sirolimus_app.middleware_security", 6), ("sirolimus_app.second_factor", 6),
    ("sirolimus_app.oidc", 6), ("sirolimus_app.throttle", 6),
    # Wiring and tools: above everything they assemble.
    ("sirolimus_app.urls", 7), ("sirolimus_app.apps", 7), ("sirolimus_app.demo", 7),
    ("sirolimus_app.backup", 7), ("sirolimus_app.management", 7), ("sirolimus_app.bench", 7),
    ("sirolimus_app.wsgi", 7), ("sirolimus_app.test_settings", 7), ("sirolimus_app.preflight", 7),
]
# Parts that, beyond the ranks, may import only these (the display layer is pure).
ONLY = {"sirolimus_app.presenters": {0, 1, 2, 4}}


def _part(module: str) -> tuple[str, int] | None:
    if module == "sirolimus_app":  # the package itself (`from sirolimus_app import views`)
        return module, 1
    for prefix, rank in sorted(RANKS, key=lambda p: -len(p[0])):
        if module == prefix or module.startswith(prefix + "."):
            return prefix, rank
    return None


def _modules():
    for base in (ROOT / "protocol", APP):
        for path in sorted(base.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(
                ".__init__")
            yield name, path


def _imports(name: str, path: Path):
    """Every module `name` imports, at any depth of the file (lazy imports count too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield module
            # `from sirolimus_app import views` names a part too
            yield from (f"{module}.{alias.name}" for alias in node.names)


def _upward():
    for name, path in _modules():
        own = _part(name)
        if own is None:
            yield f"{name}: not in a layer (add it to RANKS)"
            continue
        for imported in set(_imports(name, path)):
            if not imported.startswith(("protocol", "sirolimus_app")):
                continue
            if name.startswith("protocol") and imported.startswith("sirolimus_app"):
                yield f"{name} imports {imported}"
                continue
            found = _part(imported)
            if found is None or found[0] == own[0]:
                continue
            if found[1] > own[1] or (own[0] in ONLY and found[1] not in ONLY[own[0]]):
                yield f"{name} (rank {own[1]}) imports {imported} (rank {found[1]})"
            # Views, documents and template tags share the display layer, never each other's
            # modules (views may serve the documents they gather).
            if own[0] == "sirolimus_app.documents" and found[0] in (
                    "sirolimus_app.views", "sirolimus_app.templatetags"):
                yield f"{name} imports {imported}"
        if own[0] == "sirolimus_app.views":
            for imported in set(_imports(name, path)):
                if imported.startswith("sirolimus_app.views.") and imported != name:
                    yield f"{name} imports another view module, {imported}"


def test_layers_import_downward_only():
    assert sorted(set(_upward())) == []


def test_protocol_imports_no_django():
    found = [f"{name} imports {imported}" for name, path in _modules()
             if name.startswith("protocol") for imported in _imports(name, path)
             if imported.startswith("django")]
    assert found == []


def test_the_layer_check_sees_an_upward_import(tmp_path):
    """The walk above does find what it is looking for."""
    path = tmp_path / "schedule.py"
    path.write_text("def f():\n    from sirolimus_app.services.schedule import refresh_patient\n",
                    encoding="utf-8")
    assert "sirolimus_app.services.schedule" in set(_imports("sirolimus_app.models.x", path))
    assert _part("sirolimus_app.services.schedule")[1] > _part("sirolimus_app.models.x")[1]


# --- meaning comes from the engine's fields ------------------------------------------------

RULE_IDS = set(protocol.RULES)
# A prefix of rule IDs ("TAPER-") is a rule family: testing against it is the same inference.
FAMILIES = {"-".join(rule.split("-")[:i]) + "-" for rule in RULE_IDS
            for i in range(1, rule.count("-") + 1)}
SEVERITIES = {"critical", "warning", "info"}
# The engine's texts: a test on their words is a sentence search.
ENGINE_TEXTS = re.compile(r"^(message|instruction|basis|rounding|detail|text)(_en|_fr)?$")
# Inferences that remain for want of an engine field, each with its reason (keep it short:
# every line here is an engine field to ask for).
KNOWN: set[tuple[str, str]] = set()  # none left


def _is_rule(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value in RULE_IDS or node.value in FAMILIES:
            return node.value
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return next(filter(None, map(_is_rule, node.elts)), None)
    return None


def _is_text(node) -> bool:
    if isinstance(node, ast.Attribute):
        return bool(ENGINE_TEXTS.match(node.attr))
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return isinstance(node.slice.value, str) and bool(ENGINE_TEXTS.match(node.slice.value))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "get" and node.args and isinstance(node.args[0], ast.Constant):
        return bool(ENGINE_TEXTS.match(str(node.args[0].value)))
    return False


def inferences(source: str) -> list[tuple[int, str]]:
    """(line, what) of every test on a rule ID, a rule family or an engine sentence."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            rule = next(filter(None, map(_is_rule, operands)), None)
            if rule:
                found.append((node.lineno, rule))
            if any(isinstance(op, ast.In | ast.NotIn) for op in node.ops) and any(
                    map(_is_text, node.comparators)):
                found.append((node.lineno, "sentence search"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("startswith", "endswith", "find", "index", "count") and (
                    any(map(_is_rule, node.args)) or _is_text(node.func.value)):
                found.append((node.lineno, f"{node.func.attr} on a rule or a sentence"))
        elif isinstance(node, ast.Dict):
            rule = next(filter(None, map(_is_rule, [k for k in node.keys if k])), None)
            if rule:
                found.append((node.lineno, f"a map keyed by rule ({rule})"))
        elif isinstance(node, ast.Match):
            found += [(case.pattern.lineno, "match on a rule") for case in node.cases
                      if isinstance(case.pattern, ast.MatchValue) and _is_rule(case.pattern.value)]
    return found


def test_no_code_outside_protocol_tests_a_rule_id_or_an_engine_sentence():
    found, known = [], set()
    for path in sorted(APP.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(ROOT).as_posix()
        for line, what in inferences(path.read_text(encoding="utf-8")):
            if (relative, what) in KNOWN:
                known.add((relative, what))
            else:
                found.append(f"{relative}:{line}: {what}")
    assert found == []
    assert known == KNOWN  # an inference removed: take it off the list


@pytest.mark.parametrize(("source", "expected"), [
    ('if alert.rule == "TOX-SUSPEND": pass', "TOX-SUSPEND"),
    ('ok = "PRE-WORKUP" in item.rules', "PRE-WORKUP"),
    ('ok = any(r.startswith("TAPER-") for r in rules)', "startswith on a rule or a sentence"),
    ('key = "NFS" in check.message_fr', "sentence search"),
    ('key = "lipid" in check.get("message_en", "")', "sentence search"),
    ('FIX = {"NO-OTHER-IS": "comedication"}', "a map keyed by rule (NO-OTHER-IS)"),
])
def test_the_meaning_check_sees_each_kind_of_inference(source, expected):
    assert [what for _line, what in inferences(source)] == [expected]


@pytest.mark.parametrize("source", [
    'help_rules = ("NO-OTHER-IS", "DDI-CYP3A-PGP")',  # a form's help: shown, not tested
    'Attention("toxic_trough", label, "TOX-SUSPEND", detail)',  # a badge
    'reason = _("Taux résiduel > 15 ng/ml (TOX-SUSPEND)")',  # a sentence citing a rule
    'toxic = advice.pending_suspension is not None',
])
def test_showing_a_rule_is_not_an_inference(source):
    assert inferences(source) == []
