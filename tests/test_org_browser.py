"""In a real Chromium: the administrator creates the group Bygglov Norr and puts an officer in it, staff start a
case of a process whose lane names it with the process's own start form, the member works it to the end; the
studio offers the groups that exist; and an anmälan runs from the portal to its start notice."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import Api
from tests.helpers import browser_login as login
from tests.test_any_process import NORR as NORR_FILES
from tests.test_browser import logout, open_task
from tests.test_groups import NORR
from tests.test_studio_browser import GATE_TIMEOUT_MS, STANDARD_TRIAGE, open_editor, select

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.click(f"{form_selector} button[type=submit]")


def test_bygglov_norr_is_created_staffed_and_works_a_case_of_its_own_process(page):
    login(page, "admin")
    page.goto("/admin/groups/")
    page.fill("#g-name", "Bygglov Norr")
    page.fill("#g-title_sv", "Bygglov Norr")
    page.fill("#g-title_en", "Building permits North")
    submit(page, "#new-group")
    expect(page.locator("h1")).to_contain_text("Building permits North")
    page.select_option("#m-user", "olga")
    submit(page, "#add-member")
    expect(page.locator("#members li[data-user='olga']")).to_be_visible()
    logout(page)

    # the process owner deploys a process whose lane names the new group: its files, made in another modeller
    login(page, "process_owner")
    page.goto("/studio/")
    page.set_input_files("#upload-files", sorted(NORR_FILES.iterdir()))
    page.fill("#upload-message", "Sign permits in the north")
    submit(page, "#upload-process")
    expect(page.locator(".flash-success")).to_contain_text("Deployed “Sign permits, northern district” as version 1")
    logout(page)

    # a coordinator starts a case with the process's own start form
    login(page, "coordinator")
    page.goto("/cases")
    with page.expect_navigation():
        page.click("#new-case")
    with page.expect_navigation():
        page.click("li[data-process='sign_north'] a")
    form = page.locator("#start-form")
    form.locator("[name=property_designation]").fill("Luleå Norrstrand 3:7")
    form.locator("[name=sign_text]").fill("Norrbagarn")
    form.locator("input[name=lit][value=true]").check()
    submit(page, "#start-form")
    expect(page.locator("h1")).to_contain_text(re.compile(r"SKYLT \d{4}-\d{6} · Norrbagarn \(Luleå Norrstrand 3:7\)"))
    reference = page.locator("h1").inner_text().split(" · ")[0]
    logout(page)

    # the group's member finds it under the group and works it to the end
    login(page, "officer")
    page.select_option("#group", "Bygglov Norr")
    page.wait_for_url(re.compile(r"group=Bygglov"))
    expect(page.locator("#inbox tr[data-element='assess_sign']")).to_contain_text(reference)
    form = open_task(page, "assess_sign")
    form.locator("select[name=outcome]").select_option("granted")
    form.locator("[name=decision_text]").fill("The sign suits the street.")
    submit(page, "#task-form")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#inbox tr[data-element='assess_sign']")).to_have_count(0)
    page.goto("/cases")
    row = page.locator("#cases tr", has_text=reference)
    expect(row).to_contain_text(re.compile("Closed|Avslutat"))
    assert not page.js_errors


def test_an_anmalan_runs_from_the_portal_to_its_start_notice(page):
    login(page, "applicant")
    with page.expect_navigation():
        page.click("#apply-for li[data-process='anmalan'] a")
    form = page.locator("#apply-form[data-process='anmalan']")
    form.locator("[name=applicant_name]").fill("Anna Andersson")
    form.locator("[name=applicant_email]").fill("anna@example.se")
    form.locator("[name=property_designation]").fill("Umeå Tallen 4:12")
    form.locator("select[name=measure]").select_option("attefallshus")
    form.locator("[name=description]").fill("A 25 m² guest house.")
    form.locator("[name=area_m2]").fill("25")
    form.locator("input[name=near_boundary][value=false]").check()
    submit(page, "#apply-form")
    reference = page.locator("#case-reference")
    expect(reference).to_have_text(re.compile(r"^ANM \d{4}-\d{6}$"))
    ref = reference.inner_text()
    logout(page)

    login(page, "officer")
    form = open_task(page, "check_notification")
    form.locator("input[name=complete][value=true]").check()
    expect(form.locator("input[name=consultation_needed][value=false]")).to_be_checked()  # the default
    submit(page, "#task-form")
    form = open_task(page, "decide_start_notice")
    form.locator("select[name=outcome]").select_option("granted")
    form.locator("[name=decision_text]").fill("The measure meets the requirements.")
    form.locator("[name=control_plan]").fill("Self-inspection of the foundation.")
    submit(page, "#task-form")
    expect(page.locator("#inbox tr[data-element='decide_start_notice']")).to_have_count(0)
    logout(page)

    login(page, "applicant")
    row = page.locator("#my-cases tr", has_text=ref)
    expect(row).to_contain_text(re.compile("Notification|Anmälan"))
    with page.expect_navigation():
        row.locator("a").first.click()
    expect(page.locator("#case-status .outcome-granted")).to_be_visible()
    assert not page.js_errors


def test_the_studio_offers_the_groups_that_exist_and_the_task_goes_to_the_one_ticked(page, client, actors):
    admin = Api(client, actors).as_("admin")
    assert admin.post("/api/admin/groups", NORR).status_code == 201
    assert admin.post("/api/admin/groups/Bygglov Norr/members", {"username": "olga"}).status_code == 201
    assert admin.client.delete("/api/admin/groups/kulturmiljo", headers=admin.headers).status_code == 200

    login(page, "process_owner")
    # the studio's start page fits a phone: each model under its process's name, versions stacked
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/studio/")
    expect(page.locator("#model-building_permit h2")).to_contain_text("Building, demolition and site permits")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1440, "height": 900})
    open_editor(page)
    panel = page.locator("#element-form")
    # a lane is offered every active group by its title in the reader's language; not a retired one
    select(page, "lane_officer")
    lane = panel.locator("select[data-key=lane-group]")
    expect(lane).to_have_value("Officer")
    offered = lane.locator("option").all_inner_texts()
    assert "Building permits North (Bygglov Norr)" in offered and "Traffic (trafik)" in offered
    assert not [o for o in offered if "Cultural heritage" in o or "not a group" in o]
    # a lane that names its group by the Swedish title is that group in the English studio too
    page.evaluate("""() => { const m = lotsenStudio.modeler();
        m.get('modeling').updateLabel(m.get('elementRegistry').get('lane_officer'), 'Handläggare'); }""")
    select(page, "lane_committee")
    select(page, "lane_officer")
    expect(lane).to_have_value("Handläggare")
    expect(lane.locator("option:checked")).to_have_text("Case officer (officer)")

    # the review goes to Bygglov Norr instead of its lane's officers
    select(page, "review")
    groups = panel.locator("[data-field=task-groups]")
    expect(groups.locator("input[type=checkbox]:checked")).to_have_count(0)
    expect(groups).not_to_contain_text("Cultural heritage")
    groups.get_by_label("Building permits North (Bygglov Norr)").check()
    page.click("#btn-validate")  # the deploy gate walks the changed diagram
    expect(page.locator("#studio-status")).to_contain_text("No problems found", timeout=GATE_TIMEOUT_MS)
    page.click("#btn-deploy")
    page.fill("#deploy-message", "Bygglov Norr reviews")
    page.click("#deploy-confirm")
    expect(page.locator("#studio")).to_have_attribute("data-deployed-version", "2", timeout=GATE_TIMEOUT_MS)
    select(page, "review")  # the panel reads the deployed choice back
    expect(groups.get_by_label("Building permits North (Bygglov Norr)")).to_be_checked()
    assert not page.js_errors

    api = Api(client, actors)
    case = api.as_("applicant").submit(property_designation="Luleå Norr 1:1")
    api.as_("coordinator").complete("triage", STANDARD_TRIAGE, case_id=case["id"])
    [review] = api.as_("officer").tasks(case_id=case["id"])
    assert (review["name"], review["group"]) == ("review", "Bygglov Norr")
