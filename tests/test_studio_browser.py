"""The studio in a real Chromium (Playwright) against the app served by waitress.

A process owner opens the reference diagram, inserts a user task after
``review`` in the Officer lane, gives it a form, a status and a Swedish title
in the Element panel, sees validation problems on the diagram, deploys with a
message; new cases follow the new version while a case started before stays on
the old one until the owner migrates it from the migrate page.
"""
from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import expect

from app import create_app
from app.engine.specs import SPIFF_NS, parse_bundle
from app.models import Case
from app.services.processes import RULES
from tests.bundles import process_files
from tests.helpers import Api
from tests.helpers import browser_login as login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SHOTS = Path("/tmp/studio-shots")
MODEL = "building_permit"
STANDARD_TRIAGE = {"case_type": "bygglov", "track": "standard", "neighbours_required": False,
                   "referrals": [], "complete": True}
REVIEW_DONE = {"assessment": "Complies with the plan.", "referrals": [], "neighbours_required": False}


@pytest.fixture
def page(page):
    """The studio needs room for the diagram and the element panel."""
    page.set_viewport_size({"width": 1440, "height": 900})
    return page


@pytest.fixture
def api(rt, actors):
    return Api(create_app(rt.settings, runtime=rt).test_client(), actors)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))




def open_editor(page) -> None:
    page.goto(f"/studio/{MODEL}/edit")
    expect(page.locator("#studio")).to_have_attribute("data-ready", "true")
    expect(page.locator(".studio-canvas .djs-element[data-element-id='review']")).to_be_visible()


def select(page, element_id: str) -> None:
    page.evaluate("""id => { const m = lotsenStudio.modeler();
        m.get('selection').select(m.get('elementRegistry').get(id)); }""", element_id)
    expect(page.locator("#element-form")).to_have_attribute("data-element", element_id)


def extensions(files: dict[str, str]) -> collections.Counter:
    """Every spiffworkflow element and attribute of the BPMN files: (tag, attributes, text)."""
    found = collections.Counter()
    for name, text in files.items():
        if not name.endswith(".bpmn"):
            continue
        root = etree.fromstring(text.encode())
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            if etree.QName(el).namespace == SPIFF_NS:
                found[(etree.QName(el).localname, tuple(sorted(el.attrib.items())), (el.text or "").strip())] += 1
            for key, value in el.attrib.items():
                if key.startswith(f"{{{SPIFF_NS}}}"):
                    found[("@" + etree.QName(key).localname, el.get("id") or etree.QName(el).localname, value)] += 1
    return found


def case_version(rt, case_id: int) -> int:
    with rt.db.unit_of_work() as session:
        return session.get(Case, case_id).process_version.number


# JavaScript run in the page: make room right of `review`, append a user task
# there (it lands in the Officer lane) and route review's outgoing flow from it.
INSERT_TASK = """() => {
  const m = lotsenStudio.modeler();
  const registry = m.get('elementRegistry'), modeling = m.get('modeling'), spaceTool = m.get('spaceTool');
  const review = registry.get('review');
  const out = registry.get('review_to_check_hearing_after_review');
  const start = review.x + review.width + 20;
  const adjust = spaceTool.calculateAdjustments(registry.getAll(), 'x', 150, start);
  modeling.createSpace(adjust.movingShapes, adjust.resizingShapes, { x: 150, y: 0 }, 'e', start);
  const task = modeling.appendShape(review, { type: 'bpmn:UserTask' },
    { x: review.x + review.width + 110, y: review.y + review.height / 2 });
  modeling.reconnectStart(out, task, { x: task.x + task.width, y: task.y + task.height / 2 });
  modeling.layoutConnection(out);
  m.get('selection').select(task);
  return task.id;
}"""


#: How long a browser test waits for a validate or deploy of a changed diagram: the gate walks it (about
#: a thousand paths of the reference process; on a shared two-core machine this took over a minute).
GATE_TIMEOUT_MS = 150_000


def test_modeler_round_trip_keeps_every_extension(page):
    """Import the reference bundle into bpmn-js/dmn-js and export it unchanged: it still deploys."""
    login(page, "process_owner")
    open_editor(page)
    page.click("#file-tabs button[data-tab='triage.dmn']")
    expect(page.locator(".dmn-views [data-decision='referral_decision']")).to_be_visible()
    exported = page.evaluate("() => lotsenStudio.collectFiles()")
    original = process_files(MODEL)
    assert set(exported) == set(original)
    assert exported["building_permit.bpmn"] != original["building_permit.bpmn"]  # really re-serialised
    assert extensions(exported) == extensions(original)
    bundle = parse_bundle(exported, RULES)
    assert list(bundle.specs) == [MODEL]
    assert not page.js_errors


