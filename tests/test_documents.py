"""Documents: what each upload shows, versions when a drawing is replaced, previews, the list beside every task."""
from __future__ import annotations

import io

import pytest
from weasyprint import HTML

from tests.helpers import Api
from tests.test_web import Browser, csrf

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def pdf(text: str) -> bytes:
    return HTML(string=f"<h1>{text}</h1>").write_pdf()


def send(anna: Browser, case_id: int, files: list[tuple[bytes, str]], **form):
    page = f"/portal/cases/{case_id}"
    token = csrf(anna.get(page).get_data(as_text=True))
    data = {"message": "Bifogar.", "csrf_token": token, **form,
            "documents": [(io.BytesIO(content), name) for content, name in files]}
    return anna.client.post(f"{page}/supplement", data=data, content_type="multipart/form-data",
                            headers={"Referer": f"http://localhost{page}"})


def uploads(api, case_id: int) -> list[dict]:
    return [d for d in api.as_("officer").get(f"/api/cases/{case_id}/documents").get_json() if d["kind"] == "upload"]


@pytest.fixture
def case(api, app):
    case_id = api.as_("applicant").submit()["id"]
    anna = Browser(app)
    anna.login("anna")
    return case_id, anna


def test_an_upload_keeps_what_it_shows(api, case):
    case_id, anna = case
    assert send(anna, case_id, [(pdf("Situationsplan"), "plan.pdf")], category="situationsplan").status_code == 302
    [doc] = uploads(api, case_id)
    assert (doc["category"], doc["version"], doc["replaces"]) == ("situationsplan", 1, None)


def test_a_new_version_replaces_a_drawing_and_the_earlier_one_stays_readable(api, app, case):
    case_id, anna = case
    send(anna, case_id, [(pdf("Fasad 1"), "fasad.pdf")], category="fasad")
    [first] = uploads(api, case_id)
    send(anna, case_id, [(pdf("Fasad 2"), "fasad-ny.pdf")], replaces=str(first["id"]))
    second = next(d for d in uploads(api, case_id) if d["id"] != first["id"])
    assert (second["category"], second["version"], second["replaces"]) == ("fasad", 2, first["id"])
    carl = Browser(app)
    carl.login("carl")
    html = carl.client.get(f"/cases/{case_id}", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    newest = html.index(f'data-document="{second["id"]}"')
    assert "Fasadritning · version 2" in html[newest:newest + 600]
    assert f'<li data-document="{first["id"]}">Version 1: ' in html  # listed under the newest version
    assert api.as_("officer").get(first["url"]).status_code == 200


@pytest.mark.parametrize(("form", "field"), [
    ({"category": "ritningar"}, "category"),
    ({"replaces": "999999"}, "replaces"),
])
def test_an_upload_that_cannot_be_classified_is_refused_and_nothing_is_kept(api, case, form, field):
    case_id, anna = case
    r = send(anna, case_id, [(pdf("X"), "x.pdf")], **form)
    assert r.status_code == 302  # back to the page with the reason
    page = anna.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    assert {"category": "välj vad handlingen visar", "replaces": "ärendet har inget sådant dokument"}[field] in page
    assert uploads(api, case_id) == []


def test_a_letter_cannot_be_replaced_by_an_upload(api, case):
    case_id, anna = case
    [receipt] = [d for d in api.as_("officer").get(f"/api/cases/{case_id}/documents").get_json()
                 if d["kind"] != "upload"]
    send(anna, case_id, [(pdf("X"), "x.pdf")], replaces=str(receipt["id"]))
    assert uploads(api, case_id) == []


def test_pdfs_letters_and_images_preview_as_images_for_the_applicant_and_staff(api, app, case):
    case_id, anna = case
    send(anna, case_id, [(pdf("Sektion A-A"), "sektion.pdf")], category="sektion")
    send(anna, case_id, [(PNG, "foto.png")])
    send(anna, case_id, [(b"bara text", "anteckning.txt")])
    docs = {d["filename"]: d for d in api.as_("officer").get(f"/api/cases/{case_id}/documents").get_json()}
    carl = Browser(app)
    carl.login("carl")
    for who in (anna, carl):
        r = who.get(f"/cases/{case_id}/documents/{docs['sektion.pdf']['id']}/preview")
        assert r.status_code == 200 and r.mimetype == "image/png" and r.data.startswith(b"\x89PNG")
        letter = next(d for d in docs.values() if d["kind"] == "acknowledgement")
        assert who.get(f"/cases/{case_id}/documents/{letter['id']}/preview").mimetype == "image/png"
        assert who.get(f"/cases/{case_id}/documents/{docs['foto.png']['id']}/preview").data == PNG
        assert who.get(f"/cases/{case_id}/documents/{docs['anteckning.txt']['id']}/preview").status_code == 404
    page = anna.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    assert page.count('<details class="preview">') == 3  # the PDF, the image and the letter; not the text


def test_another_applicant_sees_no_preview(api, app, case):
    case_id, anna = case
    send(anna, case_id, [(pdf("Plan"), "plan.pdf")])
    [doc] = uploads(api, case_id)
    bertil = Browser(app)
    bertil.login("bertil")
    assert bertil.get(f"/cases/{case_id}/documents/{doc['id']}/preview").status_code in (403, 404)


def test_every_task_lists_the_case_documents_beside_its_form(api, app, case):
    case_id, anna = case
    send(anna, case_id, [(pdf("Plan"), "planritning.pdf")], category="ritning")
    [task] = api.as_("coordinator").tasks(case_id=case_id)
    carl = Browser(app)
    carl.login("carl")
    html = carl.client.get(f"/tasks/{task['id']}", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert "planritning.pdf" in html and "Ritning" in html
