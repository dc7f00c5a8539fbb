"""End-to-end through a real Chromium (Playwright) against the app served by waitress.

The acceptance scenario: an applicant applies for a fence, the coordinator
triages it (DMN suggestions preselected) and decides it on delegation, the
applicant sees the decision.
"""
from __future__ import annotations

import re
import threading

import pytest
import waitress
from sqlalchemy import func, select

from app import create_app
from app.models import Case

from tests.conftest import PASSWORD, ROLE_USERS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=CHROMIUM,
                                         args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        except Exception as exc:  # noqa: BLE001 - a missing browser must fail the suite, not skip it
            pytest.fail(f"Chromium could not start from {CHROMIUM} ({exc}); install it: apt-get install chromium")
        yield browser
        browser.close()


@pytest.fixture
def live_server(rt, actors):  # noqa: ARG001 - actors creates the users
    app = create_app(rt.settings, runtime=rt)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress-live", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=2)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def login(page, role: str) -> None:
    page.goto("/login")
    page.fill("#username", ROLE_USERS[role])
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit].primary")
    sync_api.expect(page.locator("header .who")).to_have_text(ROLE_USERS[role].title())


def logout(page) -> None:
    with page.expect_navigation():
        page.click("form[action='/logout'] button")
    sync_api.expect(page).to_have_url(re.compile(r"/login$"))


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
    sync_api.expect(row).to_have_count(1)
    with page.expect_navigation():
        row.locator("td a").first.click()
    form = page.locator(f"#task-form[data-element='{element}']")
    sync_api.expect(form).to_be_visible()
    return form


def test_fence_application_is_triaged_and_decided_on_delegation(page):
    # the applicant applies
    login(page, "applicant")
    sync_api.expect(page).to_have_url(re.compile(r"/portal/$"))
    with page.expect_navigation():
        page.click("a[href='/portal/apply']")
    fill_application(page, description="A 1.8 m wooden fence along the street.")
    with page.expect_navigation():
        page.click("#apply-form button[type=submit]")
    sync_api.expect(page).to_have_url(re.compile(r"/portal/cases/\d+$"))
    reference = page.locator("#case-reference")
    sync_api.expect(reference).to_have_text(re.compile(r"^BYGG \d{4}-\d{6}$"))
    ref = reference.inner_text()
    sync_api.expect(page.locator(".flash-success")).to_contain_text(ref)
    logout(page)

    # the coordinator triages: the DMN's suggestions are the preselected defaults
    login(page, "coordinator")
    sync_api.expect(page).to_have_url(re.compile(r"/inbox$"))
    sync_api.expect(page.locator("#inbox tr[data-element='triage']")).to_contain_text(ref)
    form = open_task(page, "triage")
    sync_api.expect(form.locator("select[name=track]")).to_have_value("simple")
    sync_api.expect(form.locator("select[name=case_type]")).to_have_value("bygglov")
    sync_api.expect(form.locator("input[name=neighbours_required][value=false]")).to_be_checked()
    form.locator("input[name=complete][value=true]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    sync_api.expect(page).to_have_url(re.compile(r"/inbox$"))
    sync_api.expect(page.locator(".flash-success")).to_be_visible()

    # ... and decides on delegation
    form = open_task(page, "coordinator_decision")
    form.locator("select[name=outcome]").select_option("granted")
    form.locator("[name=decision_text]").fill("The fence is granted as applied for.")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    sync_api.expect(page).to_have_url(re.compile(r"/inbox$"))
    sync_api.expect(page.locator("#inbox tr[data-element='coordinator_decision']")).to_have_count(0)
    logout(page)

    # the applicant sees the decision
    login(page, "applicant")
    row = page.locator("#my-cases tr", has_text=ref)
    with page.expect_navigation():
        row.locator("a").first.click()
    decision = page.locator("#decision")
    sync_api.expect(decision).to_be_visible()
    sync_api.expect(decision).to_contain_text(re.compile(r"granted|beviljas", re.IGNORECASE))
    sync_api.expect(page.locator("#case-status .outcome-granted")).to_be_visible()


def test_empty_description_shows_error_beside_field_and_creates_no_case(page, rt):
    login(page, "applicant")
    page.goto("/portal/apply")
    fill_application(page, description="")
    with page.expect_navigation():
        page.click("#apply-form button[type=submit]")
    sync_api.expect(page).to_have_url(re.compile(r"/portal/apply$"))
    field = page.locator("#apply-form .field[data-field=description]")
    sync_api.expect(field).to_have_class(re.compile(r"\bhas-error\b"))
    sync_api.expect(field.locator(".error")).to_be_visible()
    sync_api.expect(page.locator("#apply-form .field.has-error")).to_have_count(1)
    # what the applicant typed is kept
    sync_api.expect(page.locator("#apply-form [name=property_designation]")).to_have_value("Lotsen 1:23")
    with rt.db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
    page.goto("/portal/")
    sync_api.expect(page.locator("#my-cases")).to_have_count(0)
