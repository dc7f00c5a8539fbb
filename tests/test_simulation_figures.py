"""A seeded simulation gives the same figures, to the last decimal, however the engine work under it is sped up.

The figures below were taken from the simulation before any speed-up of its engine work (dropping finished
history, cheaper walks of the task tree, no log details nobody reads). A speed-up that changes what a case
does — which task is ready first, which data a decision sees — changes them.
"""
from __future__ import annotations

from app.services import simulation
from tests.test_simulation import _run

#: element: (tasks done, median wait hours, median work hours)
HEATMAP = {
    "answer_referral": (72, 0.0, 1.89), "committee_decision": (67, 311.76, 0.28),
    "consider_extension": (20, 21.09, 0.25), "coordinator_decision": (18, 262.22, 0.49),
    "draft_decision": (106, 23.0, 2.36), "prepare_hearing": (90, 24.21, 1.17),
    "record_neighbour_responses": (90, 82.94, 0.5), "review": (106, 23.49, 4.39),
    "supplement_overdue": (44, 140.68, 0.22), "triage": (197, 279.61, 1.07),
}
METRICS = {
    "extended_share": 0.0667, "fee_reductions_kronor": 53740.0, "lead_time_days_median": 51.0,
    "lead_time_days_p90": 99.0, "statutory_days_median": 48.0, "statutory_days_p90": 73.4,
    "within_10_weeks_share": 0.7196,
}
OPEN_CASES_BY_WEEK = [147, 147, 143, 140, 138, 132, 105, 73, 63, 50, 49, 21, 17, 17, 16, 1, 1, 1, 1]


def test_an_overloaded_office_of_one_coordinator_and_two_officers_gives_the_figures_it_always_gave(rt):
    result = _run(rt, simulation.Variant(staff={"officer": 2, "coordinator": 1}), cases=150, per_year=9000)
    (scenario,) = result["scenarios"]
    assert scenario["failures"] == [] and scenario["unfinished"] == 0
    assert scenario["cases_measured"] == 135 and scenario["late_replies"] == 12
    assert {name: m["mean"] for name, m in scenario["metrics"].items()} == METRICS
    assert {element: (h["count"], h["median_wait_hours"], h["median_work_hours"])
            for element, h in scenario["heatmap"].items()} == HEATMAP
    assert [n for week, n in scenario["open_cases"] if week > 0] == OPEN_CASES_BY_WEEK
    assert {group: sum(g["queue"]) for group, g in scenario["groups"].items()} == {
        "coordinator": 459, "officer": 133, "kulturmiljo": 0, "miljo": 1, "committee": 145}