def test_owner_inserts_a_task_deploys_and_migrates_an_old_case(page, api, rt):
    # a case started on version 1 waits at the review
    old = api.as_("applicant").submit(**{"measure": "nybyggnad", "property_designation": "Umeå Gamla 1:1"})
    api.as_("coordinator").complete("triage", STANDARD_TRIAGE, case_id=old["id"])
    assert [t["name"] for t in api.as_("officer").tasks(case_id=old["id"])] == ["review"]

    login(page, "process_owner")
    page.goto("/studio/")
    expect(page.locator(f"#model-{MODEL} tr[data-version='1']")).to_be_visible()
    with page.expect_navigation():
        page.click(f"#model-{MODEL} a.button.primary")
    expect(page.locator("#studio")).to_have_attribute("data-ready", "true")

    new_id = page.evaluate(INSERT_TASK)
    expect(page.locator("#element-form")).to_have_attribute("data-element", new_id)
    panel = page.locator("#element-form")
    panel.locator("[data-key=id]").fill("check_documents")
    panel.locator("[data-key=id]").press("Tab")
    expect(panel).to_have_attribute("data-element", "check_documents")
    # the flow created with the task got a readable id that follows the rename
    assert page.evaluate("() => !!lotsenStudio.modeler().get('elementRegistry').get('review_to_check_documents')")
    panel.locator("[data-key=name]").fill("Check documents")
    panel.locator("[data-key=name]").press("Tab")
    expect(page.locator("#studio-state")).to_contain_text("unsaved changes")

    # validation: the new task has no form yet; the problem is marked on the diagram
    page.click("#btn-validate")
    problem = page.locator("#problem-list li.is-error[data-element='check_documents']")
    expect(problem).to_contain_text("no form", timeout=GATE_TIMEOUT_MS)
    marked = page.locator(".djs-element.lotsen-problem[data-element-id='check_documents']")
    expect(marked).to_have_count(1)
    select(page, "review")
    problem.locator("button").click()
    expect(panel).to_have_attribute("data-element", "check_documents")
    expect(panel.locator(".studio-el-problems")).to_contain_text("no form")
    shot(page, "editor-problems")

    # the Element panel: a new form, the status and the Swedish title
    panel.locator("select[data-key=form]").select_option("__new__")
    expect(panel.locator("[data-key=new-form-name]")).to_have_value("check_documents")
    panel.locator("[data-key=new-form-create]").click()
    expect(panel.locator("select[data-key=form]")).to_have_value("check_documents.json")
    panel.locator("select[data-key=status]").select_option("in_review")
    panel.locator("[data-key=title_sv]").fill("Kontrollera handlingar")
    panel.locator("[data-key=title_sv]").press("Tab")
    forms = sum(1 for name in process_files(MODEL) if name.startswith("forms/"))
    expect(page.locator("#file-tabs button[data-tab='#forms']")).to_contain_text(f"({forms + 1})")  # the new one
    shot(page, "editor")

    # the new form in the forms tab, with the live preview
    page.click("#file-tabs button[data-tab='#forms']")
    page.click("#forms-list button[data-form='forms/check_documents.json']")
    expect(page.locator("#form-preview .field[data-field=notes] textarea")).to_be_visible()
    page.fill("#form-json", '{"type": "object", "properties": {')
    expect(page.locator("#form-errors")).to_contain_text("Not valid JSON")
    page.fill("#form-json", '{"type": "object", "additionalProperties": false, "required": ["checked"], "properties": {'
                            '"checked": {"type": "boolean", "title": "Documents complete", '
                            '"x-title-sv": "Handlingarna kompletta"},'
                            '"notes": {"type": "string", "title": "Notes", "x-title-sv": "Anteckningar", '
                            '"x-widget": "textarea"}}}')
    expect(page.locator("#form-preview .field[data-field=checked] input[type=radio]")).to_have_count(2)
    expect(page.locator("#form-errors")).to_be_empty()
    page.click("#form-format")
    expect(page.locator("#form-json")).to_have_value(re.compile(r'^\{\n  "type": "object",\n'))
    shot(page, "editor-forms")
    page.click("#file-tabs button[data-tab='building_permit.bpmn']")

    page.click("#btn-validate")
    expect(page.locator("#studio-status")).to_contain_text("No problems found", timeout=GATE_TIMEOUT_MS)
    expect(page.locator("#problems")).to_be_hidden()
    expect(marked).to_have_count(0)

    # deploy with a message
    page.click("#btn-deploy")
    page.click("#deploy-confirm")
    expect(page.locator("#deploy-error")).to_be_visible()  # a message is required
    page.fill("#deploy-message", "Officers check the documents before the review continues")
    page.click("#deploy-confirm")
    # the deploy gate walks every path of the new version first
    expect(page.locator("#studio")).to_have_attribute("data-deployed-version", "2", timeout=GATE_TIMEOUT_MS)
    expect(page.locator("#studio-status")).to_contain_text("version 2")
    assert not page.js_errors

    with rt.db.unit_of_work() as session:
        from app.services.studio import get_version

        v1, v2 = (get_version(session, MODEL, n) for n in (1, 2))
        v1_files, v2_files = dict(v1.files), dict(v2.files)
    assert v2.message.startswith("Officers check")
    assert not extensions(v1_files) - extensions(v2_files)  # every extension of v1 is kept
    added = extensions(v2_files) - extensions(v1_files)
    assert added[("formJsonSchemaFilename", (), "check_documents.json")] == 1
    assert added[("property", (("name", "title_sv"), ("value", "Kontrollera handlingar")), "")] == 1
    assert "forms/check_documents.json" in v2_files
    assert re.search(r'<bpmn:lane id="lane_officer"[^>]*>(?:(?!</bpmn:lane>).)*check_documents',
                     v2_files["building_permit.bpmn"], re.S)

    # a new case follows version 2: after the review the officer checks the documents
    new = api.as_("applicant").submit(**{"measure": "nybyggnad", "property_designation": "Umeå Nya 2:2"})
    assert case_version(rt, new["id"]) == 2
    api.as_("coordinator").complete("triage", STANDARD_TRIAGE, case_id=new["id"])
    api.as_("officer").complete("review", REVIEW_DONE, case_id=new["id"])
    assert [t["name"] for t in api.as_("officer").tasks(case_id=new["id"])] == ["check_documents"]

    # the old case stays on version 1: after its review comes the draft decision
    assert case_version(rt, old["id"]) == 1
    api.as_("officer").complete("review", REVIEW_DONE, case_id=old["id"])
    assert [t["name"] for t in api.as_("officer").tasks(case_id=old["id"])] == ["draft_decision"]

    # the diff shows the new task on the version 2 diagram
    page.goto(f"/studio/{MODEL}/diff?from=1&to=2")
    expect(page.locator("#viewer")).to_have_attribute("data-ready", "true")
    expect(page.locator("#diff-added li[data-element='check_documents']")).to_be_visible()
    expect(page.locator("#diff-added li[data-element='review_to_check_documents']")).to_be_visible()
    expect(page.locator(".djs-element.lotsen-added[data-element-id='check_documents']")).to_have_count(1)
    expect(page.locator("#diff-changed li[data-element='lane_officer']")).to_be_visible()
    shot(page, "diff")
    page.click("#diff-added button[data-focus-element='check_documents']")
    expect(page.locator(".djs-element.selected[data-element-id='check_documents']")).to_have_count(1)
    shot(page, "diff-focus")

    # the owner migrates the old case
    page.goto(f"/studio/{MODEL}/migrate?to=2")
    row = page.locator(f"#migrate-table tr[data-case='{old['id']}']")
    expect(row).to_contain_text(old["reference"])
    row.locator("input[name=case_id]").check()
    shot(page, "migrate")
    with page.expect_navigation():
        page.click("#migrate-submit")
    expect(page.locator(f"#migrate-results tr.migrated-ok[data-case='{old['id']}']")).to_be_visible()
    shot(page, "migrate-results")
    assert case_version(rt, old["id"]) == 2
    assert [t["name"] for t in api.as_("officer").tasks(case_id=old["id"])] == ["draft_decision"]

    # the version page shows version 2 read-only with its files
    page.goto(f"/studio/{MODEL}/versions/2")
    expect(page.locator("#viewer")).to_have_attribute("data-ready", "true")
    expect(page.locator("#version-files li[data-file='forms/check_documents.json'] a[download]")).to_be_visible()
    shot(page, "version")
    page.goto("/studio/")
    expect(page.locator(f"#model-{MODEL} tr[data-version='2']")).to_contain_text("Officers check")
    shot(page, "index")
    assert not page.js_errors


