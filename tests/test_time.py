"""Statutory time through the whole system, with the test clock (POST /api/testing/clock)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, UTC
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app import create_app
from app.models import Timer
from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import serve_applicant

TZ = ZoneInfo("Europe/Stockholm")
DAY0 = datetime(2026, 2, 2, 9, 0, tzinfo=TZ)


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def move(api, **body) -> dict:
    r = api.as_("admin").post("/api/testing/clock", body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def day(n: int) -> date:
    return (DAY0 + timedelta(days=n)).date()


def start_incomplete_case(api, reply_in_days=20, order_on_day=10) -> int:
    move(api, now=DAY0.isoformat())
    case_id = api.as_("applicant").submit(measure="nybyggnad")["id"]
    move(api, advance=f"P{order_on_day}D")
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "simple", "complete": False, "supplement_request": "Fasadritning saknas.",
        "reply_by": day(order_on_day + reply_in_days).isoformat()})
    return case_id


def test_late_decision_after_a_supplement_costs_one_fifth_of_the_fee(api):
    case_id = start_incomplete_case(api)
    assert api.as_("applicant").case(case_id)["deadlines"]["statutory_due"] is None  # waiting for the applicant
    move(api, advance="P10D")  # day 20: the reply arrives
    r = api.as_("applicant").post(f"/api/cases/{case_id}/messages/supplement_received",
                                  {"data": {"message": "Ritningen bifogas."}})
    assert r.get_json()["status"] == "delivered"
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    deadlines = api.as_("applicant").case(case_id)["deadlines"]
    assert deadlines["statutory_due"] == day(90).isoformat()  # started on day 20
    assert deadlines["days_left"] == 70
    move(api, advance="P75D")  # day 95: five days late = one started week
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."})
    case = api.as_("applicant").case(case_id)
    assert case["deadlines"]["fee_reduction_fifths"] == 1
    assert case["deadlines"]["lead_time_days"] == 95
    assert case["status"] == "decided" and case["outcome"] == "granted"


def test_fee_reduction_is_stored_with_the_decision_and_shown_to_the_applicant(app, api, actors):
    case_id = start_incomplete_case(api)
    move(api, advance="P10D")
    api.as_("applicant").post(f"/api/cases/{case_id}/messages/supplement_received", {"data": {"message": "ok"}})
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    move(api, advance="P75D")
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."})
    with app.app_context():
        from app.models import Case
        from app.uow import runtime
        with runtime().db.unit_of_work(write=False) as s:
            case = s.get(Case, case_id)
            fee = case.facts["fee"]
            assert case.fee_reduction_fifths == 1
            assert fee["reduction_fifths"] == 1 and fee["reduction"] == round(fee["reducible"] / 5)
            assert case.facts["decision"]["fee_reduction_fifths"] == 1
    from tests.test_web import Browser
    browser = Browser(app)
    browser.login("anna")
    page = browser.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    assert 'id="fee-reduction"' in page and "1/5" in page


def test_reply_that_never_comes_leads_to_the_dismissal_task_on_the_reply_date(api):
    case_id = start_incomplete_case(api, reply_in_days=14)  # reply by day 24
    result = move(api, now=datetime.combine(day(24), datetime.min.time().replace(hour=23, minute=30),
                                             tzinfo=TZ).isoformat())
    assert result["fired"] == 0 and api.as_("coordinator").tasks(case_id=case_id) == []
    result = move(api, advance="PT1H")  # past midnight: the reply day is over
    assert result["fired"] == 1
    [task] = api.as_("coordinator").tasks(case_id=case_id)
    assert task["name"] == "supplement_overdue"
    api.as_("coordinator").complete("supplement_overdue", {"action": "dismiss"})
    case = api.as_("applicant").case(case_id)
    assert case["outcome"] == "dismissed" and case["status"] == "decided"


def test_case_closes_with_legal_force_when_the_appeal_window_has_passed(api):
    move(api, now=DAY0.isoformat())
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."})
    assert api.as_("applicant").case(case_id)["status"] == "decided"
    serve_applicant(api, case_id)  # posted and served the same day; published the same day (4 weeks)
    assert move(api, advance="P27D")["fired"] == 0
    assert move(api, advance="P2D")["fired"] == 1
    case = api.as_("applicant").case(case_id)
    assert case["status"] == "closed" and case["completed_at"] is not None and case["outcome"] == "granted"


@pytest.mark.parametrize("ordered, reply_by, due_utc", [
    (datetime(2026, 3, 20, 10, tzinfo=TZ), "2026-03-30", datetime(2026, 3, 30, 21, 59, 59, tzinfo=UTC)),
    (datetime(2026, 10, 20, 10, tzinfo=TZ), "2026-10-26", datetime(2026, 10, 26, 22, 59, 59, tzinfo=UTC)),
])
def test_daylight_saving_change_does_not_move_the_reply_date_into_another_day(api, rt, ordered, reply_by, due_utc):
    move(api, now=(ordered - timedelta(days=1)).isoformat())
    case_id = api.as_("applicant").submit()["id"]
    move(api, now=ordered.isoformat())
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "simple", "complete": False, "supplement_request": "x", "reply_by": reply_by})
    with rt.db.unit_of_work(write=False) as s:
        timer = s.scalar(select(Timer).where(Timer.case_id == case_id, Timer.element_id == "reply_date_passed"))
        assert timer.due_at == due_utc
        assert timer.due_at.astimezone(TZ).date().isoformat() == reply_by
    assert move(api, now=(due_utc - timedelta(minutes=30)).isoformat())["fired"] == 0
    assert move(api, now=(due_utc + timedelta(seconds=1)).isoformat())["fired"] == 1


def test_test_clock_route_does_not_exist_without_testing_mode(rt, actors):
    rt.settings.testing = False
    client = create_app(rt.settings, runtime=rt).test_client()
    r = client.post("/api/testing/clock", json={"advance": "P1D"}, headers=actors.headers("admin"))
    assert r.status_code == 404


def test_inbox_sorts_by_days_left_and_marks_overdue_cases(app, api, actors):
    move(api, now=DAY0.isoformat())
    late = api.as_("applicant").submit(property_designation="Umeå Sen 1:1")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard"}, case_id=late)
    move(api, advance="P40D")
    soon = api.as_("applicant").submit(property_designation="Umeå Ny 2:2")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard"}, case_id=soon)
    move(api, advance="P32D")  # `late` is 2 days past its deadline, `soon` has 38 left
    from tests.test_web import Browser
    browser = Browser(app)
    browser.login("olga")
    page = browser.get("/inbox").get_data(as_text=True)
    assert page.index("Umeå Sen 1:1") < page.index("Umeå Ny 2:2")
    row = page[page.index(f'data-case="{late}"'):page.index("Umeå Sen 1:1")]
    assert 'class="overdue"' in row
    assert 'data-days-left="-2"' in page and 'data-days-left="38"' in page
