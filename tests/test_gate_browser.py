"""The deploy gate, rollback and the editor's view of a diagram, in a real Chromium."""
from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from app.config import PROJECT_ROOT
from tests.helpers import browser_login as login
from tests.test_studio_browser import GATE_TIMEOUT_MS, MODEL, open_editor, select, shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

BUILDING_PERMIT = (PROJECT_ROOT / "processes" / "building_permit.bpmn").read_text()
SET_DISMISSED = """<bpmn:scriptTask id="set_dismissed" name="Mark as dismissed">
      <bpmn:extensionElements>
"""
assert BUILDING_PERMIT.count(SET_DISMISSED) == 1
UNIT_TESTED = BUILDING_PERMIT.replace(SET_DISMISSED, SET_DISMISSED + """        <spiffworkflow:unitTests>
          <spiffworkflow:unitTest id="sets_the_outcome">
            <spiffworkflow:inputJson>{"action": "dismiss"}</spiffworkflow:inputJson>
            <spiffworkflow:expectedOutputJson>{"action": "dismiss", "outcome": "dismissed",
              "decided_by_group": "coordinator"}
            </spiffworkflow:expectedOutputJson>
          </spiffworkflow:unitTest>
        </spiffworkflow:unitTests>
""")


@pytest.fixture
def page(page):
    page.set_viewport_size({"width": 1440, "height": 900})
    return page


