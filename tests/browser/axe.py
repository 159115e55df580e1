"""axe-core (npm, node_modules/axe-core) injected by Playwright: WCAG 2.1 A and AA rules."""

from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe files these under "best practices", RGAA asks for them (landmarks 12.6, headings 9.1,
# table headers 5.6, the skip link 12.7): run with the WCAG rules.
RGAA_RULES = ["region", "landmark-one-main", "page-has-heading-one", "heading-order",
              "landmark-unique", "landmark-no-duplicate-banner",
              "landmark-no-duplicate-contentinfo", "empty-heading", "empty-table-header",
              "skip-link", "tabindex"]


def violations(page) -> list[dict]:
    """The violations axe-core finds on the page as it is now."""
    if not AXE_JS.exists():
        raise AssertionError(f"{AXE_JS} is missing: `make test` runs `npm ci`")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """([tags, rules]) => axe.run(document, {
             runOnly: {type: 'tag', values: tags},
             rules: Object.fromEntries(rules.map(rule => [rule, {enabled: true}]))})""",
        [WCAG_TAGS, RGAA_RULES])
    return result["violations"]


def describe(found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            why = node["failureSummary"].splitlines()[-1].strip()
            lines.append(f"    {' '.join(map(str, node['target']))}: {why}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    found = violations(page)
    assert not found, f"axe-core on {page.url}:\n{describe(found)}"
