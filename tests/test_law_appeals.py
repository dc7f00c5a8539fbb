"""Service, appeals and legal force from the dates things happened (PBL 9 kap. 41 §, 13 kap. 16 §, FL 44-46 §§).

Scenario tests through the public API with the testing clock, the real engine and a real database.
"""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from app.scheduler import deliver_outbox
from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import move, on

DECIDED = date(2026, 3, 2)  # a Monday


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def decide(api, day: date = DECIDED, outcome="granted", **triage) -> int:
    """A case decided by the coordinator on ``day`` (a plank: a bygglov, published on the anslagstavla)."""
    on(api, day)
    case_id = api.as_("applicant").submit(**triage.pop("application", {}))["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"} | triage, case_id=case_id)
    api.as_("coordinator").complete("coordinator_decision", {"outcome": outcome, "decision_text": "Enligt ansökan."},
                                    case_id=case_id)
    return case_id


def period(api, case_id: int, role="officer") -> dict:
    r = api.as_(role).get(f"/api/cases/{case_id}/appeal-period")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def applicant_party(api, case_id: int) -> dict:
    return next(p for p in period(api, case_id)["parties"] if p["is_applicant"])


def serve_by_post(api, case_id: int, party_id: int, day: date, method="post"):
    r = api.as_("officer").post(f"/api/cases/{case_id}/parties/{party_id}/service",
                                {"served_on": day.isoformat(), "method": method})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def appeal(api, case_id: int, received: date, **body):
    return api.as_("officer").post(f"/api/cases/{case_id}/appeals",
                                   {"appellant": "Bo Berg", "received_on": received.isoformat(),
                                    "address": "Granngatan 3, 903 25 Umeå"} | body)


def legal_force(api, case_id: int) -> dict:
    with _RT.db.unit_of_work(write=False) as s:
        from app.models import Case
        return dict(s.get(Case, case_id).facts.get("legal_force") or {})


def pdf_text(api, url: str) -> str:
    r = api.as_("officer").get(url)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.get_data())).pages).split())


def test_legal_force_is_the_later_of_three_weeks_after_the_last_service_and_four_weeks_after_publication(
        api, rt, smtp):
    case_id = decide(api)
    assert period(api, case_id)["state"] == "awaiting_service"  # the e-mail has not gone out yet
    on(api, date(2026, 3, 12))  # the mail server was down; the decision e-mail goes out ten days late
    deliver_outbox(rt)
    p = period(api, case_id)
    party = applicant_party(api, case_id)
    assert (party["served_on"], party["method"], party["last_day"]) == ("2026-03-12", "email", "2026-04-02")
    assert (p["published_on"], p["publication_last_day"]) == ("2026-03-02", "2026-03-30")
    assert (p["state"], p["appeal_last_day"], p["legal_force_on"]) == ("running", "2026-04-02", "2026-04-03")
    assert move(api, now="2026-04-02T23:59:00+02:00")["fired"] == 0  # the last day to appeal is not over
    assert api.as_("officer").case(case_id)["status"] == "decided"
    move(api, now="2026-04-03T00:00:01+02:00")  # the first second of the day of legal force
    assert api.as_("officer").case(case_id)["status"] == "closed"
    assert legal_force(api, case_id)["date"] == "2026-04-03"


def test_appeal_period_ending_on_good_friday_runs_to_the_tuesday_after_easter(api, rt, smtp):
    case_id = decide(api)
    on(api, date(2026, 3, 13))  # served on a Friday: three weeks later is Good Friday, 3 April 2026
    deliver_outbox(rt)
    assert applicant_party(api, case_id)["last_day"] == "2026-04-07"  # Easter Monday is a holiday too
    assert period(api, case_id)["legal_force_on"] == "2026-04-08"


def test_legal_force_is_recorded_for_the_day_the_period_ended_even_if_the_scheduler_was_down(api):
    case_id = decide(api, case_type="anmalan", application={"measure": "attefall"})  # an anmälan is not published
    on(api, date(2026, 3, 4))
    serve_by_post(api, case_id, applicant_party(api, case_id)["id"], date(2026, 3, 4))
    p = period(api, case_id)
    assert (p["published_on"], p["appeal_last_day"], p["legal_force_on"]) == (None, "2026-03-25", "2026-03-26")
    move(api, now="2026-03-29T10:00:00+02:00")  # nothing ran for three days after the period ended
    assert api.as_("officer").case(case_id)["status"] == "closed"
    assert legal_force(api, case_id)["date"] == "2026-03-26"


