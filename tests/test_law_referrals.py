"""Referrals with reply dates and reminders, external bodies by letter, and kommunicering before an adverse
decision (förvaltningslagen 25 §), through the public API with the testing clock."""
from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import letters, move, on

DAY0 = date(2026, 4, 6)


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def reviewed(api, referrals, **application) -> int:
    on(api, DAY0)
    case_id = api.as_("applicant").submit(**({"measure": "nybyggnad"} | application))["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard", "referrals": referrals})
    api.as_("officer").complete("review", {"assessment": "Prövas mot planen.", "referrals": referrals,
                                           "neighbours_required": False})
    return case_id


def referral_tasks(api, role, case_id) -> list[dict]:
    return api.as_(role).tasks("answer_referral", case_id)


def test_each_referral_has_a_reply_date_as_the_due_date_of_its_department(api):
    case_id = reviewed(api, ["miljo", "trafik"])
    tasks = referral_tasks(api, "referee", case_id)
    assert sorted(t["group"] for t in tasks) == ["miljo", "trafik"]
    assert {t["due_at"] for t in tasks} == {"2026-04-27T21:59:59+00:00"}  # 23:59:59 on 2026-04-27 in Stockholm
    assert referral_tasks(api, "officer", case_id) == []


def test_unanswered_referrals_are_reminded_before_the_reply_date_and_answered_ones_are_not(api, rt):
    case_id = reviewed(api, ["miljo", "trafik"])
    [miljo] = [t for t in referral_tasks(api, "referee", case_id) if t["group"] == "miljo"]
    api.as_("referee").post(f"/api/tasks/{miljo['id']}/complete",
                            {"data": {"statement": "Inget att erinra.", "objection": False}})
    assert move(api, now="2026-04-24T07:59:00+02:00")["fired"] == 0
    move(api, now="2026-04-24T08:00:01+02:00")  # three days before the reply date, in the morning
    reminders = letters(rt, case_id, "referral_reminder")
    assert [m.recipient for m in reminders] == ["rita@example.se"]  # the trafik group; miljö has answered
    assert "svar senast 2026-04-27" in reminders[0].subject
    assert [t["group"] for t in referral_tasks(api, "referee", case_id)] == ["trafik"]  # still open


def test_external_body_gets_a_referral_letter_and_an_officer_records_its_answer(api, rt, client, actors):
    case_id = reviewed(api, ["forsvarsmakten"], height_m=30, inside_built_up_area=False)
    [letter] = letters(rt, case_id, "referral")
    assert letter.recipient == "remiss@forsvarsmakten.example" and "27 april 2026" in letter.body
    documents = client.get(f"/api/cases/{case_id}/documents", headers=actors.headers("officer")).get_json()
    assert [d["kind"] for d in documents if d["kind"] == "referral"] == ["referral"]
    [task] = referral_tasks(api, "officer", case_id)
    assert task["group"] == "officer" and task["title"] == "Answer referral — Swedish Armed Forces"
    api.as_("officer").post(f"/api/tasks/{task['id']}/complete", {"data": {
        "statement": "Försvarsmakten har inget att erinra mot masten.", "objection": False}})
    assert [t["name"] for t in api.as_("officer").case(case_id)["open_tasks"]] == ["draft_decision"]


def test_external_body_is_reminded_by_mail_and_its_officers_in_the_inbox(api, rt):
    case_id = reviewed(api, ["forsvarsmakten"], height_m=30, inside_built_up_area=False)
    move(api, now="2026-04-24T08:00:01+02:00")
    recipients = sorted(m.recipient for m in letters(rt, case_id, "referral_reminder"))
    assert recipients == ["olga@example.se", "remiss@forsvarsmakten.example"]


def refusal_drafted(api) -> int:
    case_id = reviewed(api, ["miljo"])
    [task] = referral_tasks(api, "referee", case_id)
    api.as_("referee").post(f"/api/tasks/{task['id']}/complete", {"data": {
        "statement": "Enskilt avlopp kan inte ordnas på tomten.", "objection": True}})
    api.as_("officer").complete("draft_decision", {"outcome": "refused", "decision_text": "Avlopp saknas."})
    return case_id


def test_applicant_may_comment_on_the_objections_before_a_refusal(api, rt):
    case_id = refusal_drafted(api)
    case = api.as_("applicant").case(case_id)
    assert case["status"] == "awaiting_comments" and case["open_tasks"] == []
    [letter] = letters(rt, case_id, "communication")
    assert letter.recipient == "anna@example.se"
    assert "Enskilt avlopp kan inte ordnas på tomten." in letter.body and "20 april 2026" in letter.body
    r = api.as_("applicant").post(f"/api/cases/{case_id}/messages/comments_received",
                                  {"data": {"message": "Vi kan ansluta till kommunalt avlopp."}})
    assert r.get_json()["status"] == "delivered"
    # the officer reconsiders the draft with the comments; a refusal now goes on to the committee
    assert [t["name"] for t in api.as_("officer").case(case_id)["open_tasks"]] == ["draft_decision"]
    api.as_("officer").complete("draft_decision", {"outcome": "refused", "decision_text": "Avlopp saknas."})
    assert [t["name"] for t in api.as_("committee").tasks(case_id=case_id)] == ["committee_decision"]
    assert len(letters(rt, case_id, "communication")) == 1


def test_without_comments_the_case_goes_back_to_the_officer_on_the_day_after_the_last_day(api):
    case_id = refusal_drafted(api)
    move(api, now="2026-04-20T23:00:00+02:00")
    assert api.as_("officer").tasks("draft_decision", case_id) == []
    move(api, now="2026-04-21T00:00:01+02:00")
    assert [t["name"] for t in api.as_("officer").tasks(case_id=case_id)] == ["draft_decision"]


def test_a_grant_needs_no_comments_from_the_applicant(api, rt):
    case_id = reviewed(api, [])
    api.as_("officer").complete("draft_decision", {"outcome": "granted", "decision_text": "Beviljas."})
    assert api.as_("officer").case(case_id)["outcome"] == "granted"
    assert letters(rt, case_id, "communication") == []
