"""What-if simulation: synthetic applications through the deployed diagram with the real engine and handlers."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.clock import clock
from app.services import simulation
from app.services.errors import InvalidInput, NotFound
from app.services.processes import deploy, read_directory
from app.simulation import answers
from app.simulation.calendar import WorkCalendar
from app.simulation.execute import run_plan
from tests.conftest import PROCESSES
from tests.helpers import Api
from tests.insight_history import walk

ZONE = ZoneInfo("Europe/Stockholm")


def _run(rt, *variants: simulation.Variant, cases: int = 30, runs: int = 1, per_year: float = 20_000) -> dict:
    request = simulation.Request(process="building_permit", cases=cases, runs=runs, seed=7, per_year=per_year,
                                 use_history=False, variants=list(variants) or [simulation.Variant()])
    with rt.db.unit_of_work(write=False) as session:
        plan = simulation.plan_for(session, request)
    return run_plan(plan, workers=1)


def deploy_without_fast_lane(rt) -> int:
    """Version 2 of the reference process: simple cases go to an officer's review like every other case."""
    files = read_directory(PROCESSES)
    fast_lane = "track == 'simple'"
    assert fast_lane in files["building_permit.bpmn"]
    files["building_permit.bpmn"] = files["building_permit.bpmn"].replace(fast_lane, "False")
    with rt.db.unit_of_work() as session:
        (version,) = [v for v in deploy(session, files=files, message="no fast lane", author=None)
                      if v.model == "building_permit"]
        return version.number


def test_every_synthetic_application_is_decided_through_the_real_diagram(rt):
    result = _run(rt, cases=30)
    (scenario,) = result["scenarios"]
    assert scenario["failures"] == [] and scenario["unfinished"] == 0
    assert scenario["cases_measured"] == 27  # the first tenth only fills the office
    metrics = scenario["metrics"]
    assert 0 < metrics["statutory_days_median"]["mean"] <= metrics["statutory_days_p90"]["mean"]
    assert 0 <= metrics["within_10_weeks_share"]["mean"] <= 1
    # the real diagram's tasks were worked: the triage of every application, and the decisions
    assert scenario["heatmap"]["triage"]["count"] >= 30
    assert {"review", "draft_decision"} <= set(scenario["heatmap"])
    assert result["inputs"] == {"arrivals": "rate", "mix": "uniform", "durations": "default", "replies": "default"}


def test_the_same_seed_gives_the_same_result_and_another_seed_another(rt):
    first, again = _run(rt, cases=20), _run(rt, cases=20)
    assert first["scenarios"][0]["metrics"] == again["scenarios"][0]["metrics"]
    request = simulation.Request(process="building_permit", cases=20, seed=8, per_year=20_000, use_history=False)
    with rt.db.unit_of_work(write=False) as session:
        other = run_plan(simulation.plan_for(session, request))
    assert other["scenarios"][0]["heatmap"] != first["scenarios"][0]["heatmap"]


def test_one_officer_makes_reviews_wait_where_four_do_not(rt):
    result = _run(rt, simulation.Variant(staff={"officer": 1}), simulation.Variant(staff={"officer": 4}))
    one, four = result["scenarios"]
    assert one["staff"]["officer"]["people"] == 1 and four["staff"]["officer"]["people"] == 4
    assert one["heatmap"]["review"]["median_wait_hours"] > four["heatmap"]["review"]["median_wait_hours"]
    assert max(one["groups"]["officer"]["queue"]) > max(four["groups"]["officer"]["queue"])
    assert "difference" in result and set(result["difference"]) >= {"within_10_weeks_share", "statutory_days_median"}


def test_without_officers_the_applications_that_need_one_are_left_unfinished(rt):
    result = _run(rt, simulation.Variant(staff={"officer": 0}), cases=10)
    (scenario,) = result["scenarios"]
    assert scenario["unfinished"] > 0
    assert "review" not in scenario["heatmap"]


