"""The neighbour hearing for real: parties recorded by the officer, an underrättelse to each (letter and PDF)
with the last day to answer, or a notice on the anslagstavla; responses per party; the hearing ends early when
every party has answered; objections stand out for the officer."""
from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import letters, move, on
from tests.test_web import Browser

DAY0 = date(2026, 4, 6)
PARTIES = [
    {"name": "Bo Granne", "email": "bo@example.se"},
    {"name": "Cecilia Granne", "address": "Tallvägen 3, 903 33 Umeå"},
    {"name": "Dag Granne", "email": "dag@example.se", "address": "Tallvägen 5, 903 33 Umeå"},
]


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def hearing_case(api) -> int:
    on(api, DAY0)
    case_id = api.as_("applicant").submit(measure="tillbyggnad", deviates_from_plan=True)["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "committee", "neighbours_required": True})
    api.as_("officer").complete("review", {"assessment": "Liten avvikelse från byggrätten.", "referrals": [],
                                           "neighbours_required": True})
    return case_id


def add_parties(api, case_id, parties=PARTIES) -> list[int]:
    ids = []
    for party in parties:
        r = api.as_("officer").post(f"/api/cases/{case_id}/hearing/parties", party)
        assert r.status_code == 201, r.get_json()
        ids.append(r.get_json()["id"])
    return ids


def hearing(api, case_id) -> dict:
    r = api.as_("officer").get(f"/api/cases/{case_id}/hearing")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def answer(api, case_id, party_id, response, text=None, received_on=None):
    body = {"response": response} | ({"text": text} if text else {}) | (
        {"received_on": received_on} if received_on else {})
    return api.as_("officer").post(f"/api/cases/{case_id}/hearing/parties/{party_id}/response", body)


def test_each_recorded_party_gets_an_underrattelse_with_the_last_day_to_answer(api, rt, client, actors):
    case_id = hearing_case(api)
    assert [t["name"] for t in api.as_("officer").case(case_id)["open_tasks"]] == ["prepare_hearing"]
    add_parties(api, case_id)
    api.as_("officer").complete("prepare_hearing", {"hearing_channel": "letters", "hearing_response_by": "2026-04-27"})
    state = hearing(api, case_id)
    assert state["channel"] == "letters" and state["response_by"] == "2026-04-27"
    assert state["notified"] == 3, state
    assert all(p["notified_at"] and p["letter_document_id"] for p in state["parties"]), state["parties"]
    mailed = letters(rt, case_id, "hearing_notice")
    assert sorted(m.recipient for m in mailed) == ["bo@example.se", "dag@example.se"]  # Cecilia's is posted
    assert all("27 april 2026" in m.body for m in mailed)
    documents = client.get(f"/api/cases/{case_id}/documents", headers=actors.headers("officer")).get_json()
    notices = [d for d in documents if d["kind"] == "hearing_notice"]
    assert len(notices) == 3
    pdf = client.get(notices[0]["url"], headers=actors.headers("officer"))
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert api.as_("officer").case(case_id)["status"] == "neighbour_hearing"


def test_letters_without_recorded_parties_are_refused(api):
    case_id = hearing_case(api)
    [task] = api.as_("officer").tasks("prepare_hearing", case_id)
    r = api.as_("officer").post(f"/api/tasks/{task['id']}/complete", {"data": {"hearing_channel": "letters"}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "hearing_channel"
    assert "add the parties" in r.get_json()["errors"][0]["message"]


@pytest.mark.parametrize("party, field", [
    ({"name": "Eva"}, "address"),
    ({"name": "Eva", "email": "inte-en-adress"}, "email"),
    ({"name": "  ", "email": "eva@example.se"}, "name"),
])
def test_a_party_needs_a_name_and_a_postal_address_or_an_email(api, party, field):
    case_id = hearing_case(api)
    r = api.as_("officer").post(f"/api/cases/{case_id}/hearing/parties", party)
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == field


def test_hearing_ends_early_when_every_party_has_answered(api):
    case_id = hearing_case(api)
    bo, cecilia, dag = add_parties(api, case_id)
    api.as_("officer").complete("prepare_hearing", {"hearing_channel": "letters"})
    assert answer(api, case_id, bo, "no_objection").status_code == 200
    r = answer(api, case_id, cecilia, "objection", "Tillbyggnaden skuggar min altan.", received_on="2026-04-06")
    assert r.get_json()["answered"] == 2 and not r.get_json()["all_answered"]
    assert api.as_("officer").case(case_id)["status"] == "neighbour_hearing"
    r = answer(api, case_id, dag, "no_objection")
    assert r.get_json()["all_answered"] is True
    [task] = api.as_("officer").tasks("record_neighbour_responses", case_id)
    objected = task["form"]["schema"]["properties"]["objections_received"]["default"]
    assert objected is True
    assert hearing(api, case_id)["objections"] == 1


def test_hearing_without_every_answer_ends_on_the_day_after_the_last_day(api):
    case_id = hearing_case(api)
    bo, _cecilia = add_parties(api, case_id, PARTIES[:2])
    api.as_("officer").complete("prepare_hearing", {"hearing_channel": "letters", "hearing_response_by": "2026-04-27"})
    answer(api, case_id, bo, "no_objection")
    move(api, now="2026-04-27T23:00:00+02:00")
    assert api.as_("officer").tasks("record_neighbour_responses", case_id) == []
    move(api, now="2026-04-28T00:00:01+02:00")
    [task] = api.as_("officer").tasks("record_neighbour_responses", case_id)
    assert task["form"]["schema"]["properties"]["objections_received"]["default"] is False


def test_an_objection_needs_its_text_and_the_answer_date_is_not_in_the_future(api):
    case_id = hearing_case(api)
    [bo] = add_parties(api, case_id, PARTIES[:1])
    api.as_("officer").complete("prepare_hearing", {"hearing_channel": "letters"})
    assert answer(api, case_id, bo, "objection").get_json()["errors"][0]["field"] == "text"
    assert answer(api, case_id, bo, "maybe").get_json()["errors"][0]["field"] == "response"
    assert answer(api, case_id, bo, "no_objection", received_on="2026-05-01").get_json()["errors"][0]["field"] == \
        "received_on"


def test_parties_cannot_be_added_once_the_notices_are_sent(api):
    case_id = hearing_case(api)
    [bo] = add_parties(api, case_id, PARTIES[:1])
    api.as_("officer").complete("prepare_hearing", {"hearing_channel": "letters"})
    r = api.as_("officer").post(f"/api/cases/{case_id}/hearing/parties", {"name": "Sen Granne", "email": "s@e.se"})
    assert r.status_code == 409
    assert api.as_("officer").client.delete(f"/api/cases/{case_id}/hearing/parties/{bo}",
                                            headers=api.as_("officer").headers).status_code == 409


def test_objections_are_highlighted_to_the_officer(app, api):
    case_id = hearing_case(api)
    bo, cecilia = add_parties(api, case_id, PARTIES[:2])
    api.as_("officer").complete("prepare_hearing", {"hearing_channel": "letters"})
    answer(api, case_id, bo, "no_objection")
    answer(api, case_id, cecilia, "objection", "Skuggar altanen.")
    [task] = api.as_("officer").tasks("record_neighbour_responses", case_id)
    browser = Browser(app)
    browser.login("olga")
    page = browser.get(f"/tasks/{task['id']}").get_data(as_text=True)
    objection = page[page.index(f'data-party="{cecilia}"'):]
    assert page.count('class="party objection"') == 1 and "Skuggar altanen." in objection[:600]
    assert '<span class="badge objection">1 erinran</span>' in page
    assert "Skuggar altanen." in browser.get(f"/cases/{case_id}").get_data(as_text=True)


def test_notice_on_the_anslagstavla_instead_of_letters_ends_on_the_day_after_the_last_day(api, client):
    case_id = hearing_case(api)
    api.as_("officer").complete("prepare_hearing", {"hearing_channel": "notice_board",
                                                    "hearing_response_by": "2026-04-27"})
    board = client.get("/anslagstavla").get_data(as_text=True)
    reference = api.as_("officer").case(case_id)["reference"]
    assert reference in board and "2026-04-27" in board
    assert "Anna Andersson" not in board and "anna@example.se" not in board  # no personal data on the board
    assert hearing(api, case_id)["channel"] == "notice_board"
    move(api, now="2026-04-28T00:00:01+02:00")
    assert api.as_("officer").tasks("record_neighbour_responses", case_id)
    assert reference not in client.get("/anslagstavla").get_data(as_text=True)  # taken down after the period


def test_before_a_refusal_the_applicant_is_told_what_each_objecting_neighbour_said(app, api, rt):
    case_id = hearing_case(api)
    bo, cecilia = add_parties(api, case_id, PARTIES[:2])
    api.as_("officer").complete("prepare_hearing", {"hearing_channel": "letters"})
    answer(api, case_id, bo, "no_objection")
    answer(api, case_id, cecilia, "objection", "Tillbyggnaden skuggar min altan hela eftermiddagen.")
    api.as_("officer").complete("record_neighbour_responses", {"responses": "En erinran om skuggning.",
                                                               "objections_received": True})
    api.as_("officer").complete("draft_decision", {"outcome": "refused", "decision_text": "Avslås.",
                                                   "reasons": "Tillbyggnaden är en för stor avvikelse från planen."})
    [letter] = letters(rt, case_id, "communication")
    assert "Cecilia Granne: Tillbyggnaden skuggar min altan hela eftermiddagen." in letter.body
    assert "Tillbyggnaden är en för stor avvikelse från planen." in letter.body  # the draft's reasons
    anna = Browser(app)
    anna.login("anna")
    portal = anna.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    assert "Grannar som har invändningar: Cecilia Granne" in portal
    assert "Tillbyggnaden skuggar min altan hela eftermiddagen." in portal and "{&#39;name&#39;" not in portal
    assert "Bo Granne" not in letter.body  # he had nothing against it
