"""Statutory, service-goal and lead-time clocks from case events (PBL 9 kap., 12:8 a)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.services.clocks import Event, compute, fee_reduction_fifths

TZ = ZoneInfo("Europe/Stockholm")
DAY0 = date(2026, 2, 2)


def at(day: int, hour: int = 10) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=day), time(hour), tzinfo=TZ)


def clocks(*events, today=60, case_type="bygglov", measure="nybyggnad"):
    return compute([Event(e[0], e[1], e[2] if len(e) > 2 else {}) for e in events], case_type=case_type,
                   measure=measure, today=DAY0 + timedelta(days=today), tz=TZ,
                   service_goals={"plank": 30}, default_goal_days=40)


def test_clock_runs_from_arrival_when_complete_on_arrival():
    c = clocks(("received", at(0)), ("complete", at(3)))
    assert c.statutory_start == DAY0 and c.statutory_due == DAY0 + timedelta(weeks=10)
    assert c.days_left == 70 - 60 and c.start_basis == "arrival"


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


def test_application_that_arrived_before_the_2025_reform_runs_from_arrival_too():
    # One rule set since 2019: arrived 2025-06-02, found complete four weeks later, due ten weeks after arrival
    arrived = datetime(2025, 6, 2, 10, tzinfo=TZ)
    c = compute([Event("received", arrived, {}), Event("complete", arrived + timedelta(weeks=4), {}),
                 Event("decided", datetime(2025, 9, 1, 10, tzinfo=TZ), {})],
                case_type="bygglov", measure="plank", today=date(2025, 9, 1), tz=TZ,
                service_goals={}, default_goal_days=40)
    assert c.statutory_start == date(2025, 6, 2) and c.statutory_due == date(2025, 8, 11)
    assert c.fee_reduction_fifths == 3


def test_reply_that_does_not_remedy_starts_nothing_and_a_new_order_keeps_the_clock_stopped():
    c = clocks(("received", at(0)), ("supplement_ordered", at(10)), ("supplement_received", at(20)),
               ("supplement_ordered", at(30)), today=31)
    assert c.awaiting_remedy and c.statutory_due is None and c.reply_on is None
    c = clocks(("received", at(0)), ("supplement_ordered", at(10)), ("supplement_received", at(20)),
               ("supplement_ordered", at(30)), ("supplement_received", at(40)), ("complete", at(45)))
    assert c.statutory_start == DAY0 + timedelta(days=40) and c.start_basis == "remedy"


def test_clock_runs_from_the_reply_that_remedied_not_from_the_day_it_was_checked():
    c = clocks(("received", at(0)), ("supplement_ordered", at(10)), ("supplement_received", at(20)),
               ("complete", at(27)))
    assert c.statutory_start == DAY0 + timedelta(days=20)


def test_own_initiative_material_moves_the_order_window():
    c = clocks(("received", at(0)), ("own_initiative_supplement", at(15)), ("supplement_ordered", at(30)), today=31)
    assert c.awaiting_remedy and c.statutory_due is None  # day 30 is within 3 weeks of day 15
    c = clocks(("received", at(0)), ("own_initiative_supplement", at(5)), ("supplement_ordered", at(27)), today=31)
    assert not c.awaiting_remedy and c.statutory_start == DAY0 + timedelta(days=5)


def test_decided_as_it_stands_after_an_unanswered_order_has_no_deadline_and_no_fee_reduction():
    c = clocks(("received", at(0)), ("supplement_ordered", at(10)), ("decided_as_it_stands", at(40)),
               ("decided", at(120)))
    assert c.as_it_stands and c.statutory_due is None and c.fee_reduction_fifths is None


def test_extension_by_fewer_weeks_than_the_maximum():
    c = clocks(("received", at(0)), ("extended", at(5), {"weeks": 3, "reason": "Remiss"}))
    assert c.statutory_due == DAY0 + timedelta(weeks=13) and c.extension_weeks == 3


def test_decision_75_days_after_a_day_20_start_is_one_started_week_late():
    c = clocks(("received", at(0)), ("supplement_ordered", at(10)), ("supplement_received", at(20)),
               ("complete", at(21)), ("decided", at(95)))
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
                tz=TZ, service_goals={}, default_goal_days=40)
    assert c.arrived_on == date(2026, 3, 20) and c.statutory_due == date(2026, 5, 29)