def test_problems_of_a_broken_draft_are_listed_and_marked(page):
    """A bad status and a lane that is no group: listed with file and line, marked, and the draft is kept."""
    login(page, "process_owner")
    open_editor(page)
    panel = page.locator("#element-form")
    select(page, "lane_officer")
    panel.locator("select").select_option("Committee")
    select(page, "classify")
    panel.locator("select[data-key=decision]").select_option("referral_decision")
    select(page, "compute_fee_task")
    expect(panel.locator("select[data-key=operation]")).to_have_value("compute_fee")
    panel.locator("[data-key='param:area_m2']").fill("area_m2 or 0")
    panel.locator("[data-key='param:area_m2']").press("Tab")
    panel.locator("[data-key=resultVariable]").fill("fee_lines")
    panel.locator("[data-key=resultVariable]").press("Tab")
    page.click("#btn-save")
    expect(page.locator("#studio-status")).to_contain_text("Draft saved")
    page.click("#btn-deploy")
    page.fill("#deploy-message", "should not deploy")
    page.evaluate("""() => { const m = lotsenStudio.modeler(), r = m.get('elementRegistry');
        const lane = r.get('lane_officer'); m.get('modeling').updateLabel(lane, 'Officers'); }""")
    page.click("#deploy-confirm")
    problem = page.locator("#problem-list li[data-element='lane_officer']")
    expect(problem).to_contain_text("not a known group", timeout=GATE_TIMEOUT_MS)
    expect(problem.locator(".where")).to_have_text(re.compile(r"^building_permit\.bpmn:\d+$"))
    expect(page.locator(".djs-element.lotsen-problem[data-element-id='lane_officer']")).to_have_count(1)
    expect(page.locator("#studio-status")).to_contain_text("Not deployed")
    shot(page, "editor-deploy-rejected")
    page.reload()
    expect(page.locator("#studio")).to_have_attribute("data-ready", "true")
    expect(page.locator("#studio-state")).to_contain_text("Draft")
    select(page, "classify")
    expect(panel.locator("select[data-key=decision]")).to_have_value("referral_decision")
    bpmn = page.evaluate("() => lotsenStudio.collectFiles()")["building_permit.bpmn"]
    assert re.search(r'<spiffworkflow:serviceTaskOperator id="compute_fee" resultVariable="fee_lines">\s*'
                     r'<spiffworkflow:parameters>\s*'
                     r'<spiffworkflow:parameter id="case_type" type="str" value="case_type" />\s*'
                     r'<spiffworkflow:parameter id="measure" type="str" value="measure" />\s*'
                     r'<spiffworkflow:parameter id="area_m2" type="str" value="area_m2 or 0" />', bpmn)
    assert '<bpmn:lane id="lane_officer" name="Officers">' in bpmn
    assert not page.js_errors


