"""Process models over the API: deploy (all or nothing), versions, diff, migrating running cases."""
from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.clock import clock
from app.config import PROJECT_ROOT
from app.models import AuditEvent, ProcessDraft, ProcessVersion, Timer, User
from app.services import studio
from app.engine.specs import BundleInvalid, parse_bundle
from app.services.errors import DeployRejected, Forbidden
from app.services.processes import RULES, read_directory
from tests.bundles import CHECK_FORM, FIXTURES, LETTERS, MINI_BPMN
from tests.helpers import TRIAGE_COMPLETE, Api, application

BUILDING_PERMIT = (PROJECT_ROOT / "processes" / "building_permit.bpmn").read_text()
APPLICATION_FORM = (PROJECT_ROOT / "processes" / "forms" / "application.json").read_text()
CHECK_PLAN_FORM = json.dumps({
    "type": "object", "additionalProperties": False, "required": ["plan_checked"],
    "properties": {"plan_checked": {"type": "boolean", "title": "Detailed plan checked",
                                    "x-title-sv": "Detaljplanen kontrollerad"}}})
CHECK_PLAN_TASK = """<bpmn:userTask id="check_plan" name="Check the detailed plan">
      <bpmn:extensionElements>
        <spiffworkflow:formJsonSchemaFilename>check_plan.json</spiffworkflow:formJsonSchemaFilename>
        <spiffworkflow:properties>
          <spiffworkflow:property name="status" value="in_review" />
          <spiffworkflow:property name="title_sv" value="Kontrollera detaljplanen" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>check_hearing_after_review_to_review_split</bpmn:incoming>
      <bpmn:outgoing>check_plan_to_review_split</bpmn:outgoing>
    </bpmn:userTask>
    """


def building_permit_v2() -> str:
    """The reference process with a user task in the Officer lane between the review's hearing check and
    `review_split`."""
    text = BUILDING_PERMIT
    for old, new in [
        ('<bpmn:sequenceFlow id="check_hearing_after_review_to_review_split" sourceRef="check_hearing_after_review" '
         'targetRef="review_split" />',
         '<bpmn:sequenceFlow id="check_hearing_after_review_to_review_split" sourceRef="check_hearing_after_review" '
         'targetRef="check_plan" />\n'
         '    <bpmn:sequenceFlow id="check_plan_to_review_split" sourceRef="check_plan" targetRef="review_split" />'),
        ('<bpmn:incoming>check_hearing_after_review_to_review_split</bpmn:incoming>\n      '
         '<bpmn:outgoing>review_split_to_needs',
         '<bpmn:incoming>check_plan_to_review_split</bpmn:incoming>\n      <bpmn:outgoing>review_split_to_needs'),
        ('<bpmn:parallelGateway id="review_split"', CHECK_PLAN_TASK + '<bpmn:parallelGateway id="review_split"'),
        ("<bpmn:flowNodeRef>review_split</bpmn:flowNodeRef>",
         "<bpmn:flowNodeRef>check_plan</bpmn:flowNodeRef><bpmn:flowNodeRef>review_split</bpmn:flowNodeRef>"),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def upload(client, actors, files: dict[str, str | bytes], role: str = "process_owner", message: str = "test"):
    data = {"files": [(io.BytesIO(t.encode() if isinstance(t, str) else t), n) for n, t in files.items()],
            "message": message}
    return client.post("/api/process-models", data=data, headers=actors.headers(role),
                       content_type="multipart/form-data")


def versions(rt) -> int:
    """How many versions of the building-permit process exist."""
    with rt.db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(ProcessVersion)
                        .where(ProcessVersion.model == "building_permit"))


def mini(text: str = MINI_BPMN) -> dict[str, str]:
    return {"mini.bpmn": text.replace("SCRIPT", "x = 1").replace("OPERATION", "register_case"),
            "check.json": CHECK_FORM, **LETTERS}


