"""Issue 8's "done when": one case walked as a Swedish officer would, through the public API with the testing
clock, the real engine and the real database. Arrival, an order within three weeks, the remedy, referrals to two
departments, a hearing with three parties, kommunicering and the committee's refusal, publication on the
anslagstavla, service of the decision, one timely appeal sent on to länsstyrelsen and legal force when its ruling
became final: the right dates, letters whose PDFs open, and the notices on the board."""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from app.models import Case
from app.scheduler import deliver_outbox
from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import deadlines, letters, move, on, plus, reply

ARRIVED = date(2026, 3, 2)  # a Monday
PARTIES = [
    {"name": "Bo Granne", "email": "bo@example.se"},
    {"name": "Cecilia Granne", "address": "Tallvägen 3, 903 33 Umeå"},
    {"name": "Dag Granne", "email": "dag@example.se", "address": "Tallvägen 5, 903 33 Umeå"},
]


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def day(n: int) -> date:
    return plus(ARRIVED, n)


def pdf_text(api, document: dict) -> str:
    r = api.as_("officer").get(document["url"])
    assert r.status_code == 200 and r.mimetype == "application/pdf", (document, r.status_code)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)


def documents(api, case_id: int, kind: str) -> list[dict]:
    r = api.as_("officer").get(f"/api/cases/{case_id}/documents")
    assert r.status_code == 200, r.get_json()
    return [d for d in r.get_json() if d["kind"] == kind]


def board(client) -> str:
    r = client.get("/anslagstavla")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def arrive_and_remedy(api) -> int:
    """Arrival; an order on day 10 (inside the three weeks); the remedy on day 20, found complete on day 23."""
    on(api, ARRIVED)
    case_id = api.as_("applicant").submit(measure="tillbyggnad", deviates_from_plan=True,
                                          description="Tillbyggnad om 40 m² som överskrider byggrätten.")["id"]
    on(api, day(10))
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "committee", "neighbours_required": True, "complete": False, "reply_by": day(30).isoformat(),
        "supplement_request": "Fasadritning och situationsplan saknas."}, case_id=case_id)
    assert deadlines(api, case_id)["statutory_due"] is None  # the clock waits for the remedy
    on(api, day(20))
    assert reply(api, case_id, "Fasadritning och situationsplan bifogas.")["status"] == "delivered"
    on(api, day(23))
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "committee", "neighbours_required": True, "referrals": ["miljo", "trafik"]}, case_id=case_id)
    return case_id


def refer_and_hear(api, case_id: int) -> None:
    """Referrals to miljö and trafik, each in its own group; three parties heard, one objects."""
    api.as_("officer").complete("review", {"assessment": "Avviker från planens byggrätt med 40 m².",
                                           "referrals": ["miljo", "trafik"], "neighbours_required": True},
                                case_id=case_id)
    referrals = api.as_("referee").tasks("answer_referral", case_id)
    assert sorted(t["group"] for t in referrals) == ["miljo", "trafik"]
    assert {t["due_at"] for t in referrals} == {"2026-04-17T21:59:59+00:00"}  # day 25 + 21 days, end of the day
    party_ids = []
    for party in PARTIES:
        r = api.as_("officer").post(f"/api/cases/{case_id}/hearing/parties", party)
        assert r.status_code == 201, r.get_json()
        party_ids.append(r.get_json()["id"])
    api.as_("officer").complete("prepare_hearing", {"hearing_channel": "letters",
                                                    "hearing_response_by": day(45).isoformat()}, case_id=case_id)
    for task in referrals:
        objection = task["group"] == "trafik"
        r = api.as_("referee").post(f"/api/tasks/{task['id']}/complete", {"data": {
            "statement": "Utfarten skymmer sikten mot gatan." if objection else "Inget att erinra.",
            "objection": objection}})
        assert r.status_code == 200, r.get_json()
    bo, cecilia, dag = party_ids
    for party_id, response, text in ((bo, "no_objection", None), (dag, "no_objection", None),
                                     (cecilia, "objection", "Tillbyggnaden skuggar min altan.")):
        body = {"response": response} | ({"text": text} if text else {})
        r = api.as_("officer").post(f"/api/cases/{case_id}/hearing/parties/{party_id}/response", body)
        assert r.status_code == 200, r.get_json()
    assert r.get_json()["all_answered"] is True  # the hearing ends early, before day 45
    [task] = api.as_("officer").tasks("record_neighbour_responses", case_id)
    assert task["form"]["schema"]["properties"]["objections_received"]["default"] is True
    api.as_("officer").complete("record_neighbour_responses", {
        "responses": "En granne invänder mot skuggning av altanen.", "objections_received": True}, case_id=case_id)


