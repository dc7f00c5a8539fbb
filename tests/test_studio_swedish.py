"""The studio speaks the process owner's language: file checks and migration results in Swedish (English too)."""
from __future__ import annotations

import html

from tests.bundles import process_files
from tests.helpers import Api
from tests.test_studio_upload import upload
from tests.test_studio_web import MODEL, Owner, csrf

SV = {"Accept-Language": "sv"}
EN = {"Accept-Language": "en"}


def _validate(owner: Owner, files: dict, language: dict) -> list[str]:
    r = owner.client.post(f"/studio/{MODEL}/validate", json={"files": files},
                          headers={"X-CSRFToken": owner.token, **language})
    return [p["message"] for p in r.get_json()["problems"]]


def _broken() -> dict:
    files = process_files(MODEL)
    files[f"{MODEL}.bpmn"] = files[f"{MODEL}.bpmn"].replace(
        '<spiffworkflow:property name="status" value="in_review" />',
        '<spiffworkflow:property name="status" value="pondering" />', 1).replace(
        "<spiffworkflow:formJsonSchemaFilename>review.json", "<spiffworkflow:formJsonSchemaFilename>missing.json", 1)
    return files


def test_the_checks_of_an_element_are_in_swedish_for_a_swedish_process_owner(app, actors):
    owner = Owner(app)
    swedish = _validate(owner, _broken(), SV)
    assert any(m.startswith("statusen 'pondering' är inte någon av ") for m in swedish), swedish
    assert "formulärfilen forms/missing.json saknas" in swedish
    english = _validate(owner, _broken(), EN)
    assert any(m.startswith("status 'pondering' is not one of ") for m in english)
    assert "form file forms/missing.json is missing" in english


def test_a_file_that_is_no_xml_is_refused_in_swedish_on_the_upload_page(app, actors):
    owner = Owner(app)
    r = upload(owner, {"norr.bpmn": "<definitions"}, language=SV)
    assert r.status_code == 422
    page = html.unescape(r.get_data(as_text=True))
    assert "inte välformad XML: " in page and "not well-formed" not in page


def test_migration_results_say_in_swedish_why_a_case_did_not_move(app, client, actors):
    files = process_files(MODEL)
    api = Api(client, actors)
    closed = api.as_("applicant").submit()["id"]
    assert api.as_("applicant").post(f"/api/cases/{closed}/withdraw", {"reason": "Vi bygger inte."}).status_code == 200
    owner = Owner(app)
    changed = dict(files)
    changed[f"{MODEL}.bpmn"] = changed[f"{MODEL}.bpmn"].replace(
        'name="Review application"', 'name="Review the application"', 1)
    assert owner.post_json(f"/studio/{MODEL}/deploy", {"files": changed, "message": "v2"}).status_code == 200
    form = owner.get(f"/studio/{MODEL}/migrate?to=2", headers=SV).get_data(as_text=True)
    r = owner.client.post(f"/studio/{MODEL}/migrate?to=2", headers=SV,
                          data={"csrf_token": csrf(form), "case_id": [str(closed), "987654"]})
    page = r.get_data(as_text=True)
    assert "ärendet är avslutat; bara pågående ärenden flyttas till en ny version" in page
    assert "ärendet finns inte" in page
    assert "the case is closed" not in page and "no such case" not in page