def test_decision_sent_by_post_is_served_on_the_day_staff_record(api):
    case_id = decide(api, case_type="anmalan", application={"measure": "attefall"})
    move(api, now="2026-06-01T10:00:00+02:00")  # months pass: without service the period never ends
    assert api.as_("officer").case(case_id)["status"] == "decided"
    assert period(api, case_id)["state"] == "awaiting_service"
    result = serve_by_post(api, case_id, applicant_party(api, case_id)["id"], date(2026, 5, 29))
    # three weeks end on 19 June, midsommarafton; then midsommardagen and a Sunday
    assert result["appeal_period"]["appeal_last_day"] == "2026-06-22"
    assert result["appeal_period"]["legal_force_on"] == "2026-06-23"


def test_staff_are_reminded_of_a_party_not_served_after_two_weeks(api, rt):
    case_id = decide(api, case_type="anmalan", application={"measure": "attefall"})
    move(api, now="2026-03-16T08:00:01+01:00")
    reminders = [m for m in _outbox(rt, case_id) if m.kind == "service_reminder"]
    assert reminders and "inte delgivet" in reminders[0].subject
    move(api, now="2026-03-17T08:00:00+01:00")
    assert len([m for m in _outbox(rt, case_id) if m.kind == "service_reminder"]) == len(reminders)


