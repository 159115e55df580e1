"""The rule catalogue against docs/protocol-rules.md, the tests, the traceability table, and the
ban on Django inside protocol/."""

import ast
import re
from pathlib import Path

import pytest

from protocol import RULES, rule
from protocol.rules import UnknownRuleError, cite
from protocol.traceability import TARGET, generate, named_by_tests

ROOT = Path(__file__).resolve().parents[2]
RULES_DOC = ROOT / "docs" / "protocol-rules.md"
SHARED_RULES = ROOT.parent / "shared" / "protocol-rules.md"


def documented_ids() -> list[str]:
    text = RULES_DOC.read_text(encoding="utf-8")
    return re.findall(r"^\| ([A-Z][A-Z0-9]+-[A-Z0-9-]+) \|", text, flags=re.MULTILINE)


def test_catalogue_holds_every_documented_rule():
    ids = documented_ids()
    assert len(ids) == len(set(ids)) == 44  # 38 CEREVANCE rules, 6 from the SmPC
    assert [i for i in ids if i not in RULES] == []


def test_catalogue_has_no_rule_outside_the_document():
    assert sorted(set(RULES) - set(documented_ids())) == []


def test_catalogue_gives_each_rule_a_section_and_both_texts():
    for entry in RULES.values():
        assert entry.section and entry.text_fr and entry.text_en, entry.id


def test_catalogue_every_documented_rule_is_named_by_a_test():
    named = named_by_tests()
    missing = [i for i in documented_ids() if not any("::" in t for t in named.get(i, ()))]
    assert missing == []


def test_catalogue_unknown_rule_ids_raise():
    assert rule("TOX-SUSPEND").section == "Suivi thérapeutique pharmacologique"
    with pytest.raises(UnknownRuleError):
        rule("TOX-SUSPENDED")
    with pytest.raises(UnknownRuleError):
        cite("DOSE-START", "DOSE-MAX")


def test_traceability_table_is_current():
    assert TARGET.read_text(encoding="utf-8") == generate(), (
        "docs/traceability.md is stale: run `python -m protocol traceability --write`"
    )


def test_traceability_lists_code_and_tests_for_every_rule():
    for line in generate().splitlines()[6:]:
        assert "| — |" not in line, line


def test_protocol_never_imports_django():
    for path in (ROOT / "protocol").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n == "django" or n.startswith("django.") for n in names), path


@pytest.mark.skipif(not SHARED_RULES.exists(), reason="no shared/ folder beside the repository")
def test_docs_copy_of_the_rules_equals_the_shared_one():
    assert RULES_DOC.read_text(encoding="utf-8") == SHARED_RULES.read_text(encoding="utf-8")
