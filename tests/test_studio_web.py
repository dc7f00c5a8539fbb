"""The studio's pages and JSON endpoints through the Flask test client."""
from __future__ import annotations

import json
import re

import pytest

from tests.bundles import process_files
from tests.conftest import PASSWORD, ROLE_USERS
from tests.helpers import Api

MODEL = "building_permit"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


class Owner:
    """A logged-in browser session that calls the editor's JSON endpoints with the CSRF header."""

    def __init__(self, app, role: str = "process_owner"):
        self.client = app.test_client()
        token = csrf(self.client.get("/login").get_data(as_text=True))
        r = self.client.post("/login", data={"username": ROLE_USERS[role], "password": PASSWORD, "csrf_token": token})
        assert r.status_code in (302, 303), r.status_code
        self.token = csrf(self.client.get("/inbox").get_data(as_text=True))

    def get(self, path: str, **kw):
        return self.client.get(path, **kw)

    def post_json(self, path: str, payload: dict, csrf_header: bool = True):
        headers = {"Accept": "application/json"}
        if csrf_header:
            headers = {"X-CSRFToken": self.token, **headers}
        return self.client.post(path, data=json.dumps(payload), content_type="application/json", headers=headers)


@pytest.fixture
def owner(app, actors):  # actors creates the users
    return Owner(app)


@pytest.fixture
def files() -> dict[str, str]:
    return process_files("building_permit")


