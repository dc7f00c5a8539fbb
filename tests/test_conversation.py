"""The conversation: the applicant writes, the municipality answers with one voice, both are told by e-mail."""
from __future__ import annotations

import pytest

from tests.helpers import Api, TRIAGE_COMPLETE, reply_by
from tests.scenario import letters


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def conversation(api, role, case_id) -> list[dict]:
    r = api.as_(role).get(f"/api/cases/{case_id}/conversation")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def write(api, role, case_id, text, **extra):
    return api.as_(role).post(f"/api/cases/{case_id}/conversation", {"text": text, **extra})


def test_the_applicant_writes_and_the_contact_answers_and_each_side_is_told(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    r = write(api, "applicant", case_id, "Får planket vara 2 meter?")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["from"] == "applicant" and r.get_json()["author"] == "Anna"
    r = write(api, "officer", case_id, "Nej, detaljplanen tillåter 1,8 meter.")
    assert r.status_code == 201, r.get_json()
    seen = [(m["from"], m["text"]) for m in conversation(api, "applicant", case_id)]
    assert seen == [("applicant", "Får planket vara 2 meter?"),
                    ("municipality", "Nej, detaljplanen tillåter 1,8 meter.")]
    assert conversation(api, "coordinator", case_id) == conversation(api, "applicant", case_id)
    mails = letters(rt, case_id, "conversation")
    assert [(m.recipient, m.subject) for m in mails] == [
        ("carl@example.se", f"Nytt meddelande från sökanden i {api.as_('officer').case(case_id)['reference']}"),
        ("anna@example.se", f"Svar om din ansökan {api.as_('officer').case(case_id)['reference']}")]
    assert "Får planket vara 2 meter?" in mails[0].body and "1,8 meter" in mails[1].body


def test_a_message_before_anyone_is_named_goes_to_the_authority(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    assert write(api, "applicant", case_id, "Hej!").status_code == 201
    [mail] = letters(rt, case_id, "conversation")
    assert mail.recipient == "bygg@kommun.example"


def test_an_answer_is_written_in_the_language_the_applicant_chose(api, rt):
    from tests.helpers import application

    r = api.as_("applicant").post("/api/cases", {"process": "building_permit", "language": "en",
                                                 "data": application()})
    case_id = r.get_json()["id"]
    write(api, "coordinator", case_id, "We have your application.")
    [mail] = letters(rt, case_id, "conversation")
    assert mail.subject.startswith("An answer about your application")


def test_staff_see_the_text_sent_with_a_supplement(api):
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "simple", "complete": False, "supplement_request": "Situationsplan saknas.",
        "reply_by": reply_by()}, case_id=case_id)
    api.as_("applicant").post(f"/api/cases/{case_id}/messages/supplement_received",
                              {"data": {"message": "Situationsplanen kommer på måndag, fasaden bifogas nu."}})
    [m] = conversation(api, "coordinator", case_id)
    assert (m["from"], m["source"], m["text"]) == ("applicant", "supplement",
                                                   "Situationsplanen kommer på måndag, fasaden bifogas nu.")


def test_another_applicant_can_neither_read_nor_write_the_conversation(api):
    case_id = api.as_("applicant").submit()["id"]
    assert api.as_("applicant2").get(f"/api/cases/{case_id}/conversation").status_code == 403
    assert write(api, "applicant2", case_id, "Hej").status_code == 403
    assert conversation(api, "officer", case_id) == []


@pytest.mark.parametrize(("body", "field"), [
    ({"text": "   "}, "text"),
    ({"text": "x" * 5001}, "text"),
    ({"text": 5}, "text"),
    ({"text": "Se bilaga", "documents": [999999]}, "documents"),
    ({"text": "Se bilaga", "documents": "1"}, "documents"),
    ({"text": "Se bilaga", "documents": [99999999999999999999]}, "documents"),  # beyond the database's integers
    ({"text": "Se bilaga", "documents": [True]}, "documents"),
    ({"text": "Se bilaga", "documents": [1.5]}, "documents"),
    ({"text": "Se bilaga", "documents": [{"id": 1}]}, "documents"),
    ({}, "text"),
])
def test_a_message_that_cannot_be_taken_is_refused_naming_the_field_and_nothing_is_kept(api, body, field):
    case_id = api.as_("applicant").submit()["id"]
    r = api.as_("applicant").post(f"/api/cases/{case_id}/conversation", body)
    assert r.status_code == 422, r.get_json()
    assert [e["field"] for e in r.get_json()["errors"]] == [field]
    assert conversation(api, "officer", case_id) == []


def test_a_message_may_point_to_documents_of_the_case(api):
    case_id = api.as_("applicant").submit()["id"]
    [doc] = [d for d in api.as_("applicant").get(f"/api/cases/{case_id}/documents").get_json()]
    r = write(api, "applicant", case_id, "Se kvittot.", documents=[doc["id"]])
    assert r.status_code == 201 and r.get_json()["documents"] == [doc["id"]]


def test_the_applicant_writes_in_the_portal_and_staff_answer_from_the_task_page(app, api):
    from tests.test_web import Browser

    case_id = api.as_("applicant").submit()["id"]
    anna = Browser(app)
    anna.login("anna")
    page = f"/portal/cases/{case_id}"
    r = anna.post_form(page, f"/portal/cases/{case_id}/conversation", {"text": "Hur lång tid tar det?"},
                       follow_redirects=True)
    assert "Ditt meddelande har skickats." in r.get_data(as_text=True)
    [task] = api.as_("coordinator").tasks("triage", case_id)
    carl = Browser(app)
    carl.login("carl")
    html = carl.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "Hur lång tid tar det?" in html and "Svara sökanden" in html
    r = carl.post_form(f"/tasks/{task['id']}", f"/cases/{case_id}/conversation",
                       {"text": "Cirka fyra veckor.", "back_to_task": task["id"]}, follow_redirects=True)
    assert r.request.path == f"/tasks/{task['id']}"
    assert "Ditt svar har skickats till sökanden." in r.get_data(as_text=True)
    html = anna.get(page).get_data(as_text=True)
    assert "Cirka fyra veckor." in html and "Carl" in html
    html = carl.get(f"/cases/{case_id}").get_data(as_text=True)
    assert html.index("Hur lång tid tar det?") < html.index("Cirka fyra veckor.")


def test_a_caller_who_may_not_write_is_refused_before_the_body_is_read(api):
    case_id = api.as_("applicant").submit()["id"]
    r = api.as_("applicant2").post(f"/api/cases/{case_id}/conversation", {"nonsense": 1})
    assert r.status_code == 403
    r = api.as_("applicant").post(f"/api/cases/{case_id}/contact", {"nonsense": 1})
    assert r.status_code == 403
