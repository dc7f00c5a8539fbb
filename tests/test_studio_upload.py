"""A process owner deploys a process made in another modeller by uploading its files in the studio."""
from __future__ import annotations

import io

import pytest

from tests.bundles import process_files
from tests.helpers import Api
from tests.test_any_process import norr_files
from tests.test_groups import NORR
from tests.test_studio_web import Owner

EN = {"Accept-Language": "en"}


@pytest.fixture
def owner(app, actors):  # actors creates the users
    return Owner(app)


def upload(owner: Owner, files: dict[str, str], message: str = "Sign permits in the north", language=EN):
    data = {"csrf_token": owner.token, "message": message,
            "files": [(io.BytesIO(text.encode()), name) for name, text in files.items()]}
    return owner.client.post("/studio/upload", data=data, content_type="multipart/form-data", headers=language)


def page(owner: Owner, path: str) -> str:
    return owner.get(path, headers=EN).get_data(as_text=True)


def test_an_owner_uploads_a_new_process_whose_lane_names_a_group_and_it_is_deployed(owner, client, actors):
    assert Api(client, actors).as_("admin").post("/api/admin/groups", NORR).status_code == 201
    r = upload(owner, norr_files())
    assert r.status_code == 302 and r.location.endswith("/studio/sign_north/versions/1")
    assert "Deployed “Sign permits, northern district” as version 1. New cases follow it." in page(owner, r.location)
    assert 'id="model-sign_north"' in page(owner, "/studio/")
    # the same files again: nothing new is deployed
    r = upload(owner, norr_files(), "again")
    assert r.status_code == 302 and r.location.endswith("/studio/sign_north/versions/1")
    assert "no new version was deployed" in page(owner, r.location)


def test_a_lane_naming_an_unknown_group_is_refused_saying_which_group_to_create(owner):
    r = upload(owner, norr_files())
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Not deployed: 1 problem." in html and 'data-element="lane_norr"' in html
    assert "create the group &#39;Bygglov Norr&#39; (Administration → Groups)" in html
    assert 'value="Sign permits in the north"' in html  # the message is kept for the next try
    assert 'id="model-sign_north"' not in page(owner, "/studio/")


def test_a_swedish_process_owner_reads_which_group_to_create_in_swedish(owner):
    r = upload(owner, norr_files(), language={"Accept-Language": "sv"})
    assert r.status_code == 422
    assert "banan &#39;Bygglov Norr&#39; är ingen känd grupp: skapa gruppen &#39;Bygglov Norr&#39; " \
           "(Administration → Grupper)" in r.get_data(as_text=True)
    # the editor's validation says it in Swedish too; the API keeps English
    files = process_files("building_permit")
    files["building_permit.bpmn"] = files["building_permit.bpmn"].replace('name="Officer"', 'name="Handläggning"')
    r = owner.client.post("/studio/building_permit/validate", json={"files": files},
                          headers={"X-CSRFToken": owner.token, "Accept-Language": "sv"})
    [problem] = r.get_json()["problems"]
    assert problem["element"] == "lane_officer"
    assert problem["message"].startswith("banan 'Handläggning' är ingen känd grupp: skapa gruppen 'Handläggning'")


@pytest.mark.parametrize("files, message, shown", [
    ({}, "x", "Choose the files to deploy."),
    ({"norr.bpmn": "<x/>"}, " ", "Describe the change in a deploy message."),
    ({"notes.txt": "hello"}, "x", "&#39;notes.txt&#39;: upload .bpmn, .dmn or form files"),
    ({"norr.bpmn": "<definitions"}, "x", "Not deployed: 1 problem."),
])
def test_a_refused_upload_says_what_is_wrong_and_deploys_nothing(owner, files, message, shown):
    r = upload(owner, files, message)
    assert r.status_code == 422 and shown in r.get_data(as_text=True)
    assert page(owner, "/studio/").count('class="card studio-model"') == 2  # the two shipped processes only


@pytest.mark.parametrize("role", ["officer", "coordinator"])
def test_only_process_owners_and_admins_upload(app, actors, role):
    assert upload(Owner(app, role), norr_files()).status_code == 403