CALL_MISSING = MINI_BPMN.replace(
    '<bpmn:sequenceFlow id="f4" sourceRef="register" targetRef="done" />',
    '<bpmn:sequenceFlow id="f4" sourceRef="register" targetRef="call_permit" />'
    '<bpmn:sequenceFlow id="f5" sourceRef="call_permit" targetRef="done" />').replace(
    '<bpmn:endEvent id="done"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>',
    '<bpmn:callActivity id="call_permit" name="Start a permit" calledElement="harbour_permit">'
    '<bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:callActivity>'
    '<bpmn:endEvent id="done"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>').replace(
    "<bpmn:flowNodeRef>done</bpmn:flowNodeRef>",
    "<bpmn:flowNodeRef>done</bpmn:flowNodeRef><bpmn:flowNodeRef>call_permit</bpmn:flowNodeRef>")
DUPLICATE_IDS = MINI_BPMN.replace('<bpmn:scriptTask id="compute"', '<bpmn:scriptTask id="check"') \
    .replace('targetRef="compute"', 'targetRef="check"').replace('sourceRef="compute"', 'sourceRef="check"')
BOMB = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol3;</bpmn:definitions>')
XXE = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
       '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&e;</bpmn:definitions>')


@pytest.mark.parametrize("files, status, needle", [
    ({"mini.bpmn": BOMB}, 422, "entity declarations are not allowed"),
    ({"mini.bpmn": XXE}, 422, "entity declarations are not allowed"),
    ({"mini.bpmn": b"x" * (50 * 1024 * 1024)}, 413, "larger than 20 MB"),
    ({"mini.bpmn": "Permit for a fence, see attached drawing."}, 422, "not well-formed XML"),
    (mini(MINI_BPMN.replace('isExecutable="true"', 'isExecutable="false"')), 422, "no executable process"),
    (mini(DUPLICATE_IDS), 422, "id 'check' is used twice"),
    (mini(CALL_MISSING), 422, "calls process 'harbour_permit', which does not exist"),
    ({"notes.txt": "hello"}, 422, "upload .bpmn, .dmn or form files (.json, .html, .form), or letters"),
])
def test_bad_upload_is_refused_and_nothing_is_deployed(client, actors, rt, files, status, needle):
    r = upload(client, actors, files)
    assert r.status_code == status, r.get_json()
    body = r.get_json()
    assert needle in json.dumps(body), body
    assert versions(rt) == 1


def test_problem_lists_file_line_element_and_message(client, actors, rt):
    r = upload(client, actors, mini(CALL_MISSING))
    [problem] = r.get_json()["errors"]
    assert set(problem) == {"file", "line", "element", "message"}
    assert (problem["file"], problem["element"]) == ("mini.bpmn", "call_permit") and problem["line"] > 1


def test_only_process_owners_and_admins_deploy(client, actors, rt):
    assert upload(client, actors, mini(), role="officer").status_code == 403
    assert upload(client, actors, mini(), role="applicant").status_code == 403
    r = upload(client, actors, mini(), role="admin")
    body = r.get_json()
    assert r.status_code == 201 and {k: body[k] for k in ("model", "version", "unchanged", "warnings")} == {
        "model": "mini", "version": 1, "unchanged": False, "warnings": []}
    assert body["gate"]["verdict"] in ("passed", "passed_with_warnings")
    again = upload(client, actors, mini(), role="admin").get_json()
    assert {k: again[k] for k in ("model", "version", "unchanged", "warnings")} == {
        "model": "mini", "version": 1, "unchanged": True, "warnings": []}