def test_the_fast_lane_comparison_runs_two_versions_over_seeded_runs(rt):
    without = deploy_without_fast_lane(rt)
    staff = {"coordinator": 2, "officer": 5}
    result = _run(rt, simulation.Variant(version=1, staff=staff), simulation.Variant(version=without, staff=staff),
                  cases=20, runs=2)
    with_lane, no_lane = result["scenarios"]
    assert (with_lane["label"], no_lane["label"]) == ("v1", f"v{without}")
    assert "coordinator_decision" in with_lane["heatmap"]
    assert "coordinator_decision" not in no_lane["heatmap"]  # the changed diagram is the one that ran
    within = result["difference"]["within_10_weeks_share"]
    assert len(within["runs"]) == 2 and within["low"] <= within["mean"] <= within["high"]


@pytest.mark.parametrize(("change", "field"), [
    ({"cases": 0}, "cases"), ({"runs": 51}, "runs"), ({"per_year": 0}, "per_year"),
    ({"variants": [simulation.Variant(staff={"officer": -1})]}, "staff"),
])
def test_a_request_out_of_bounds_is_refused_naming_the_field(rt, change, field):
    request = simulation.Request(process="building_permit", cases=10, use_history=False)
    for key, value in change.items():
        setattr(request, key, value)
    with rt.db.unit_of_work(write=False) as session, pytest.raises(InvalidInput) as refused:
        simulation.plan_for(session, request)
    assert [e["field"] for e in refused.value.errors] == [field]


def test_an_unknown_process_or_version_is_not_found(rt):
    with rt.db.unit_of_work(write=False) as session:
        with pytest.raises(NotFound):
            simulation.plan_for(session, simulation.Request(process="nothing", cases=5))
        with pytest.raises(NotFound):
            simulation.plan_for(session, simulation.Request(process="building_permit", cases=5,
                                                            variants=[simulation.Variant(version=99)]))


def test_office_hours_skip_weekends_and_swedish_holidays():
    calendar = WorkCalendar(ZONE)
    friday_afternoon = datetime(2026, 6, 18, 15, 0, tzinfo=ZONE)  # Thursday before midsommarafton
    # one hour left on Thursday, midsommarafton and the weekend are off: two more hours end Monday at 10
    assert calendar.add_work(friday_afternoon, 3) == datetime(2026, 6, 22, 10, 0, tzinfo=ZONE)
    assert not calendar.is_working_day(date(2026, 6, 6))  # Sveriges nationaldag (a Saturday anyway)
    assert not calendar.is_working_day(date(2026, 12, 24)) and not calendar.is_working_day(date(2026, 12, 25))
    assert calendar.next_open(datetime(2026, 12, 23, 17, 0, tzinfo=ZONE)) == datetime(2026, 12, 28, 8, 0,
                                                                                        tzinfo=ZONE)
    assert calendar.work_hours_between(datetime(2026, 12, 23, 15, 0, tzinfo=ZONE),
                                       datetime(2026, 12, 28, 9, 30, tzinfo=ZONE)) == 2.5


def test_a_committee_works_only_on_its_meeting_day_and_not_in_july():
    committee = WorkCalendar(ZONE, meeting=(3, 1))  # third Tuesday of the month
    days = [date(2026, 3, 1) + timedelta(days=n) for n in range(31)]
    assert [d for d in days if committee.is_working_day(d)] == [date(2026, 3, 17)]
    assert not any(committee.is_working_day(date(2026, 7, d)) for d in range(1, 32))


