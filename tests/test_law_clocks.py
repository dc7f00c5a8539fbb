"""The statutory clock (PBL 9 kap., one rule set since 2019) through the public API with the testing clock."""
from __future__ import annotations

from datetime import date

from babel.dates import format_date
import pytest

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import deadlines, incidents, letters, on, order_supplement, plus, reply

DAY0 = date(2026, 2, 2)


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def long_date(d) -> str:
    """A date as the letters write it in Swedish (2 mars 2026)."""
    return format_date(d, "long", locale="sv_SE")


def day(n: int) -> date:
    return plus(DAY0, n)


def submit_on(api, when: date, **application) -> int:
    on(api, when)
    return api.as_("applicant").submit(**({"measure": "nybyggnad"} | application))["id"]


def test_case_that_arrived_before_the_reform_and_was_triaged_four_weeks_later_is_due_ten_weeks_after_arrival(api):
    case_id = submit_on(api, date(2025, 6, 2), measure="plank")
    on(api, date(2025, 6, 30))
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    assert deadlines(api, case_id)["statutory_due"] == "2025-08-11"
    assert deadlines(api, case_id)["start_basis"] == "arrival"
    on(api, date(2025, 9, 1))
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."})
    case = api.as_("applicant").case(case_id)
    assert case["deadlines"]["fee_reduction_fifths"] == 3  # 21 days late: three started weeks


def test_order_within_three_weeks_runs_the_clock_from_the_day_the_gaps_were_remedied(api):
    case_id = submit_on(api, DAY0)
    on(api, day(10))
    order_supplement(api, case_id, reply_by=day(30))
    assert deadlines(api, case_id)["statutory_due"] is None
    assert deadlines(api, case_id)["awaiting_remedy"] is True
    on(api, day(20))
    assert reply(api, case_id)["status"] == "delivered"
    on(api, day(23))  # the coordinator checks the reply three days later
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    d = deadlines(api, case_id)
    assert d["statutory_start"] == day(20).isoformat() and d["start_basis"] == "remedy"
    assert d["statutory_due"] == day(90).isoformat()


def test_reply_that_does_not_remedy_the_gaps_starts_nothing_and_a_new_order_does_not_reopen_the_window(api, rt):
    case_id = submit_on(api, DAY0)
    on(api, day(10))
    order_supplement(api, case_id, reply_by=day(20))
    on(api, day(18))
    reply(api, case_id, "Här är en skiss.")
    on(api, day(24))  # past the 3-week window: this second order only continues the first
    order_supplement(api, case_id, reply_by=day(40), request="Skissen är inte skalenlig; skicka en fasadritning.")
    d = deadlines(api, case_id)
    assert d["statutory_due"] is None and d["awaiting_remedy"] is True
    second = letters(rt, case_id, "supplement_order")[-1]
    assert f"Det du skickade in {long_date(day(18))} avhjälper inte bristerna" in second.body
    on(api, day(33))
    reply(api, case_id, "Fasadritning i skala 1:100.")
    on(api, day(35))
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    d = deadlines(api, case_id)
    assert d["statutory_start"] == day(33).isoformat() and d["statutory_due"] == day(103).isoformat()


def test_order_after_three_weeks_does_not_restart_the_clock(api):
    case_id = submit_on(api, DAY0)
    on(api, day(22))
    order_supplement(api, case_id, reply_by=day(40))
    assert deadlines(api, case_id)["statutory_due"] == day(70).isoformat()
    on(api, day(27))
    reply(api, case_id)
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    d = deadlines(api, case_id)
    assert d["statutory_due"] == day(70).isoformat() and d["start_basis"] == "arrival"


def test_own_initiative_material_before_an_order_restarts_the_clock_and_a_later_order_waits_for_a_new_reply(api):
    case_id = submit_on(api, DAY0)
    on(api, day(5))
    sent = reply(api, case_id, "Jag bifogar en ny situationsplan.")
    assert sent["status"] == "recorded" and sent["taken_as"] == "own_initiative_supplement"
    d = deadlines(api, case_id)
    assert d["statutory_start"] == day(5).isoformat() and d["start_basis"] == "own_initiative_supplement"
    assert d["order_window_ends"] == day(26).isoformat()  # three weeks from the new material
    on(api, day(24))  # within three weeks of the material (not of arrival): the order stops the clock
    order_supplement(api, case_id, reply_by=day(40))
    case = api.as_("applicant").case(case_id)
    assert case["status"] == "awaiting_supplement" and case["deadlines"]["statutory_due"] is None
    on(api, day(30))
    assert reply(api, case_id)["status"] == "delivered"
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    assert deadlines(api, case_id)["statutory_due"] == day(100).isoformat()


def test_own_initiative_material_after_the_deadline_resets_nothing(api):
    case_id = submit_on(api, DAY0)
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard"})
    on(api, day(75))
    assert reply(api, case_id)["taken_as"] == "own_initiative_supplement"
    assert deadlines(api, case_id)["statutory_due"] == day(70).isoformat()


def test_decide_as_it_stands_after_an_unanswered_order_reaches_a_decision_on_the_material_at_hand(api, rt):
    case_id = submit_on(api, DAY0)
    on(api, day(10))
    order_supplement(api, case_id, reply_by=day(24))
    on(api, day(25))  # the reply date has passed
    api.as_("coordinator").complete("supplement_overdue", {"action": "decide_as_is"}, case_id=case_id)
    case = api.as_("coordinator").case(case_id)
    assert incidents(rt, case_id) == [] and case["last_error"] is None
    assert [t["name"] for t in case["open_tasks"]] == ["coordinator_decision"]
    assert case["deadlines"]["decided_as_it_stands"] is True and case["deadlines"]["statutory_due"] is None
    assert letters(rt, case_id, "receipt") == []  # not complete, so no receipt
    on(api, day(120))
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."})
    case = api.as_("applicant").case(case_id)
    assert case["outcome"] == "granted" and case["deadlines"]["fee_reduction_fifths"] is None
    [decision] = letters(rt, case_id, "decision")
    assert "prövats i befintligt skick" in decision.body


def test_dismissal_after_an_unanswered_order_says_the_supplement_did_not_arrive(api, rt):
    case_id = submit_on(api, DAY0)
    on(api, day(10))
    order_supplement(api, case_id, reply_by=day(24))
    on(api, day(25))
    api.as_("coordinator").complete("supplement_overdue", {"action": "dismiss"}, case_id=case_id)
    case = api.as_("applicant").case(case_id)
    assert case["outcome"] == "dismissed" and incidents(rt, case_id) == []
    [decision] = letters(rt, case_id, "decision")
    assert "avvisas eftersom den komplettering som begärdes i föreläggandet inte kom in" in decision.body