def test_version_shows_its_files_and_diff_lists_elements(client, actors, rt):
    assert upload(client, actors, {"building_permit.bpmn": building_permit_v2(),
                                   "check_plan.json": CHECK_PLAN_FORM}, message="plan check").status_code == 201
    owner = actors.headers("process_owner")
    listed = client.get("/api/process-models", headers=owner).get_json()
    # the notification process of the same folder did not change, so it got no new version
    assert [(m["model"], m["latest_version"], m["versions"]) for m in listed] == [("anmalan", 1, 1),
                                                                                  ("building_permit", 2, 2)]
    v2 = client.get("/api/process-models/building_permit/versions/2", headers=owner).get_json()
    assert v2["message"] == "plan check" and v2["author"] == "petra"
    assert {"building_permit.bpmn", "triage.dmn", "forms/check_plan.json", "forms/triage.json"} <= set(v2["files"])
    text = client.get("/api/process-models/building_permit/versions/2?file=forms/check_plan.json", headers=owner)
    assert json.loads(text.get_data(as_text=True))["required"] == ["plan_checked"]
    d = client.get("/api/process-models/building_permit/diff?from=1&to=2", headers=owner).get_json()
    assert [(e["id"], e["type"]) for e in d["added"]] == [("check_plan", "userTask"),
                                                           ("check_plan_to_review_split", "sequenceFlow")]
    assert d["removed"] == []
    assert {e["id"]: e["changes"] for e in d["changed"]} == {
        "lane_officer": ["flowNodeRef"], "review_split": ["incoming"],
        "check_hearing_after_review_to_review_split": ["targetRef"]}
    assert d["files_changed"] == [{"file": "building_permit.bpmn", "change": "changed"},
                                  {"file": "forms/check_plan.json", "change": "added"}]
    assert client.get("/api/process-models/building_permit/diff?from=1", headers=owner).status_code == 422
    assert client.get("/api/process-models/building_permit/versions/9", headers=owner).status_code == 404
    assert client.get("/api/process-models", headers=actors.headers("applicant")).status_code == 403


def test_layout_only_change_lists_no_element(rt):
    moved = BUILDING_PERMIT.replace('<dc:Bounds x="', '<dc:Bounds x="1', 1)
    from app.engine.diff import diff_bundles

    d = diff_bundles({"b.bpmn": BUILDING_PERMIT}, {"b.bpmn": moved})
    assert (d["added"], d["removed"], d["changed"]) == ([], [], [])
    assert d["files_changed"] == [{"file": "b.bpmn", "change": "changed"}]


def timers(rt, case_id: int) -> list[tuple]:
    with rt.db.unit_of_work(write=False) as s:
        return [(t.element_id, t.due_at) for t in s.scalars(select(Timer).where(Timer.case_id == case_id))]


def _to_referrals(api, case_id):
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard", "referrals": ["miljo"]},
                                    case_id)
    api.as_("officer").complete("review", {"assessment": "Fine."}, case_id)


def test_v2_applies_to_new_cases_and_an_old_case_migrates(client, actors, api, rt):
    old = api.as_("applicant").submit()["id"]
    in_referral = api.as_("applicant").submit()["id"]
    _to_referrals(api, in_referral)
    r = upload(client, actors, {"building_permit.bpmn": building_permit_v2(), "check_plan.json": CHECK_PLAN_FORM})
    assert r.status_code == 201 and r.get_json()["version"] == 2

    new = api.as_("applicant").submit()["id"]
    assert api.as_("officer").case(new)["process_version"] == 2
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard"}, new)
    api.as_("officer").complete("review", {"assessment": "Fine."}, new)
    assert [t["name"] for t in api.as_("officer").tasks(case_id=new)] == ["check_plan"]
    assert api.as_("officer").case(old)["process_version"] == 1

    owner = api.as_("process_owner")
    preview = {p["case_id"]: p for p in owner.get("/api/process-models/building_permit/migration-preview?to=2")
               .get_json()}
    assert set(preview) == {old, in_referral}
    assert preview[old]["can_migrate"] and preview[old]["reason"] is None
    assert not preview[in_referral]["can_migrate"]
    assert "inside 'Answer referral'" in preview[in_referral]["reason"]

    [triage_before] = api.as_("coordinator").tasks("triage", old)
    clock.advance(timedelta(days=2))  # the reminder keeps its due time; it does not start again
    timers_before = timers(rt, old)
    assert [t[0] for t in timers_before] == ["supplement_window_reminder"]
    assert api.as_("officer").post(f"/api/cases/{old}/migrate", {"version": 2}).status_code == 403
    r = owner.post(f"/api/cases/{in_referral}/migrate", {"version": 2})
    assert r.status_code == 409 and "multi-instance" in r.get_json()["message"]
    r = owner.post(f"/api/cases/{old}/migrate", {"version": 2})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["process_version"] == 2 and r.get_json()["status"] == "in_triage"
    history = [h for h in owner.get(f"/api/cases/{old}/history").get_json() if h["action"] == "case.migrated"]
    assert [h["details"] for h in history] == [{"model": "building_permit", "from": 1, "to": 2}]
    assert owner.post(f"/api/cases/{old}/migrate", {"version": 2}).status_code == 409  # already there
    assert timers(rt, old) == timers_before

    # the migrated case keeps its open task and follows version 2 from there
    [triage] = api.as_("coordinator").tasks("triage", old)
    assert triage["id"] == triage_before["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard"}, old)
    api.as_("officer").complete("review", {"assessment": "Fine."}, old)
    assert [t["name"] for t in api.as_("officer").tasks(case_id=old)] == ["check_plan"]
    api.as_("officer").complete("check_plan", {"plan_checked": True}, old)
    assert api.as_("officer").case(old)["status"] in ("in_review", "awaiting_decision")


