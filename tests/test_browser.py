"""End-to-end through a real Chromium (Playwright) against the app served by waitress.

The acceptance scenario: an applicant applies for a fence, the coordinator
triages it (DMN suggestions preselected) and decides it on delegation, the
applicant sees the decision.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.models import Case
from tests.helpers import browser_login as login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]




def logout(page) -> None:
    with page.expect_navigation():
        page.click("form[action='/logout'] button")
    expect(page).to_have_url(re.compile(r"/login$"))


def fill_application(page, *, description: str) -> None:
    form = page.locator("#apply-form")
    form.locator("[name=applicant_name]").fill("Anna Andersson")
    form.locator("[name=applicant_email]").fill("anna@example.se")
    form.locator("[name=property_designation]").fill("Lotsen 1:23")
    form.locator("select[name=measure]").select_option("plank")
    form.locator("[name=description]").fill(description)
    form.locator("input[name=in_detailed_plan][value=true]").check()
    form.locator("input[name=deviates_from_plan][value=false]").check()
    form.locator("[name=height_m]").fill("1.8")
    form.locator("input[name=inside_built_up_area][value=true]").check()


def open_task(page, element: str):
    row = page.locator(f"#inbox tr[data-element='{element}']")
    expect(row).to_have_count(1)
    with page.expect_navigation():
        row.locator("td a").first.click()
    form = page.locator(f"#task-form[data-element='{element}']")
    expect(form).to_be_visible()
    return form


def test_fence_application_is_triaged_and_decided_on_delegation(page):
    # the applicant applies
    login(page, "applicant")
    expect(page).to_have_url(re.compile(r"/portal/$"))
    with page.expect_navigation():
        page.click("#apply-for li[data-process='building_permit'] a")
    fill_application(page, description="A 1.8 m wooden fence along the street.")
    with page.expect_navigation():
        page.click("#apply-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/portal/cases/\d+$"))
    reference = page.locator("#case-reference")
    expect(reference).to_have_text(re.compile(r"^BYGG \d{4}-\d{6}$"))
    ref = reference.inner_text()
    expect(page.locator(".flash-success")).to_contain_text(ref)
    logout(page)

    # the coordinator triages: the DMN's suggestions are the preselected defaults
    login(page, "coordinator")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator("#inbox tr[data-element='triage']")).to_contain_text(ref)
    form = open_task(page, "triage")
    expect(form.locator("select[name=track]")).to_have_value("simple")
    expect(form.locator("select[name=case_type]")).to_have_value("bygglov")
    expect(form.locator("input[name=neighbours_required][value=false]")).to_be_checked()
    form.locator("input[name=complete][value=true]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator(".flash-success")).to_be_visible()

    # ... and decides on delegation
    form = open_task(page, "coordinator_decision")
    form.locator("select[name=outcome]").select_option("granted")
    form.locator("[name=decision_text]").fill("The fence is granted as applied for.")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator("#inbox tr[data-element='coordinator_decision']")).to_have_count(0)
    logout(page)

    # the applicant sees the decision
    login(page, "applicant")
    row = page.locator("#my-cases tr", has_text=ref)
    with page.expect_navigation():
        row.locator("a").first.click()
    decision = page.locator("#decision")
    expect(decision).to_be_visible()
    expect(decision).to_contain_text(re.compile(r"granted|beviljas", re.IGNORECASE))
    expect(page.locator("#case-status .outcome-granted")).to_be_visible()


def test_empty_description_shows_error_beside_field_and_creates_no_case(page, rt):
    login(page, "applicant")
    page.goto("/portal/apply/building_permit")
    fill_application(page, description="")
    with page.expect_navigation():
        page.click("#apply-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/portal/apply/building_permit$"))
    field = page.locator("#apply-form .field[data-field=description]")
    expect(field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(field.locator(".error")).to_be_visible()
    expect(page.locator("#apply-form .field.has-error")).to_have_count(1)
    # what the applicant typed is kept
    expect(page.locator("#apply-form [name=property_designation]")).to_have_value("Lotsen 1:23")
    with rt.db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
    page.goto("/portal/")
    expect(page.locator("#my-cases")).to_have_count(0)
