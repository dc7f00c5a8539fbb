"""The deploy gate: a new version walks every path through the real engine before it goes live."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app.config import PROJECT_ROOT
from app.engine.gate import formdata
from app.engine.gate.fakes import answers
from app.engine.specs import read_bundle
from app.models import ProcessVersion
from app.services import gate as gate_service
from app.services.processes import RULES, read_directory
from handlers import REGISTRY
from handlers.registry import check_returns
from tests.bundles import gate_bundle, without_task

PROCESSES = PROJECT_ROOT / "processes"
BUILDING_PERMIT = (PROCESSES / "building_permit.bpmn").read_text()


def upload(client, actors, files: dict[str, str], message: str = "test"):
    data = {"files": [(io.BytesIO(t.encode()), n) for n, t in files.items()], "message": message}
    return client.post("/api/process-models", data=data, headers=actors.headers("process_owner"),
                       content_type="multipart/form-data")


class Latest:
    def __init__(self, version: ProcessVersion):
        self.number, self.gate_report = version.number, version.gate_report


def latest(rt, model: str) -> Latest:
    with rt.db.unit_of_work(write=False) as s:
        return Latest(s.scalar(select(ProcessVersion).where(ProcessVersion.model == model)
                               .order_by(ProcessVersion.number.desc()).limit(1)))


def test_deleting_the_decision_task_is_refused_naming_the_element_and_the_path(client, actors, rt):
    broken = without_task(BUILDING_PERMIT, "coordinator_decision")
    r = upload(client, actors, {"building_permit.bpmn": broken}, "Coordinator decides in triage")
    body = r.get_json()
    assert r.status_code == 422, body
    [problem] = [e for e in body["errors"] if e["element"] == "record_decision_task"]
    assert "NameError: name 'outcome' is not defined" in problem["message"]
    assert problem["file"] == "building_permit.bpmn"  # anmalan.bpmn has an element of that id too
    assert problem["path"][:2] == ["application_received", "register_case_task"]
    path = problem["path"]
    assert path[-1] == "record_decision_task" and path[path.index("track_gateway"):][:3] == [
        "track_gateway", "hand_over_gateway", "before_fee"]  # the simple track, now straight to the decision
    assert body["gate"]["verdict"] == "refused"
    assert body["gate"]["coverage"][0]["paths"] > 10
    assert latest(rt, "building_permit").number == 1  # nothing deployed


def test_the_reference_process_passes_and_its_version_keeps_the_verdict(rt):
    version = latest(rt, "building_permit")
    report = version.gate_report
    assert report["verdict"] in ("passed", "passed_with_warnings") and report["errors"] == []
    [coverage] = report["coverage"]
    assert coverage["complete"] and coverage["not_reached"] == [] and coverage["branches_not_taken"] == []
    assert coverage["elements_total"] == len(coverage["elements_reached"]) > 40
    assert "building_permit:" in report["summary"] and "elements reached" in report["summary"]


def test_every_problem_comes_in_one_answer(client, actors, rt):
    r = upload(client, actors, gate_bundle("several_problems"))
    assert r.status_code == 422
    found = {(e["element"], e["kind"]) for e in r.get_json()["errors"]}
    assert {("summarise", "path"), ("summarise", "unit_test"), ("fee", "names"), ("record", "names"),
            ("record", "check"), ("forgotten", "reachability")} <= found
    messages = " | ".join(e["message"] for e in r.get_json()["errors"])
    assert "name 'note' is not defined" in messages  # an optional form field left empty
    assert "Fee reads 'tariff' (its script), which no earlier step can have set" in messages
    assert "Forgotten step cannot be reached" in messages
    assert "status 'nearly_done' is not one of" in messages
    assert "unit test 'granted_case' of Summarise failed" in messages


def test_a_join_that_waits_for_a_branch_that_never_comes_is_a_dead_end(client, actors):
    r = upload(client, actors, gate_bundle("dead_end"))
    [problem] = r.get_json()["errors"]
    assert problem["element"] == "both_done" and problem["message"].startswith("dead end: after ")
    assert "it would wait forever at 'Both done'" in problem["message"]


def test_a_group_without_members_is_a_warning_not_an_error(rt, client, actors):
    from app.services import groups

    with rt.db.unit_of_work() as s:
        groups.create_group(s, actor=None, name="architects", title_sv="Arkitekter", title_en="Architects")
    text = BUILDING_PERMIT.replace('<bpmn:lane id="lane_committee" name="Committee">',
                                   '<bpmn:lane id="lane_committee" name="Architects">')
    r = upload(client, actors, {"building_permit.bpmn": text}, "Committee decisions by the architects")
    assert r.status_code == 201, r.get_json()
    warnings = latest(rt, "building_permit").gate_report["warnings"]
    assert any(w["element"] == "committee_decision" and "group 'architects', which has no members" in w["message"]
               for w in warnings)


@pytest.mark.parametrize("locale, warning, verdict, summary", [
    ("sv", "Registrera nämndens beslut erbjuds Arkitekter, som ännu inte har några medlemmar", "godkänd",
     "vägar gångna"),
    ("en", "Record committee decision is offered to Architects, which has no members yet", "passed",
     "paths walked"),
])
def test_the_version_page_words_the_gate_in_the_readers_language_and_drops_a_group_warning_once_staffed(
        rt, client, actors, locale, warning, verdict, summary):
    from app.services import groups
    from tests.test_incidents_clear import login

    with rt.db.unit_of_work() as s:
        groups.create_group(s, actor=None, name="architects", title_sv="Arkitekter", title_en="Architects")
    text = BUILDING_PERMIT.replace('<bpmn:lane id="lane_committee" name="Committee">',
                                   '<bpmn:lane id="lane_committee" name="Architects">')
    assert upload(client, actors, {"building_permit.bpmn": text}, "Architects decide").status_code == 201
    number = latest(rt, "building_permit").number
    login(client, "petra", locale)
    page = client.get(f"/studio/building_permit/versions/{number}").get_data(as_text=True)
    assert warning in page and summary in page
    assert "which has no members yet" not in page or locale == "en"
    with rt.db.unit_of_work() as s:
        groups.add_member(s, actor=None, name="architects", username="karin")
    page = client.get(f"/studio/building_permit/versions/{number}").get_data(as_text=True)
    assert warning not in page
    assert re.search(rf'data-verdict="passed"[^>]*>{verdict}</span>', page)
    index = client.get("/studio/").get_data(as_text=True)
    row = index[index.index(f'<tr data-version="{number}">'):]
    assert 'data-verdict="passed"' in row[:row.index("</tr>")]


def test_a_diagram_too_large_to_walk_fully_says_what_was_covered(rt, actors, client):
    rt.settings.gate_max_paths = 5
    text = BUILDING_PERMIT.replace('name="Record decision"', 'name="Record the decision"')
    r = upload(client, actors, {"building_permit.bpmn": text}, "renamed a step")
    assert r.status_code == 201, r.get_json()
    report = latest(rt, "building_permit").gate_report
    assert report["complete"] is False and report["coverage"][0]["stopped_by"] == "paths"
    [warning] = [w for w in report["warnings"] if w["kind"] == "coverage"]
    total = report["coverage"][0]["elements_total"]
    assert "too large to walk every path" in warning["message"] and f"of {total} elements" in warning["message"]


def test_an_unchanged_bundle_is_not_walked_again(rt, monkeypatch):
    def walk_again(*args, **kwargs):
        raise AssertionError("walked an unchanged bundle")

    monkeypatch.setattr(gate_service.gate, "check", walk_again)
    monkeypatch.setattr(gate_service, "_CACHE", type(gate_service._CACHE)())  # nothing remembered either
    from app.services.processes import deploy_directory

    with rt.db.unit_of_work() as s:
        versions = deploy_directory(s, PROCESSES, message="again")
        assert {v.model for v in versions} >= {"building_permit", "anmalan"} and {v.number for v in versions} == {1}


# ------------------------------------------------------------------ generated form data


TRIAGE = read_bundle(read_directory(PROCESSES), RULES).forms["triage.json"]
TRIAGE["properties"]["referrals"]["items"]["oneOf"] = [  # as form_options fills it from the referral departments
    {"const": "miljo", "title": "Environment"}, {"const": "trafik", "title": "Traffic"}]


def test_generated_submissions_take_every_choice_of_every_field():
    variants = formdata.variants(TRIAGE, {})
    assert {v["track"] for v in variants} == {"simple", "standard", "committee"}
    assert {v["complete"] for v in variants} == {True, False}
    assert {r for v in variants for r in v.get("referrals", [])} == {"miljo", "trafik"}


def test_generated_submissions_are_valid_and_fill_what_the_form_requires_only_then():
    for v in formdata.variants(TRIAGE, {}):
        gate_service._task_data(TRIAGE, v)  # the app's own validation accepts it
        if v["complete"] is False:
            assert v["supplement_request"] and v["reply_by"]


def test_the_first_submission_takes_the_defaults_and_leaves_optional_fields_out():
    first = formdata.variants(TRIAGE, {"track": "committee", "referrals": ["trafik"]})[0]
    assert first["track"] == "committee" and first["referrals"] == ["trafik"]
    assert "supplement_request" not in first or first["complete"] is False


# ------------------------------------------------------------------ handler declarations


def test_every_handler_declares_what_it_returns():
    for name, op in REGISTRY.items():
        assert op.returns, f"{name} declares no outputs"
        check_returns(op.returns, name)


def test_a_declaration_with_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="'when' is not one of"):
        check_returns({"at": "when"}, "record_decision")


def test_fakes_answer_each_declared_choice_and_once_without_optional_keys():
    found = answers({"outcome": ["granted", "refused"], "at": "datetime", "start_by": "date?"})
    assert [a["outcome"] for a in found[:2]] == ["granted", "refused"]
    assert "start_by" in found[0] and "start_by" not in found[-1]


def test_a_script_that_runs_away_is_refused_at_deploy_naming_its_limit(client, actors):
    from tests.bundles import hostile_bundle

    files = {k: v for k, v in hostile_bundle({"loop": "while True:\n    pass"}, "x = 1").items()
             if k != "hostile_timer.bpmn"}
    r = upload(client, actors, files, "a script that never ends")
    assert r.status_code == 422
    [problem] = [e for e in r.get_json()["errors"] if e["kind"] == "path"]
    assert problem["element"] == "compute" and "the script ran longer than" in problem["message"]


def test_the_command_line_deploy_names_the_failing_path_and_the_gates_coverage(tmp_path, monkeypatch, settings, rt):
    from click.testing import CliRunner

    from app.cli import main

    folder = tmp_path / "processes"
    for name, text in read_directory(PROCESSES).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    (folder / "building_permit.bpmn").write_text(without_task(BUILDING_PERMIT, "coordinator_decision"))
    monkeypatch.setenv("LOTSEN_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", settings.instance_dir)
    result = CliRunner().invoke(main, ["processes", "deploy", str(folder)])
    assert result.exit_code == 1
    assert "[record_decision_task]: Record decision: NameError: name 'outcome' is not defined" in result.output
    assert "path: application_received → register_case_task →" in result.output
    assert "building_permit.bpmn:" in result.output.split("[record_decision_task]")[0].splitlines()[-1]
    assert "deploy gate: refused — " in result.output and "building_permit: " in result.output
    assert "nothing deployed" in result.output


def test_a_group_expression_that_reads_what_no_step_sets_is_refused(client, actors):
    files = gate_bundle("dead_end")
    files["dead_end.bpmn"] = files["dead_end.bpmn"].replace(
        '<spiffworkflow:property name="title_sv" value="Besluta" />',
        '<spiffworkflow:property name="title_sv" value="Besluta" />'
        '<spiffworkflow:property name="group_expression" value="deciding_group" />')
    r = upload(client, actors, files)
    assert r.status_code == 422
    messages = [e["message"] for e in r.get_json()["errors"] if e["element"] == "decide"]
    assert any("reads 'deciding_group' (its group expression)" in m for m in messages)