def mini_with_application(text: str = MINI_BPMN) -> dict[str, str]:
    """The mini process, startable by the portal (it takes the application form)."""
    start = ('<bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:formJsonSchemaFilename>'
             'application.json</spiffworkflow:formJsonSchemaFilename></bpmn:extensionElements>')
    public = ('<bpmn:process id="mini" isExecutable="true"><bpmn:extensionElements><spiffworkflow:properties>'
              '<spiffworkflow:property name="public" value="true" /></spiffworkflow:properties>'
              '</bpmn:extensionElements>')
    files = mini(text.replace('<bpmn:startEvent id="start">', start)
                 .replace('<bpmn:process id="mini" isExecutable="true">', public))
    return files | {"application.json": APPLICATION_FORM}


WITHOUT_CHECK = MINI_BPMN.replace(
    """<bpmn:userTask id="check" name="Check">
      <bpmn:extensionElements>
        <spiffworkflow:formJsonSchemaFilename>check.json</spiffworkflow:formJsonSchemaFilename>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>""", "").replace('<bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="compute" />', "") \
    .replace('targetRef="check"', 'targetRef="compute"').replace("<bpmn:incoming>f2</bpmn:incoming>",
                                                                 "<bpmn:incoming>f1</bpmn:incoming>") \
    .replace("<bpmn:flowNodeRef>check</bpmn:flowNodeRef>", "")


def test_a_case_whose_open_task_was_removed_cannot_migrate(client, actors, api, rt):
    assert upload(client, actors, mini_with_application()).status_code == 201
    r = api.as_("applicant").post("/api/cases", {"process": "mini", "data": application()})
    case_id = r.get_json()["id"]
    assert upload(client, actors, mini_with_application(WITHOUT_CHECK)).status_code == 201
    owner = api.as_("process_owner")
    [preview] = owner.get("/api/process-models/mini/migration-preview?to=2").get_json()
    assert preview == {"case_id": case_id, "reference": r.get_json()["reference"], "from_version": 1,
                       "can_migrate": False, "reason": "its open task 'Check' does not exist in version 2"}
    assert preview["reference"].startswith("MINI ")  # registered on arrival: the process has no step for it
    r = owner.post(f"/api/cases/{case_id}/migrate", {"version": 2})
    assert r.status_code == 409 and "its open task 'Check' does not exist in version 2" in r.get_json()["message"]
    assert api.as_("process_owner").case(case_id)["process_version"] == 1

    renamed_end = mini_with_application(MINI_BPMN.replace('<bpmn:endEvent id="done">',
                                                          '<bpmn:endEvent id="done" name="Done">'))
    assert upload(client, actors, renamed_end).status_code == 201  # version 3 keeps `check`
    with rt.db.unit_of_work() as s:
        owner_user = s.get(User, actors.ids["process_owner"])
        results = studio.migrate_cases(s, actor=owner_user, case_ids=[case_id, 4242], to_n=2)
        assert [(r["case_id"], r["migrated"]) for r in results] == [(case_id, False), (4242, False)]
        assert results[0]["reason"].endswith("its open task 'Check' does not exist in version 2")
        [moved] = studio.migrate_cases(s, actor=owner_user, case_ids=[case_id], to_n=3)
        assert moved["migrated"] and moved["from_version"] == 1
    case = api.as_("process_owner").case(case_id)
    assert case["process_version"] == 3 and [t["name"] for t in case["open_tasks"]] == ["check"]
    api.as_("coordinator").complete("check", {"ok": True}, case_id)
    assert api.as_("coordinator").case(case_id)["completed_at"] is not None