def committee_refuses(api, case_id: int) -> None:
    """The officer drafts a refusal; the applicant may first comment (kommunicering); the committee refuses."""
    on(api, day(30))
    api.as_("officer").complete("draft_decision", {"outcome": "refused", "decision_text": "Förslag: avslag."},
                                case_id=case_id)
    assert api.as_("officer").tasks("draft_decision", case_id) == []  # waits for the applicant's comments
    r = api.as_("applicant").post(f"/api/cases/{case_id}/messages/comments_received",
                                  {"data": {"message": "Jag kan flytta tillbyggnaden två meter."}})
    assert r.status_code == 200 and r.get_json()["status"] == "delivered", r.get_json()
    on(api, day(35))
    api.as_("officer").complete("draft_decision", {"outcome": "refused", "decision_text": "Förslag: avslag.",
                                                   "reasons": "Avvikelsen är inte liten."}, case_id=case_id)
    assert [t["name"] for t in api.as_("committee").tasks(case_id=case_id)] == ["committee_decision"]
    on(api, day(44))  # the committee meets
    api.as_("committee").complete("committee_decision", {
        "outcome": "refused", "minutes_reference": "§ 47",
        "committee_text": "Byggnadsnämnden avslår ansökan om bygglov för tillbyggnad.",
        "committee_reasons": "Avvikelsen från detaljplanen är inte liten (PBL 9 kap. 31 b §)."}, case_id=case_id)


def test_a_case_walked_from_arrival_to_legal_force_keeps_every_date_letter_and_notice(api, rt, client, smtp):
    case_id = arrive_and_remedy(api)
    d = deadlines(api, case_id)
    assert (d["statutory_start"], d["start_basis"], d["statutory_due"]) == (day(20).isoformat(), "remedy",
                                                                            day(90).isoformat())
    on(api, day(25))
    refer_and_hear(api, case_id)
    committee_refuses(api, case_id)

    case = api.as_("officer").case(case_id)
    assert case["outcome"] == "refused" and case["status"] == "decided"
    assert case["deadlines"]["fee_reduction_fifths"] == 0  # decided on day 44, due on day 90
    reference = case["reference"]

    # Letters: each is a case document whose PDF opens and says what it must.
    order = pdf_text(api, documents(api, case_id, "supplement_order")[0])
    assert "1 april 2026" in order  # the reply date
    assert "31 maj 2026" in pdf_text(api, documents(api, case_id, "receipt")[0])  # ten weeks from the remedy
    notices = documents(api, case_id, "hearing_notice")
    assert len(notices) == 3 and all("16 april 2026" in pdf_text(api, n) for n in notices)
    assert sorted(m.recipient for m in letters(rt, case_id, "hearing_notice")) == ["bo@example.se", "dag@example.se"]
    assert "Tillbyggnaden skuggar min altan." in pdf_text(api, documents(api, case_id, "communication")[0])
    [decision] = documents(api, case_id, "decision")
    text = pdf_text(api, decision)
    assert "Byggnadsnämnden avslår ansökan" in text and "§ 47" in text and "Förslag: avslag." not in text
    assert "överklaga" in text.lower()

    # Publication: the refusal on the anslagstavla for four weeks, no personal data.
    page = board(client)
    assert reference in page and day(44 + 28).isoformat() in page and "Anna Andersson" not in page

    # Service: the decision e-mail goes out the same day; the applicant may appeal for three weeks from it,
    # anyone else for four weeks from the publication: the later decides.
    deliver_outbox(rt)
    period = api.as_("officer").get(f"/api/cases/{case_id}/appeal-period").get_json()
    [applicant] = period["parties"]
    assert (applicant["served_on"], applicant["method"], applicant["last_day"]) == (
        day(44).isoformat(), "email", day(65).isoformat())
    assert (period["appeal_last_day"], period["legal_force_on"]) == (day(72).isoformat(), day(73).isoformat())

    # One timely appeal: a neighbour who was not served appeals on day 58; it is sent on to länsstyrelsen.
    on(api, day(58))
    r = api.as_("officer").post(f"/api/cases/{case_id}/appeals", {
        "appellant": "Bo Granne", "received_on": day(58).isoformat(), "email": "bo@example.se"})
    assert r.status_code == 201 and r.get_json()["status"] == "appealed", r.get_json()
    [appeal] = r.get_json()["appeal_period"]["appeals"]
    assert (appeal["timely"], appeal["counted_from"], appeal["last_day"]) == (True, "publication", day(72).isoformat())
    [sent_on] = documents(api, case_id, "appeal_forwarded")
    assert "Överlämnande av överklagande" in pdf_text(api, sent_on) and "Bo Granne" in pdf_text(api, sent_on)

    # The appeal period ends and the notice comes down, but the decision waits for the appeal body.
    move(api, now="2026-05-14T00:00:01+02:00")  # day 73
    assert api.as_("officer").case(case_id)["status"] == "appealed"
    assert reference not in board(client)  # taken down when its period ended

    # Länsstyrelsen rejects the appeal on 20 August; its ruling is final on 11 September: so is the refusal.
    on(api, date(2026, 9, 14))
    r = api.as_("officer").post(f"/api/cases/{case_id}/appeals/{appeal['id']}/decision",
                                {"outcome": "stands", "decided_on": "2026-08-20", "legal_force_on": "2026-09-11"})
    assert r.status_code == 200 and r.get_json()["status"] == "closed", r.get_json()
    case = api.as_("officer").case(case_id)
    assert case["status"] == "closed" and case["outcome"] == "refused"
    with rt.db.unit_of_work(write=False) as s:
        assert s.get(Case, case_id).facts["legal_force"]["date"] == "2026-09-11"