@pytest.mark.parametrize("role", ["officer", "applicant", "coordinator"])
def test_studio_is_for_process_owners_and_admins_only(app, actors, role):
    user = Owner(app, role) if role != "applicant" else None
    client = user.client if user else app.test_client()
    if user is None:  # applicants log in too
        token = csrf(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"username": ROLE_USERS[role], "password": PASSWORD, "csrf_token": token})
    for path in ("/studio/", f"/studio/{MODEL}/edit", f"/studio/{MODEL}/bundle", "/studio/catalog",
                 f"/studio/{MODEL}/versions/1", f"/studio/{MODEL}/diff", f"/studio/{MODEL}/migrate"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/studio/{MODEL}/validate", json={"files": {}}).status_code in (400, 403)


def test_anonymous_users_are_sent_to_login(client, actors):
    r = client.get("/studio/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


@pytest.mark.parametrize("role", ["process_owner", "admin"])
def test_pages_render_for_owners_and_admins(app, actors, role):
    user = Owner(app, role)
    index = user.get("/studio/").get_data(as_text=True)
    assert 'data-model="building_permit"' in index and "v1" in index and "test deploy" in index
    # each model is headed by its process's name, in the reader's language (Swedish here)
    assert re.search(r'<h2>Bygglov, rivningslov och marklov <code[^>]*>building_permit</code>', index)
    edit = user.get(f"/studio/{MODEL}/edit").get_data(as_text=True)
    assert 'id="studio"' in edit
    assert "bpmn-modeler.production.min.js" in edit and "dmn-modeler.production.min.js" in edit
    assert 'id="studio-i18n"' in edit and "X-CSRFToken" not in edit  # the token travels as data-csrf
    assert re.search(r'data-csrf="[^"]+"', edit)
    version = user.get(f"/studio/{MODEL}/versions/1").get_data(as_text=True)
    assert "bpmn-navigated-viewer.production.min.js" in version
    assert "triage.dmn" in version and "forms/review.json" in version
    assert user.get(f"/studio/{MODEL}/diff?from=1&to=1").status_code == 200
    migrate = user.get(f"/studio/{MODEL}/migrate").get_data(as_text=True)
    assert "migrate-empty" in migrate  # nothing runs on an older version
    assert user.get(f"/studio/{MODEL}/versions/99").status_code == 404
    assert user.get("/studio/nope/edit").status_code == 404


def test_version_files_download(owner):
    r = owner.get(f"/studio/{MODEL}/versions/1/files/forms/triage.json")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert json.loads(r.get_data(as_text=True))["type"] == "object"
    assert owner.get(f"/studio/{MODEL}/versions/1/files/building_permit.bpmn").status_code == 200
    assert owner.get(f"/studio/{MODEL}/versions/1/files/nothing.bpmn").status_code == 404


def test_catalog_lists_operations_groups_and_statuses(owner):
    data = owner.get("/studio/catalog").get_json()
    ops = {o["name"]: o for o in data["operations"]}
    assert "compute_fee" in ops and "case_type" in ops["compute_fee"]["required"]
    assert "officer" in [g["name"] for g in data["groups"]] and "in_review" in data["statuses"]


def test_bundle_is_the_latest_version_until_a_draft_is_saved(owner, files):
    bundle = owner.get(f"/studio/{MODEL}/bundle").get_json()
    assert bundle["source"] == "version" and bundle["base_version"] == 1 and bundle["main"] == "building_permit.bpmn"
    assert set(bundle["files"]) == set(files)

    changed = dict(files, **{"forms/extra.json": json.dumps({"type": "object", "properties": {}})})
    r = owner.post_json(f"/studio/{MODEL}/draft", {"files": changed})
    assert r.status_code == 200 and r.get_json()["ok"]
    bundle = owner.get(f"/studio/{MODEL}/bundle").get_json()
    assert bundle["source"] == "draft" and "forms/extra.json" in bundle["files"]
    assert "studio-draft" in owner.get("/studio/").get_data(as_text=True)


def test_posts_without_csrf_token_are_refused_as_json(owner, files):
    r = owner.post_json(f"/studio/{MODEL}/draft", {"files": files}, csrf_header=False)
    assert r.status_code == 400 and r.is_json and "CSRF" in r.get_json()["message"]
    r = owner.post_json(f"/studio/{MODEL}/deploy", {"files": files, "message": "x"}, csrf_header=False)
    assert r.status_code == 400


def test_bad_payloads_are_refused(owner):
    assert owner.post_json(f"/studio/{MODEL}/validate", {"files": "nope"}).status_code == 400
    assert owner.post_json(f"/studio/{MODEL}/validate", {"files": {"../x.bpmn": "x"}}).status_code == 400
    assert owner.post_json(f"/studio/{MODEL}/validate", {"files": {"a.bpmn": 3}}).status_code == 400


def test_validate_reports_file_line_element_and_message(owner, files):
    found = owner.post_json(f"/studio/{MODEL}/validate", {"files": files}).get_json()
    assert found["ok"] is True and found["problems"] == [] and found["gate"]["verdict"] != "refused"
    broken = dict(files)
    broken["building_permit.bpmn"] = broken["building_permit.bpmn"].replace(
        '<spiffworkflow:property name="status" value="in_review" />',
        '<spiffworkflow:property name="status" value="pondering" />', 1)
    data = owner.post_json(f"/studio/{MODEL}/validate", {"files": broken}).get_json()
    assert not data["ok"]
    [problem] = [p for p in data["problems"] if "pondering" in p["message"]]
    assert problem["file"] == "building_permit.bpmn" and problem["element"] == "review" and problem["line"] > 1


def test_rejected_deploy_returns_the_problems_and_stores_nothing(owner, files, rt):
    broken = dict(files)
    broken["building_permit.bpmn"] = broken["building_permit.bpmn"].replace(
        "<spiffworkflow:formJsonSchemaFilename>review.json", "<spiffworkflow:formJsonSchemaFilename>missing.json", 1)
    r = owner.post_json(f"/studio/{MODEL}/deploy", {"files": broken, "message": "break it"})
    assert r.status_code == 422
    data = r.get_json()
    assert not data["ok"] and any(p["element"] == "review" and "missing.json" in p["message"] for p in data["problems"])
    r = owner.post_json(f"/studio/{MODEL}/deploy", {"files": files, "message": "  "})
    assert r.status_code == 422 and r.get_json()["error"] == "message_required"
    r = owner.post_json(f"/studio/{MODEL}/deploy", {"files": files, "message": "the same again"})
    assert r.status_code == 200 and r.get_json()["version"] == 1 and r.get_json()["new"] is False
    index = owner.get("/studio/").get_data(as_text=True)
    # the version label, not any "v2": the page's random CSRF token may hold one
    assert "<strong>v1</strong>" in index and "<strong>v2</strong>" not in index


def test_deploy_creates_a_version_and_clears_the_draft(owner, files, app, actors):
    changed = dict(files)
    changed["building_permit.bpmn"] = changed["building_permit.bpmn"].replace(
        'name="Review application"', 'name="Review the application"', 1)
    assert owner.post_json(f"/studio/{MODEL}/draft", {"files": changed}).status_code == 200
    r = owner.post_json(f"/studio/{MODEL}/deploy", {"files": changed, "message": "clearer task name"})
    assert r.status_code == 200, r.get_json()
    data = r.get_json()
    assert data["ok"] and data["new"] and data["version"] == 2 and data["url"] == f"/studio/{MODEL}/versions/2"
    assert owner.get(f"/studio/{MODEL}/bundle").get_json()["source"] == "version"
    index = owner.get("/studio/").get_data(as_text=True)
    assert "clearer task name" in index and "studio-draft" not in index
    diff = owner.get(f"/studio/{MODEL}/diff?from=1&to=2").get_data(as_text=True)
    assert 'data-element="review"' in diff and "diff-changed" in diff

    # new cases start on version 2: nothing is left to migrate
    Api(app.test_client(), actors).as_("applicant").submit()
    assert "migrate-empty" in owner.get(f"/studio/{MODEL}/migrate?to=2").get_data(as_text=True)


def test_migrate_page_lists_old_cases_and_migrates_the_selected(owner, files, app, actors, rt):
    api = Api(app.test_client(), actors)
    old = api.as_("applicant").submit()
    changed = dict(files)
    changed["building_permit.bpmn"] = changed["building_permit.bpmn"].replace(
        'name="Review application"', 'name="Review the application"', 1)
    assert owner.post_json(f"/studio/{MODEL}/deploy", {"files": changed, "message": "v2"}).status_code == 200
    page = owner.get(f"/studio/{MODEL}/migrate?to=2").get_data(as_text=True)
    assert f'data-case="{old["id"]}"' in page and old["reference"] in page
    r = owner.client.post(f"/studio/{MODEL}/migrate?to=2",
                          data={"csrf_token": csrf(page), "to": "2", "case_id": [str(old["id"])]})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert 'id="migrate-results"' in body and "migrated-ok" in body
    with rt.db.unit_of_work() as session:
        from app.models import Case

        assert session.get(Case, old["id"]).process_version.number == 2


def test_migrate_page_reports_case_ids_that_are_no_case_instead_of_failing(owner, files, app, actors):
    Api(app.test_client(), actors).as_("applicant").submit()
    changed = dict(files)
    changed["building_permit.bpmn"] = changed["building_permit.bpmn"].replace(
        'name="Review application"', 'name="Review the application"', 1)
    assert owner.post_json(f"/studio/{MODEL}/deploy", {"files": changed, "message": "v2"}).status_code == 200
    page = owner.get(f"/studio/{MODEL}/migrate?to=2").get_data(as_text=True)
    for typed in ("99999999999999999999", "\u00b2", "0"):
        r = owner.client.post(f"/studio/{MODEL}/migrate?to=2", data={"csrf_token": csrf(page), "case_id": [typed]})
        assert r.status_code == 200, typed
        assert "migrated-ok" not in r.get_data(as_text=True)


def test_preview_form_renders_the_schema_form_macro(owner):
    schema = {"type": "object", "additionalProperties": False, "required": ["outcome"], "properties": {
        "outcome": {"type": "string", "title": "Outcome", "x-title-sv": "Utfall",
                    "oneOf": [{"const": "granted", "title": "Granted", "x-title-sv": "Beviljas"}]},
        "notes": {"type": "string", "title": "Notes", "x-title-sv": "Anteckningar", "x-widget": "textarea"}}}
    data = owner.post_json("/studio/preview-form", {"schema": schema}).get_json()
    assert data["ok"] and data["errors"] == []
    assert 'data-field="outcome"' in data["html"] and "<select" in data["html"] and "<textarea" in data["html"]


def test_preview_form_reports_json_and_schema_errors(owner):
    data = owner.post_json("/studio/preview-form", {"text": '{"type": "object",\n "properties": }'}).get_json()
    assert not data["ok"] and data["errors"][0]["line"] == 2
    data = owner.post_json("/studio/preview-form", {"schema": {"type": "object", "properties": {
        "n": {"type": "integr", "title": "N", "x-title-sv": "N"}}}}).get_json()
    assert not data["ok"] and any("properties/n" in e["path"] for e in data["errors"])
    data = owner.post_json("/studio/preview-form", {"schema": {"type": "object", "required": ["x"], "properties": {
        "n": {"type": "string"}}}}).get_json()
    messages = " ".join(e["message"] for e in data["errors"])
    assert "title" in messages and "x-title-sv" in messages and "x" in messages
    assert 'data-field="n"' in data["html"]  # shown even with convention problems


def test_the_gates_findings_come_worded_in_the_readers_language(owner):
    from tests.bundles import gate_bundle

    owner.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "sv"
    data = owner.post_json(f"/studio/{MODEL}/validate", {"files": gate_bundle("several_problems")}).get_json()
    texts = {(p["element"], p["kind"]): p["text"] for p in data["problems"] + data["warnings"]}
    assert texts[("fee", "names")] == "Fee läser ”tariff” (sitt skript), som inget tidigare steg kan ha satt"
    assert texts[("forgotten", "reachability")].endswith("kan inte nås: ingen väg från starthändelsen leder dit")
    fee = next(p for p in data["problems"] if p["element"] == "fee" and p["kind"] == "names")
    assert fee["message"] == "Fee reads 'tariff' (its script), which no earlier step can have set"  # API words


def test_a_step_that_fails_on_a_walked_path_is_worded_in_swedish_without_the_python_error(owner):
    from tests.bundles import without_task

    files = process_files(MODEL)
    files[f"{MODEL}.bpmn"] = without_task(files[f"{MODEL}.bpmn"], "coordinator_decision")
    owner.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "sv"
    data = owner.post_json(f"/studio/{MODEL}/validate", {"files": files}).get_json()
    walked = {p["element"]: p["text"] for p in data["problems"] if p["kind"] == "path"}
    assert walked["record_decision_task"] == ("Registrera beslutet misslyckas på den här vägen: steget läser "
                                              "”outcome”, som inget steg före det på vägen har satt")
    assert not [text for text in walked.values() if "Error" in text], walked
    owner.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    data = owner.post_json(f"/studio/{MODEL}/validate", {"files": files}).get_json()
    walked = {p["element"]: p["text"] for p in data["problems"] if p["kind"] == "path"}
    assert walked["record_decision_task"] == ("Record decision fails on this path: it reads “outcome”, which no "
                                              "step before it on the path has set")