def test_owner_changes_a_triage_rule_in_the_decision_table_and_the_next_case_follows(page, api):
    before = api.as_("applicant").submit(property_designation="Umeå Före 1:1")["id"]
    [task] = api.as_("coordinator").tasks(case_id=before)
    assert task["form"]["schema"]["properties"]["track"]["default"] == "simple"

    login(page, "process_owner")
    open_editor(page)
    page.click("#file-tabs button[data-tab='triage.dmn']")
    expect(page.locator(".dmn-views [data-decision='triage_decision']")).to_be_visible()
    page.click(".dmn-views [data-decision='triage_decision']")
    # fences, walls and signs inside the plan: standard track instead of simple (edited in dmn-js)
    changed = page.evaluate("""async () => {
        const modeler = lotsenStudio.modeler('triage.dmn');
        const view = modeler.getViews().find(v => v.element.id === 'triage_decision');
        await modeler.open(view);
        const viewer = modeler.getActiveViewer();
        const table = view.element.decisionLogic;
        const rule = table.rule.find(r => r.id === 'triage_rule_2');  // fences, walls, signs needing a lov
        const track = rule.outputEntry.find(e => e.text === '"simple"');
        viewer.get('modeling').editCell(track, '"standard"');
        return track.text;
    }""")
    assert changed == '"standard"'
    page.click("#btn-deploy")
    page.fill("#deploy-message", "Fences need an officer's review")
    page.click("#deploy-confirm")
    expect(page.locator("#studio")).to_have_attribute("data-deployed-version", "2", timeout=GATE_TIMEOUT_MS)

    after = api.as_("applicant").submit(property_designation="Umeå Efter 2:2")["id"]
    [task] = api.as_("coordinator").tasks(case_id=after)
    assert task["form"]["schema"]["properties"]["track"]["default"] == "standard"
    [old] = api.as_("coordinator").tasks(case_id=before)  # the earlier case keeps its suggestion
    assert old["form"]["schema"]["properties"]["track"]["default"] == "simple"


def test_owner_hands_a_service_step_to_an_integration_worker(page):
    """No Lotsen operation for the step: the panel takes a topic, and the step deploys as an external task."""
    from app.engine.external import ExternalTask

    login(page, "process_owner")
    open_editor(page)
    panel = page.locator("#element-form")
    select(page, "compute_fee_task")
    expect(panel.locator("[data-key=topic]")).to_have_count(0)  # an operation is set
    panel.locator("select[data-key=operation]").select_option("")
    panel.locator("[data-key=topic]").fill("fee-service")
    panel.locator("[data-key=topic]").press("Tab")
    files = page.evaluate("() => lotsenStudio.collectFiles()")
    spec, _ = parse_bundle(files, RULES).specs["building_permit"]
    task = spec.task_specs["compute_fee_task"]
    assert isinstance(task, ExternalTask) and task.topic == "fee-service"
    assert not page.js_errors