def test_draft_is_saved_and_removed_by_the_deploy(rt, actors):
    with rt.db.unit_of_work() as s:
        owner = s.get(User, actors.ids["process_owner"])
        officer = s.get(User, actors.ids["officer"])
        with pytest.raises(Forbidden):
            studio.save_draft(s, model="mini", files=mini(), author=officer)
        draft = studio.save_draft(s, model="mini", files=mini(), author=owner)
        assert (draft.base_version_number, sorted(draft.files)) == (None, sorted(["check.json", "mini.bpmn", *LETTERS]))
        assert [m for m in studio.list_models(s) if m["model"] == "mini"][0]["has_draft"]
        with pytest.raises(DeployRejected) as err:
            studio.deploy(s, files=mini(), message="draft", author=owner)  # check.json is not under forms/
        assert any("unknown file type" in e["message"] for e in err.value.errors)
        files = {"mini.bpmn": mini()["mini.bpmn"], "forms/check.json": CHECK_FORM, **LETTERS}
        assert studio.validate(s, files) == []
        assert studio.validate(s, {"mini.bpmn": "\x00"})[0]["message"].startswith("not well-formed XML")
        version = studio.deploy(s, files=files, message="first", author=owner)
        assert (version.model, version.number) == ("mini", 1)
        assert studio.get_draft(s, "mini") is None
        assert s.scalar(select(func.count()).select_from(ProcessDraft)) == 0
    with rt.db.unit_of_work(write=False) as s:  # audit events join the trail when the transaction commits
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "process.draft_saved" in actions and actions[-1] == "process.deployed"


def test_catalog_groups_and_statuses_for_the_studio(rt):
    catalog = {op["name"]: op for op in studio.operations_catalog()}
    assert "register_case" in catalog
    assert set(catalog["compute_fee"]["required"]) <= set(catalog["compute_fee"]["params"])
    with rt.db.unit_of_work(write=False) as session:
        listed = studio.groups(session, "sv")
    offered = {g["name"]: g["title"] for g in listed}
    assert {"coordinator", "officer", "committee", "miljo"} <= set(offered) and offered["miljo"] == "Miljö"
    # a lane may name a group by either title: the studio knows both
    assert {g["name"]: g["labels"] for g in listed}["miljo"] == ["miljo", "Miljö", "Environment"]
    assert studio.statuses()[0] == "received" and "in_triage" in studio.statuses()


def test_migration_keeps_a_waiting_timer_due_time(rt):
    """A relative timer (P21D) that is already running keeps its due time on the new version."""
    from app.engine import diff
    from app.engine.store import specs_to_json
    from app.engine.specs import parse_bundle
    from app.services.env import get_env
    from app.services.processes import RULES
    from tests.test_deploy_validation import bundle_with_timer

    v1 = bundle_with_timer("'P21D'")
    v2 = dict(v1, **{"mini.bpmn": v1["mini.bpmn"].replace('<bpmn:endEvent id="done">',
                                                            '<bpmn:endEvent id="done" name="Finished">')})
    with rt.db.unit_of_work(write=False) as s:
        engine = get_env(s).engine
    for version_id, files in ((9001, v1), (9002, v2)):
        engine.specs.put(version_id, specs_to_json(*parse_bundle(files, RULES).specs["mini"]))

    wf = engine.new(9001, {}, context_for=lambda task: None)
    events: list[dict] = []
    engine.run(wf, events)
    engine.complete_task(wf, engine.snapshot(wf, events).ready[0].id, {"ok": True}, events)
    [timer] = engine.snapshot(wf, events).timers
    clock.advance(timedelta(days=5))
    wf = engine.load(engine.dump(wf), context_for=lambda task: None)
    spec, subprocesses = engine.specs.get(9002)
    diff.migrate(wf, engine.serializer.registry, 9002, spec, subprocesses, "version 2")
    moved = engine.load(engine.dump(wf), context_for=lambda task: None)
    assert moved.version_id == 9002 and moved.spec is spec
    assert [(t.element_id, t.due_at) for t in engine.snapshot(moved, events).timers] == [("wait_a_while", timer.due_at)]


