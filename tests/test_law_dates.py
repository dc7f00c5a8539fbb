"""Dates never crash: 29 February, daylight-saving nights and year ends, through the public API."""
from __future__ import annotations

from datetime import date

import pytest

from app.models import Case
from handlers.dates import add_years
from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import at_local, deadlines, move, on, serve_applicant


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def granted_on(api, decided: date, **application) -> int:
    on(api, date(decided.year, decided.month, 1))
    case_id = api.as_("applicant").submit(**application)["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    on(api, decided)
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                    case_id=case_id)
    return case_id


def test_validity_from_legal_force_on_29_february_ends_on_28_february(api):
    case_id = granted_on(api, date(2028, 1, 31))
    period = serve_applicant(api, case_id)  # served the day of the decision; published that day too
    assert (period["appeal_last_day"], period["legal_force_on"]) == ("2028-02-28", "2028-02-29")
    move(api, now=at_local(date(2028, 2, 29), hour=0, minute=1))
    legal = _facts(api, case_id)["legal_force"]
    assert legal["date"] == "2028-02-29"  # the day after the last day of the appeal period
    assert (legal["start_by"], legal["finish_by"]) == ("2030-02-28", "2033-02-28")
    assert api.as_("officer").case(case_id)["status"] == "closed"


def test_advance_notice_binds_for_two_years_without_start_or_finish_dates(api):
    on(api, date(2028, 1, 10))
    case_id = api.as_("applicant").submit(measure="nybyggnad")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"case_type": "forhandsbesked", "track": "standard"},
                                    case_id=case_id)
    api.as_("officer").complete("review", {"assessment": "Lämplig plats.", "referrals": [],
                                           "neighbours_required": False}, case_id=case_id)
    on(api, date(2028, 1, 31))
    api.as_("officer").complete("draft_decision", {"outcome": "granted", "decision_text": "Positivt."},
                                case_id=case_id)
    assert serve_applicant(api, case_id)["legal_force_on"] == "2028-02-29"
    move(api, now=at_local(date(2028, 2, 29), hour=0, minute=1))
    legal = _facts(api, case_id)["legal_force"]
    assert legal["binding_until"] == "2030-02-28" and "start_by" not in legal and "finish_by" not in legal


@pytest.mark.parametrize("arrives_utc, local_day, due", [
    ("2026-03-29T00:30:00+00:00", "2026-03-29", "2026-06-07"),  # 01:30 CET, the night clocks go forward
    ("2026-03-29T01:30:00+00:00", "2026-03-29", "2026-06-07"),  # 03:30 CEST, just after the change
    ("2026-10-25T00:30:00+00:00", "2026-10-25", "2027-01-03"),  # 02:30 CEST, the first of two 02:30s
    ("2026-10-25T01:30:00+00:00", "2026-10-25", "2027-01-03"),  # 02:30 CET, the second
])
def test_arrival_on_a_daylight_saving_night_counts_the_local_calendar_day(api, arrives_utc, local_day, due):
    move(api, now=arrives_utc)
    case_id = api.as_("applicant").submit(measure="nybyggnad")["id"]
    d = deadlines(api, case_id)
    assert d["statutory_start"] == local_day and d["statutory_due"] == due


@pytest.mark.parametrize("arrives_utc, reference_year, due", [
    ("2026-12-31T22:59:59+00:00", "2026", "2027-03-11"),  # 23:59:59 on New Year's Eve in Stockholm
    ("2026-12-31T23:00:00+00:00", "2027", "2027-03-12"),  # midnight in Stockholm, still 2026 in UTC
])
def test_arrival_at_the_year_end_takes_the_local_year_and_deadline(api, arrives_utc, reference_year, due):
    move(api, now=arrives_utc)
    submitted = api.as_("applicant").submit(measure="nybyggnad")
    assert submitted["reference"].startswith(f"BYGG {reference_year}-")
    assert deadlines(api, submitted["id"])["statutory_due"] == due


def test_supplement_reply_date_on_new_years_eve_fires_after_local_midnight(api):
    on(api, date(2026, 12, 10))
    case_id = api.as_("applicant").submit(measure="nybyggnad")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "simple", "complete": False, "supplement_request": "Ritning", "reply_by": "2026-12-31"})
    assert move(api, now="2026-12-31T22:59:00+00:00")["fired"] == 0
    assert move(api, now="2026-12-31T23:00:00+00:00")["fired"] == 1
    assert [t["name"] for t in api.as_("coordinator").tasks(case_id=case_id)] == ["supplement_overdue"]


@pytest.mark.parametrize("start, years, end", [
    (date(2028, 2, 29), 2, date(2030, 2, 28)),
    (date(2028, 2, 29), 4, date(2032, 2, 29)),
    (date(2027, 12, 31), 5, date(2032, 12, 31)),
    (date(2026, 3, 1), 2, date(2028, 3, 1)),
])
def test_adding_years_keeps_the_date_or_takes_the_last_day_of_the_month(start, years, end):
    assert add_years(start, years) == end


@pytest.fixture(autouse=True)
def _rt(rt):
    global _RT
    _RT = rt


def _facts(api, case_id: int) -> dict:
    with _RT.db.unit_of_work(write=False) as s:
        return dict(s.get(Case, case_id).facts)
