"""What every browser test does on a page: log in, check accessibility, take a screenshot."""
import json
from pathlib import Path

from tests.e2e.conftest import OUTPUT

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEMO_PASSWORD = "qatysu-demo"

_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
}"""


def check_page(page, name: str, lang: str = "kk", *, axe: bool = True, full_page: bool = True) -> None:
    """The page is in ``lang`` (its <html lang>), has no serious or critical WCAG 2.1 AA
    violation by axe-core, and is saved as OUTPUT/<name>.png. ``axe=False`` only where the
    page runs without JavaScript (axe is JavaScript); the same pages are checked with it on."""
    assert page.locator("html").get_attribute("lang") == lang, f"{name}: html lang"
    # WCAG 1.4.10 (reflow): nothing makes the page scroll sideways, even on a phone.
    # (A phone zooms out to show a too-wide page, so compare with the screen, not the window.)
    overflow = page.evaluate("() => document.documentElement.scrollWidth") - page.viewport_size["width"]
    assert overflow <= 0, f"{name}: the page is {overflow} px wider than the screen"
    # Chart labels are drawn inside their chart, not cut off at its edges.
    clipped = page.evaluate("""() => [...document.querySelectorAll('svg.chart text')].filter(t => {
      const box = t.getBBox(), view = t.ownerSVGElement.viewBox.baseVal;
      return box.x < view.x - 1 || box.x + box.width > view.x + view.width + 1;
    }).map(t => t.textContent)""") if axe else []
    assert not clipped, f"{name}: chart labels cut off: {clipped}"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    if not axe:
        page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=full_page)
        return
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # page.add_script_tag would add an inline script, which our CSP refuses; the vendored
        # file is evaluated in the page instead, with the same effect.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(_RUN_AXE, WCAG_AA)
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    # Everything axe found, the moderate and minor too, beside the screenshot.
    (OUTPUT / f"{name}.axe.json").write_text(json.dumps(violations, ensure_ascii=False, indent=1), encoding="utf-8")
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=full_page)
    assert not bad, f"{name}: axe found serious or critical violations:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in bad)


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("form.form button[type=submit], form.form input[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/auth/login" not in page.url, f"login failed for {email}: {page.url}"