SUBPROCESS_BPMN = (FIXTURES / "subprocess.bpmn").read_text(encoding="utf-8")


@pytest.mark.parametrize("change, reason", [
    (('<bpmn:endEvent id="done">', '<bpmn:endEvent id="done" name="Done">'), None),
    (('name="Inner"', 'name="Inner task"'), "its open task 'Inner' inside 'Sub' changed in version 2 (bpmn_name)"),
])
def test_a_case_inside_a_subprocess_migrates_unless_its_task_changed(rt, change, reason):
    from app.engine import diff
    from app.engine.store import specs_to_json
    from app.engine.specs import parse_bundle
    from app.services.env import get_env
    from app.services.processes import RULES

    with rt.db.unit_of_work(write=False) as s:
        engine = get_env(s).engine
    for version_id, text in ((9101, SUBPROCESS_BPMN), (9102, SUBPROCESS_BPMN.replace(*change))):
        specs = parse_bundle({"s.bpmn": text, "forms/check.json": CHECK_FORM}, RULES).specs["subby"]
        engine.specs.put(version_id, specs_to_json(*specs))
    wf = engine.new(9101, {}, context_for=lambda task: None)
    events: list[dict] = []
    engine.run(wf, events)
    assert wf.subprocesses and [r.element_id for r in engine.snapshot(wf, events).ready] == ["inner"]
    spec, subprocesses = engine.specs.get(9102)
    if reason:
        with pytest.raises(diff.MigrationBlocked) as err:
            diff.migrate(wf, engine.serializer.registry, 9102, spec, subprocesses, "version 2")
        assert err.value.reason == reason
        return
    diff.migrate(wf, engine.serializer.registry, 9102, spec, subprocesses, "version 2")
    moved = engine.load(engine.dump(wf), context_for=lambda task: None)
    [ready] = engine.snapshot(moved, events).ready
    engine.complete_task(moved, ready.id, {"ok": True}, events)
    assert moved.is_completed()


@pytest.mark.parametrize(("old", "new", "said"), [
    ('"mini"', '"' + "p" * 121 + '"', "process id is longer than 120 characters"),
    ('"compute"', '"' + "c" * 121 + '"', "element id is longer than 120 characters"),
])
def test_an_id_longer_than_the_database_keeps_is_refused_at_deploy(client, actors, rt, old, new, said):
    r = upload(client, actors, mini(MINI_BPMN.replace(old, new)))
    assert r.status_code == 422, r.get_data(as_text=True)[:300]
    [problem] = r.get_json()["errors"]
    assert said in problem["message"] and problem["file"] == "mini.bpmn"
    with rt.db.unit_of_work(write=False) as s:
        stored = s.scalars(select(ProcessVersion.model).where(ProcessVersion.model.like("%mini%")
                                                              | ProcessVersion.model.like("ppp%"))).all()
    assert stored == []


def test_a_message_name_longer_than_the_database_keeps_is_refused_at_deploy():
    files = read_directory(PROJECT_ROOT / "processes")
    files["building_permit.bpmn"] = files["building_permit.bpmn"].replace(
        'name="supplement_received"', 'name="' + "m" * 121 + '"')
    with pytest.raises(BundleInvalid) as refused:
        parse_bundle(files, RULES)
    assert any("message name is longer than 120 characters" in p.message for p in refused.value.problems)