def test_a_party_added_by_staff_holds_legal_force_until_served(api, rt, smtp):
    case_id = decide(api)
    deliver_outbox(rt)  # the applicant is served by e-mail today
    r = api.as_("officer").post(f"/api/cases/{case_id}/parties", {"name": "Bo Berg", "address": "Granngatan 3"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["appeal_period"]["state"] == "awaiting_service"
    move(api, now="2026-04-10T10:00:00+02:00")
    assert api.as_("officer").case(case_id)["status"] == "decided"
    neighbour = next(p for p in period(api, case_id)["parties"] if p["name"] == "Bo Berg")
    result = serve_by_post(api, case_id, neighbour["id"], date(2026, 3, 20), method="delivery_receipt")
    assert result["appeal_period"]["appeal_last_day"] == "2026-04-10"  # 20 March + 3 weeks
    move(api, now="2026-04-11T00:00:01+02:00")
    assert legal_force(api, case_id)["date"] == "2026-04-11"


def test_a_party_with_an_email_address_is_served_when_the_outbox_sends_them_the_decision(api, rt, smtp):
    case_id = decide(api)
    deliver_outbox(rt)
    r = api.as_("officer").post(f"/api/cases/{case_id}/parties", {"name": "Bo Berg", "email": "bo@example.se"})
    assert r.status_code == 201
    on(api, date(2026, 3, 5))
    deliver_outbox(rt)
    to_bo = [m for m in smtp.messages if m["To"] == "bo@example.se"]
    assert to_bo and to_bo[0].get_payload()[1].get_content_type() == "application/pdf"
    bo = next(p for p in period(api, case_id)["parties"] if p["name"] == "Bo Berg")
    assert (bo["served_on"], bo["method"]) == ("2026-03-05", "email")
    assert period(api, case_id)["appeal_last_day"] == "2026-03-30"  # publication still decides


def test_late_appeal_is_dismissed_with_a_letter_to_the_appellant(api):
    case_id = decide(api)
    party = applicant_party(api, case_id)
    serve_by_post(api, case_id, party["id"], DECIDED)
    on(api, date(2026, 3, 31))  # the last day for those not served was 30 March
    r = appeal(api, case_id, date(2026, 3, 31), language="en")
    assert r.status_code == 201, r.get_json()
    [late] = r.get_json()["appeal_period"]["appeals"]
    assert (late["timely"], late["status"], late["counted_from"], late["last_day"]) == (
        False, "dismissed", "publication", "2026-03-30")
    text = pdf_text(api, late["letter_url"])
    assert "is dismissed because it arrived too late" in text and "30 March 2026" in text
    assert "Bo Berg" in text and "How to appeal this decision" in text
    docs = api.as_("applicant").get(f"/api/cases/{case_id}/documents").get_json()
    assert "appeal_dismissal" not in [d["kind"] for d in docs]  # a letter to someone else
    assert api.as_("officer").case(case_id)["status"] == "closed"  # the decision gained legal force on 31 March
    assert legal_force(api, case_id)["date"] == "2026-03-31"


def test_a_served_partys_time_counts_from_their_own_service(api):
    case_id = decide(api, case_type="anmalan", application={"measure": "attefall"})
    party = applicant_party(api, case_id)
    on(api, date(2026, 3, 3))
    serve_by_post(api, case_id, party["id"], date(2026, 3, 3))
    on(api, date(2026, 3, 25))
    r = appeal(api, case_id, date(2026, 3, 25), party=party["id"], appellant="Anna Andersson")
    [late] = r.get_json()["appeal_period"]["appeals"]
    assert (late["counted_from"], late["last_day"], late["timely"]) == ("service", "2026-03-24", False)
    assert "kom in för sent" in pdf_text(api, late["letter_url"])


def test_timely_appeal_is_sent_on_and_legal_force_waits_for_the_appeal_decision(api):
    case_id = decide(api)
    serve_by_post(api, case_id, applicant_party(api, case_id)["id"], DECIDED)
    on(api, date(2026, 3, 20))
    r = appeal(api, case_id, date(2026, 3, 19))
    assert r.status_code == 201 and r.get_json()["status"] == "appealed"
    [sent_on] = r.get_json()["appeal_period"]["appeals"]
    assert (sent_on["timely"], sent_on["status"], sent_on["last_day"]) == (True, "forwarded", "2026-03-30")
    text = pdf_text(api, sent_on["letter_url"])
    assert "Överlämnande av överklagande" in text and "Länsstyrelsen" in text and "19 mars 2026" in text
    move(api, now="2026-05-01T10:00:00+02:00")  # the period is long over, but the appeal is pending
    assert api.as_("officer").case(case_id)["status"] == "appealed"
    assert period(api, case_id)["legal_force_on"] is None
    on(api, date(2026, 7, 6))
    r = api.as_("officer").post(f"/api/cases/{case_id}/appeals/{sent_on['id']}/decision",
                                {"outcome": "stands", "decided_on": "2026-06-10", "legal_force_on": "2026-07-02"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "closed"
    force = legal_force(api, case_id)
    assert (force["date"], force["start_by"], force["finish_by"]) == ("2026-07-02", "2028-07-02", "2031-07-02")


def test_decision_quashed_on_appeal_never_gains_legal_force(api):
    case_id = decide(api)
    serve_by_post(api, case_id, applicant_party(api, case_id)["id"], DECIDED)
    [sent_on] = appeal(api, case_id, date(2026, 3, 2)).get_json()["appeal_period"]["appeals"]
    on(api, date(2026, 5, 4))
    r = api.as_("officer").post(f"/api/cases/{case_id}/appeals/{sent_on['id']}/decision",
                                {"outcome": "quashed", "decided_on": "2026-04-30"})
    assert r.status_code == 200 and r.get_json()["status"] == "closed"
    assert r.get_json()["appeal_period"]["state"] == "overturned"
    force = legal_force(api, case_id)
    assert force["overturned"] is True and force["date"] is None and "start_by" not in force


def test_appeal_and_service_input_is_checked_and_named(api):
    case_id = decide(api)
    party = applicant_party(api, case_id)
    url = f"/api/cases/{case_id}/parties/{party['id']}/service"
    r = api.as_("officer").post(url, {"served_on": "2026-03-01", "method": "post"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "served_on"  # before the decision
    r = api.as_("officer").post(url, {"served_on": "2026-03-09", "method": "post"})
    assert r.status_code == 422 and "future" in r.get_json()["errors"][0]["message"]
    r = api.as_("officer").post(url, {"served_on": "2 mars", "method": "post"})
    assert r.status_code == 422 and "YYYY-MM-DD" in r.get_json()["errors"][0]["message"]
    r = api.as_("officer").post(url, {"served_on": "2026-03-02", "method": "pigeon"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "method"
    r = api.as_("officer").post(f"/api/cases/{case_id}/appeals", {"appellant": " ", "received_on": "2026-03-02"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "appellant"
    r = api.as_("applicant").post(url, {"served_on": "2026-03-02", "method": "post"})
    assert r.status_code == 403
    other = decide(api)
    r = api.as_("officer").post(f"/api/cases/{other}/parties/{party['id']}/service",
                                {"served_on": "2026-03-02", "method": "post"})
    assert r.status_code == 404
    on(api, DECIDED)
    undecided = api.as_("applicant").submit()["id"]
    r = appeal(api, undecided, DECIDED)
    assert r.status_code == 409 and "no decision" in r.get_json()["message"]
    assert period(api, case_id)["parties"][0]["served_on"] is None  # nothing half written


def test_applicant_sees_their_own_service_and_legal_force_but_not_other_parties(api):
    case_id = decide(api)
    api.as_("officer").post(f"/api/cases/{case_id}/parties", {"name": "Bo Berg", "address": "Granngatan 3"})
    appeal(api, case_id, DECIDED)
    mine = period(api, case_id, role="applicant")
    assert [p["is_applicant"] for p in mine["parties"]] == [True] and mine["appeals"] == []
    assert mine["state"] == "appealed"


def _outbox(rt, case_id):
    from tests.scenario import letters
    return letters(rt, case_id)


@pytest.fixture(autouse=True)
def _rt(rt):
    global _RT
    _RT = rt