def upload(client, actors, files: dict[str, str], message: str):
    data = {"files": [(io.BytesIO(t.encode()), n) for n, t in files.items()], "message": message}
    r = client.post("/api/process-models", data=data, headers=actors.headers("process_owner"),
                    content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()


@pytest.fixture
def client(rt):
    from app import create_app

    return create_app(rt.settings, runtime=rt).test_client()


def test_deleting_the_decision_task_is_refused_at_deploy_naming_element_path_and_coverage(page):
    login(page, "process_owner")
    open_editor(page)
    page.evaluate("""() => { const m = lotsenStudio.modeler();
        m.get('modeling').removeElements([m.get('elementRegistry').get('coordinator_decision')]); }""")
    # bpmn-js joins the flows around the deleted task: the simple track now leads past the hand-over question
    assert page.evaluate("""() => lotsenStudio.modeler().get('elementRegistry').filter(e =>
        e.type === 'bpmn:SequenceFlow' && e.source && e.source.id === 'track_gateway'
        && e.target.id === 'hand_over_gateway').length""") == 1
    page.click("#btn-deploy")
    page.fill("#deploy-message", "The coordinator decides in the triage")
    page.click("#deploy-confirm")
    expect(page.locator("#studio-status")).to_contain_text("Not deployed", timeout=GATE_TIMEOUT_MS)
    problem = page.locator("#problem-list li.is-error[data-element='record_decision_task']")
    expect(problem).to_contain_text("Record decision fails on this path: it reads “outcome”, which no step before it")
    expect(problem.locator(".path")).to_contain_text("track_gateway → hand_over_gateway → before_fee → ")
    expect(problem.locator(".path")).to_contain_text("compute_fee_task → record_decision_task")
    expect(page.locator("#gate-chip")).to_have_attribute("data-verdict", "refused")
    expect(page.locator("#gate .gate-coverage")).to_contain_text("paths walked")
    expect(page.locator("#gate .gate-coverage")).to_contain_text("elements reached")
    problem.locator("button").click()  # the path is drawn on the diagram
    expect(page.locator(".djs-element.lotsen-path[data-element-id='track_gateway']")).to_have_count(1)
    expect(page.locator(".djs-element.lotsen-problem[data-element-id='record_decision_task']")).to_have_count(1)
    shot(page, "gate-refused")
    assert "data-deployed-version" not in (page.locator("#studio").get_attribute("data-deployed-version") or "x")
    assert not page.js_errors


def test_the_editor_opens_with_the_whole_diagram_in_view_and_zoom_controls(page):
    login(page, "process_owner")
    open_editor(page)
    inside = page.evaluate("""() => { const c = lotsenStudio.modeler().get('canvas'), v = c.viewbox();
        return v.inner.x >= v.x - 1 && v.inner.y >= v.y - 1 && v.inner.x + v.inner.width <= v.x + v.width + 1
            && v.inner.y + v.inner.height <= v.y + v.height + 1; }""")
    assert inside, "part of the diagram is outside the view"
    hidden = page.evaluate("""() => { const m = lotsenStudio.modeler(), registry = m.get('elementRegistry'),
            palette = document.querySelector('.studio-canvas .djs-palette').getBoundingClientRect(),
            zoom = document.querySelector('.studio-canvas .zoom-controls').getBoundingClientRect(),
            under = (r, b) => r.left < b.right && r.right > b.left && r.top < b.bottom && r.bottom > b.top;
        return registry.filter(e => !e.waypoints && !['bpmn:Participant', 'bpmn:Lane', 'label',
                                                        'bpmn:Process', 'bpmn:Collaboration'].includes(e.type))
            .filter(e => { const r = registry.getGraphics(e).getBoundingClientRect();
                           return under(r, palette) || under(r, zoom); }).map(e => e.id); }""")
    assert hidden == [], f"under the palette or the zoom buttons: {hidden}"
    zoom = page.locator(".studio-canvas .zoom-controls")
    expect(zoom.locator("button.zoom-in")).to_be_visible()
    expect(zoom.locator("button.zoom-fit")).to_be_visible()
    before = page.evaluate("() => lotsenStudio.modeler().get('canvas').zoom()")
    zoom.locator("button.zoom-in").click()
    assert page.evaluate("() => lotsenStudio.modeler().get('canvas').zoom()") > before
    zoom.locator("button.zoom-fit").click()
    assert abs(page.evaluate("() => lotsenStudio.modeler().get('canvas').zoom()") - before) < 0.01


def test_unit_tests_in_a_diagram_survive_a_resave_and_run_at_deploy(page, client, actors):
    upload(client, actors, {"building_permit.bpmn": UNIT_TESTED}, "a unit test for the dismissal")
    login(page, "process_owner")
    open_editor(page)
    exported = page.evaluate("() => lotsenStudio.collectFiles()")["building_permit.bpmn"]
    assert '<spiffworkflow:unitTest id="sets_the_outcome">' in exported
    assert '"outcome": "dismissed"' in exported.replace("&#34;", '"').replace("&quot;", '"')
    select(page, "set_dismissed")
    panel = page.locator("#element-form")
    expect(panel.locator(".studio-unit-test[data-test='sets_the_outcome']")).to_be_visible()
    expected = panel.locator("[data-key='test:0:expected']")
    expected.fill('{"action": "dismiss", "outcome": "refused"}')
    expected.press("Tab")
    page.click("#btn-validate")
    failed = page.locator("#problem-list li.is-error[data-element='set_dismissed']")
    expect(failed).to_contain_text("unit test 'sets_the_outcome' of Mark as dismissed failed",
                                   timeout=GATE_TIMEOUT_MS)
    expect(failed).to_contain_text("'outcome' is \"dismissed\", expected \"refused\"")
    expect(page.locator("#gate")).to_contain_text("Unit tests in the diagram: 1 run, 1 failed")
    assert not page.js_errors


def test_missing_swedish_titles_and_lanes_without_a_group_are_flagged_before_deploy(page):
    login(page, "process_owner")
    open_editor(page)
    expect(page.locator("#studio")).to_have_attribute("data-flagged", "0")
    page.evaluate("""() => { const m = lotsenStudio.modeler(), r = m.get('elementRegistry');
        const review = r.get('review');
        const props = review.businessObject.extensionElements.values.find(v => v.$type === 'spiffworkflow:Properties');
        m.get('modeling').updateModdleProperties(review, props,
            { property: props.property.filter(p => p.name !== 'title_sv') });
        m.get('modeling').updateLabel(r.get('lane_committee'), 'Remissinstanser'); }""")
    expect(page.locator(".djs-element.lotsen-flag[data-element-id='review']")).to_have_count(1)
    expect(page.locator(".djs-element.lotsen-flag[data-element-id='lane_committee']")).to_have_count(1)
    select(page, "review")
    expect(page.locator("#element-form .warning")).to_contain_text("the Swedish inbox would show the English name")
    select(page, "lane_committee")
    expect(page.locator("#element-form .warning")).to_contain_text("nobody would get its tasks")
    page.click("#btn-validate")
    expect(page.locator("#problem-list li.is-warning[data-element='review']")).to_contain_text(
        "no Swedish title", timeout=GATE_TIMEOUT_MS)
    lane = page.locator("#problem-list li.is-error[data-element='lane_committee']")
    expect(lane).to_contain_text("not a known group")
    shot(page, "gate-flags")


def test_a_form_field_without_a_swedish_label_is_flagged_before_deploy(page):
    login(page, "process_owner")
    open_editor(page)
    page.click("#file-tabs button[data-tab='#forms']")
    page.click("#forms-list button[data-form='forms/review.json']")
    text = page.locator("#form-json").input_value()
    assert '"x-title-sv": "Bedömning"' in text
    page.fill("#form-json", text.replace('"x-title-sv": "Bedömning",', '', 1))
    expect(page.locator("#form-errors")).to_contain_text("no Swedish title (x-title-sv)")
    page.click("#file-tabs button[data-tab='building_permit.bpmn']")
    page.click("#btn-validate")
    warning = page.locator("#problem-list li.is-warning[data-file='forms/review.json']")
    expect(warning).to_contain_text("of the form review.json has no Swedish label", timeout=GATE_TIMEOUT_MS)
    assert not page.js_errors


def test_version_history_shows_author_message_verdict_and_rolls_back(page, client, actors):
    upload(client, actors, {"building_permit.bpmn": BUILDING_PERMIT.replace(
        'name="Record decision"', 'name="Record and send the decision"')}, "Clearer name for the decision step")
    login(page, "process_owner")
    page.goto("/studio/")
    row = page.locator(f"#model-{MODEL} tr[data-version='2']")
    expect(row).to_contain_text("Clearer name for the decision step")
    expect(row).to_contain_text("Petra")
    expect(row.locator(".gate-chip")).to_have_attribute("data-verdict", "passed")
    old = page.locator(f"#model-{MODEL} tr[data-version='1']")
    old.locator("details.rollback summary").click()
    old.locator("input[name=message]").fill("The new name confused the committee")
    with page.expect_navigation(timeout=GATE_TIMEOUT_MS):  # the gate walks version 1's files again
        old.locator("button[data-rollback='1']").click(no_wait_after=True)
    expect(page.locator(".flash-success")).to_contain_text("Version 3 has the files of version 1 and is now current",
                                                           timeout=GATE_TIMEOUT_MS)
    expect(page.locator(f"#model-{MODEL} tr[data-version='3']")).to_contain_text("The new name confused the committee")
    shot(page, "version-history")


def test_version_history_reads_as_a_list_on_a_phone(page, client, actors):
    upload(client, actors, {"building_permit.bpmn": BUILDING_PERMIT.replace(
        'name="Record decision"', 'name="Record and send the decision"')}, "Clearer name for the decision step")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "process_owner")
    page.goto("/studio/")
    row = page.locator(f"#model-{MODEL} tr[data-version='1']")
    expect(row.locator(".gate-chip")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "the page is wider than the phone"
    row.locator("details.rollback summary").click()
    expect(row.locator("button[data-rollback='1']")).to_be_in_viewport()
    shot(page, "version-history-390")


def test_the_editors_buttons_and_the_gates_verdict_fit_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "process_owner")
    page.goto("/studio/")
    if page.locator(".topbar-right button[lang=sv]").count():  # the Swedish words are the longer ones
        with page.expect_navigation():
            page.click(".topbar-right button[lang=sv]")
    open_editor(page)
    page.click("#btn-validate")
    expect(page.locator("#gate-chip")).to_be_visible(timeout=GATE_TIMEOUT_MS)
    for button in ("#btn-save", "#btn-validate", "#gate-chip", "#btn-deploy"):
        box = page.locator(button).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{button} is cut off at {box}"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "the page is wider than the phone"
