"""Any device: no page scrolls sideways at 390 px, and axe-core finds nothing of moderate or higher impact.

Every page an applicant or a member of staff works with (portal list, apply, case; inbox, task, case), in
Swedish and English, in a real Chromium. axe-core is vendored under app/static/vendor/axe-core.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import BROWSER_TIMEOUT_MS, PASSWORD, ROLE_USERS
from tests.helpers import Api, TRIAGE_COMPLETE, reply_by

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SERIOUS = ("moderate", "serious", "critical")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def signed_in(browser, live_server, role: str, lang: str):
    context = browser.new_context(base_url=live_server, locale="sv-SE" if lang == "sv" else "en-GB",
                                  viewport=PHONE, extra_http_headers={"Accept-Language": lang})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", ROLE_USERS[role])
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit].primary")
    expect(page.locator("header .who")).to_be_visible()
    return context, page


def check(page, path: str) -> list[str]:
    """What is wrong with the page at ``path`` on a phone: sideways scrolling and axe findings."""
    page.goto(path)
    wrong = []
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if widths[0] > widths[1]:
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className)""")
        wrong.append(f"{path}: scrolls sideways ({widths[0]} > {widths[1]} px): {wide}")
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result = page.evaluate("""async () => {
        const r = await axe.run(document);
        return {passes: r.passes.length, violations: r.violations.map(
            v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 2).map(n => n.target)}))};
    }""")
    assert result["passes"] > 10, f"axe did not check {path}"
    violations = result["violations"]
    wrong += [f"{path}: axe {v['id']} ({v['impact']}) at {v['nodes']}" for v in violations if v["impact"] in SERIOUS]
    return wrong


def test_every_page_fits_a_phone_and_passes_axe_in_both_languages(browser, live_server, api):
    # a long address does not fit a phone's column unless it wraps
    case_id = api.as_("applicant").submit(applicant_email="anna.andersson.lindqvist@example.se")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "simple", "complete": False, "supplement_request": "Situationsplan saknas.",
        "reply_by": reply_by()}, case_id=case_id)
    api.as_("applicant").post(f"/api/cases/{case_id}/messages/supplement_received", {"data": {"message": "Här."}})
    [task] = api.as_("coordinator").tasks(case_id=case_id)
    pages = {"applicant": ["/portal/", "/portal/apply", f"/portal/cases/{case_id}"],
             "coordinator": ["/inbox", f"/tasks/{task['id']}", f"/cases/{case_id}"],
             "admin": ["/admin/users", "/admin/audit?action=case."]}
    wrong = []
    for lang in ("sv", "en"):
        for role, paths in pages.items():
            context, page = signed_in(browser, live_server, role, lang)
            try:
                for path in paths:
                    wrong += [f"{lang} {role} {w}" for w in check(page, path)]
            finally:
                context.close()
    assert wrong == [], "\n".join(wrong)