def test_the_calibration_check_replays_last_years_applications_against_what_was_measured(rt, client, actors):
    walk(Api(client, actors))  # eight applications; decided ones took 8, 15, 20, 26 and 77 statutory days
    request = simulation.Request(process="building_permit", cases=1, runs=2, calibrate=True)
    with rt.db.unit_of_work(write=False) as session:
        plan = simulation.plan_for(session, request)
    assert plan.cases == 8 and [when for when, _ in plan.replay] == sorted(when for when, _ in plan.replay)
    assert all(application.get("applicant_name") != "Anna" for _, application in plan.replay)
    result = run_plan(plan)
    check = result["calibration"]
    simulated = result["scenarios"][0]["metrics"]["statutory_days_median"]["mean"]
    assert check["measured"] == 20.0 and check["tolerance"] == 3.0
    assert check["simulated"] == round(simulated, 1) and check["off"] == round(simulated - 20.0, 1)
    assert check["within"] == (abs(check["off"]) <= 3.0)


def test_a_calibration_without_history_is_refused(rt):
    request = simulation.Request(process="building_permit", cases=1, calibrate=True)
    with rt.db.unit_of_work(write=False) as session, pytest.raises(InvalidInput) as refused:
        simulation.plan_for(session, request)
    assert refused.value.errors[0]["field"] == "calibrate"


def test_a_simulation_from_history_draws_applications_and_answers_from_last_years_cases(rt, client, actors):
    walk(Api(client, actors))
    request = simulation.Request(process="building_permit", cases=12, per_year=20_000)
    with rt.db.unit_of_work(write=False) as session:
        plan = simulation.plan_for(session, request)
    assert plan.inputs.sources["mix"] == "history"
    assert {a["measure"] for a in plan.inputs.applications} == {"plank", "nybyggnad", "mur"}
    assert plan.inputs.answers["triage"]["track"] and set(plan.inputs.answers["triage"]["track"]) == {"simple"}
    (scenario,) = run_plan(plan)["scenarios"]
    assert scenario["failures"] == [] and scenario["unfinished"] == 0
    assert set(plan.inputs.answers["coordinator_decision"]["outcome"]) == {"granted", "hand_over"}
    assert "coordinator_decision" in scenario["heatmap"]


def test_the_interval_of_a_share_never_leaves_zero_to_one_hundred_percent():
    from app.simulation.results import interval

    spread = interval([0.7, 1.0, 1.0])
    assert spread["high"] > 1  # the plain t interval would promise more than every case in time
    share = interval([0.7, 1.0, 1.0], (0.0, 1.0))
    assert share["mean"] == spread["mean"] and share["low"] == spread["low"] and share["high"] == 1.0


def test_inside_a_simulation_the_engine_reads_simulated_time_however_often_it_asks():
    moment = [datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)]
    with clock.simulated(lambda: moment[0]):
        first = clock.timestamp()
        assert clock.timestamp() == first == moment[0].timestamp()
        moment[0] += timedelta(days=3)
        assert clock.timestamp() - first == 3 * 86400
    assert abs(clock.timestamp() - datetime.now(ZONE).timestamp()) < 60  # outside: the wall clock again


def test_a_simulated_person_is_refused_what_the_form_refuses_every_time_and_true_is_not_one():
    check = answers.FormCheck({"type": "object", "required": ["ok"], "properties": {
        "ok": {"type": "boolean"}, "note": {"type": "string", "readOnly": True}}})
    assert check({"ok": True, "note": "shown only"}) == {"ok": True}
    for _ in range(2):  # the second time from memory: still refused, naming the field
        with pytest.raises(InvalidInput) as refused:
            check({"ok": 1})
        assert [e["field"] for e in refused.value.errors] == ["ok"]
    assert check({"ok": False}) == {"ok": False}


def test_a_simulated_person_whose_answer_a_step_refused_chooses_otherwise():
    import random

    schema = {"type": "object", "properties": {"extend": {"type": "boolean"},
                                               "reason": {"type": "string"},
                                               "route": {"enum": ["simple", "standard", "committee"]}}}
    refused = {"extend": True, "reason": answers.TEXT, "route": "simple"}
    for seed in range(20):
        again = answers.generate(schema, {}, None, random.Random(seed), date(2026, 3, 2), refused=refused)
        assert again["extend"] is False and again["route"] != "simple"
