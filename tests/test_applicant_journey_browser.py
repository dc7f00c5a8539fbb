"""Issue 12's "done when", in a real browser: the applicant's whole journey and the survey that follows it.

An applicant sees an expected decision date before applying and a named contact after; writes a message and
gets an answer; downloads the receipt and the decision as PDFs; after the case closes answers the survey
through the link in the invitation, and a second use is refused; the administrator sees NKI for the period.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.helpers import browser_login as login
from tests.scenario import move, on, serve_applicant
from tests.test_survey import survey_link

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
DAY0 = date(2026, 3, 2)


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def swedish(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="sv-SE", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    return context, context.new_page()


def pdf_behind(page, link) -> bytes:
    """What the link serves to this signed-in browser (letters open in the browser's PDF viewer)."""
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    return response.body()


def test_an_applicant_is_told_what_to_expect_talks_to_a_named_contact_gets_pdfs_and_answers_the_survey(
        browser, live_server, api, rt):
    rt.settings.survey_min_answers = 1
    on(api, DAY0)
    context, page = swedish(browser, live_server)
    login(page, "applicant")

    # before applying: what the law, the goal and recent cases say, and a date
    page.goto("/portal/apply/building_permit")
    page.locator("#expectations summary").click()
    plank = page.locator("#expectations tr[data-measure=Plank]")
    expect(plank).to_contain_text(f"senast {(DAY0 + timedelta(days=40)).isoformat()}")
    form = page.locator("#apply-form")
    form.locator("[name=property_designation]").fill("Lotsen 1:23")
    form.locator("select[name=measure]").select_option("plank")
    form.locator("[name=description]").fill("Ett plank mot gatan, 1,8 meter.")
    form.locator("input[name=in_detailed_plan][value=true]").check()
    form.locator("input[name=deviates_from_plan][value=false]").check()
    form.locator("[name=height_m]").fill("1.8")
    form.locator("input[name=inside_built_up_area][value=true]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    case_id = int(re.search(r"/portal/cases/(\d+)", page.url).group(1))
    expect(page.locator("#expected-date")).to_contain_text((DAY0 + timedelta(days=40)).isoformat())

    # after triage: a named contact
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    page.reload()
    expect(page.locator("#contact")).to_contain_text("Carl")
    expect(page.locator("#contact")).to_contain_text("carl@example.se")

    # a message and its answer
    page.fill("#conversation-text", "Får planket målas rött?")
    with page.expect_navigation():
        page.click("#conversation button[type=submit]")
    r = api.as_("coordinator").post(f"/api/cases/{case_id}/conversation", {"text": "Ja, kulören är fri."})
    assert r.status_code == 201
    page.reload()
    expect(page.locator("#conversation")).to_contain_text("Får planket målas rött?")
    expect(page.locator("#conversation")).to_contain_text("Ja, kulören är fri.")

    # the receipt and the decision as PDFs
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                    case_id=case_id)
    page.reload()
    for kind in ("receipt", "decision"):
        assert pdf_behind(page, page.locator(f"li[data-kind={kind}] a")).startswith(b"%PDF")

    # the decision is served, the case closes; the survey by its link, without logging in; a second use is refused
    serve_applicant(api, case_id)
    move(api, advance="P40D")
    token = survey_link(rt, case_id)
    stranger, survey = swedish(browser, live_server)
    survey.goto(f"/survey/{token}")
    for question in survey.locator("fieldset.scale").all():
        question.locator("input[type=radio]").nth(8).check()  # 9 on the scale 1-10
    with survey.expect_navigation():
        survey.click("text=Skicka mina svar")
    expect(survey.locator("#survey-done")).to_contain_text("Tack för dina svar!")
    survey.goto(f"/survey/{token}")
    expect(survey.locator("#survey-closed")).to_contain_text("Du har redan svarat på enkäten.")
    stranger.close()
    context.close()

    # the administrator sees NKI for the period
    admin_context, admin = swedish(browser, live_server)
    login(admin, "admin")
    admin.goto("/admin/survey?from=2026-01-01&to=2026-12-31")
    expect(admin.locator("#nki-value")).to_have_text("89")  # (9 - 1) / 9 * 100
    expect(admin.locator("#nki-band")).to_have_text("mycket högt")
    admin_context.close()
