"""Statutory, service-goal and lead-time clocks from case events (PBL 9 kap., 12:8 a)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.services.clocks import Event, compute, fee_reduction_fifths

TZ = ZoneInfo("Europe/Stockholm")
DAY0 = date(2026, 2, 2)


def at(day: int, hour: int = 10) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=day), time(hour), tzinfo=TZ)


def clocks(*events, today=60, case_type="bygglov", measure="nybyggnad", arrived=DAY0):
    return compute([Event(kind, when, {}) for kind, when in events], case_type=case_type, measure=measure,
                   today=DAY0 + timedelta(days=today), tz=TZ, rules_change=date(2025, 12, 1),
                   service_goals={"plank": 30}, default_goal_days=40)


def test_clock_runs_from_arrival_when_complete_on_arrival():
    c = clocks(("received", at(0)), ("complete", at(3)))
    assert c.statutory_start == DAY0 and c.statutory_due == DAY0 + timedelta(weeks=10)
    assert c.days_left == 70 - 60 and c.rule_set == "PBL from 2025-12-01"


def test_order_within_three_weeks_starts_the_clock_on_the_reply():
    c = clocks(("received", at(0)), ("supplement_ordered", at(10)), ("supplement_received", at(20)),
               ("complete", at(21)))
    assert c.statutory_start == DAY0 + timedelta(days=20)
    assert c.statutory_due == DAY0 + timedelta(days=90)


def test_clock_is_not_running_while_the_applicant_owes_a_supplement():
    c = clocks(("received", at(0)), ("supplement_ordered", at(10)), today=15)
    assert c.statutory_start is None and c.statutory_due is None and c.days_left is None
    assert c.waiting_days == 5


def test_order_after_three_weeks_does_not_move_the_start():
    c = clocks(("received", at(0)), ("supplement_ordered", at(22)), ("supplement_received", at(30)))
    assert c.statutory_start == DAY0 and c.statutory_due == DAY0 + timedelta(weeks=10)


def test_supplement_on_own_initiative_restarts_the_clock():
    c = clocks(("received", at(0)), ("own_initiative_supplement", at(12)))
    assert c.statutory_start == DAY0 + timedelta(days=12)


def test_nothing_after_the_deadline_resets_the_clock():
    c = clocks(("received", at(0)), ("own_initiative_supplement", at(75)), today=80)
    assert c.statutory_due == DAY0 + timedelta(weeks=10) and c.days_left == -10


def test_anmalan_has_four_weeks_and_extension_adds_the_same_again():
    c = clocks(("received", at(0)), ("extended", at(5)), case_type="anmalan")
    assert c.statutory_weeks == 4 and c.extended
    assert c.statutory_due == DAY0 + timedelta(weeks=8)


def test_applications_before_the_rule_change_run_from_completeness():
    arrived = datetime(2025, 11, 20, 10, tzinfo=TZ)
    c = compute([Event("received", arrived, {}), Event("complete", arrived + timedelta(days=9), {})],
                case_type="bygglov", measure="plank", today=date(2025, 12, 10), tz=TZ,
                rules_change=date(2025, 12, 1), service_goals={}, default_goal_days=40)
    assert c.rule_set == "PBL before 2025-12-01"
    assert c.statutory_start == date(2025, 11, 29) and c.statutory_due == date(2026, 2, 7)


def test_decision_75_days_after_a_day_20_start_is_one_started_week_late():
    c = clocks(("received", at(0)), ("supplement_ordered", at(10)), ("supplement_received", at(20)),
               ("decided", at(95)))
    assert c.statutory_due == DAY0 + timedelta(days=90)
    assert c.fee_reduction_fifths == 1 and c.lead_time_days == 95 and c.days_left is None


def test_fee_reduction_counts_started_weeks_and_stops_at_five():
    due = date(2026, 4, 13)
    assert [fee_reduction_fifths(due + timedelta(days=d), due) for d in (0, 1, 7, 8, 28, 29, 60)] == \
        [0, 1, 1, 2, 4, 5, 5]


def test_service_goal_deducts_the_time_waiting_for_the_applicant():
    c = clocks(("received", at(0)), ("supplement_ordered", at(10)), ("supplement_received", at(24)),
               measure="plank", today=30)
    assert c.service_goal_days == 30 and c.waiting_days == 14
    assert c.service_goal_due == DAY0 + timedelta(days=44)


def test_local_calendar_day_counts_not_utc():
    # 00:30 in Stockholm on 2026-03-20 is still 2026-03-19 in UTC
    arrived = datetime(2026, 3, 20, 0, 30, tzinfo=TZ).astimezone(ZoneInfo("UTC"))
    c = compute([Event("received", arrived, {})], case_type="bygglov", measure="plank", today=date(2026, 3, 20),
                tz=TZ, rules_change=date(2025, 12, 1), service_goals={}, default_goal_days=40)
    assert c.arrived_on == date(2026, 3, 20) and c.statutory_due == date(2026, 5, 29)
