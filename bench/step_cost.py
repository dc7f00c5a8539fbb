"""Bench line: what one task completion costs early in a case and after 200 completed tasks.

A case of ``long_case`` (bench/processes: one review after another until a
review says it is finished) is driven through Lotsen's service layer on the
bench's database, one unit of work per completion, as staff would. The
completions right after the 10th and right after the 200th completed task are
timed (median of a window); their ratio is the line. Goal: at most 1.2x.
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

from app.models import Case, User
from app.services import cases as case_service
from app.services import tasks as task_service
from app.services.processes import deploy

HERE = Path(__file__).resolve().parent / "processes"
FILES = {"long_case.bpmn": (HERE / "long_case.bpmn").read_text(encoding="utf-8"),
         "forms/review.json": (HERE / "review.json").read_text(encoding="utf-8")}
#: Every review adds a note of this size to the case's data (different each time).
EARLY, WINDOW = 10, 9
NOTE = "Granskat underlag och ritningar; kompletterande frågor noterade för nästa granskning. " * 3


def deploy_long_case(db) -> None:
    with db.unit_of_work() as session:
        deploy(session, files=FILES, message="step-cost bench", author=None)


def _complete_one(db, user_id: int, case_id: int, n: int, finished: bool = False) -> float:
    start = time.perf_counter()
    with db.unit_of_work() as session:
        actor = session.get(User, user_id)
        [task] = case_service.open_tasks(session, session.get(Case, case_id))
        task_service.complete(session, actor=actor, task_id=task.id,
                              data={"finished": finished, "note": f"{n}: {NOTE}"})
    return time.perf_counter() - start


def measure(db, user_id: int, early: int = EARLY, late: int = 200, window: int = WINDOW) -> dict:
    """Seconds per completion (median) after ``early`` and after ``late`` completed tasks, and the state size."""
    with db.unit_of_work() as session:
        case_id = case_service.submit_case(session, actor=session.get(User, user_id), process="long_case",
                                           data={}).id
    timed: dict[int, list[float]] = {early: [], late: []}
    done = 0
    sizes = {}
    while done < late + window:
        seconds = _complete_one(db, user_id, case_id, done)
        for mark in timed:
            if mark <= done < mark + window:
                timed[mark].append(seconds)
        done += 1
        if done in (early, late):
            with db.unit_of_work(write=False) as session:
                sizes[done] = len(session.get(Case, case_id).state.encode())
    _complete_one(db, user_id, case_id, done, finished=True)
    with db.unit_of_work(write=False) as session:
        if session.get(Case, case_id).completed_at is None:
            raise RuntimeError("the long case did not finish")
    return {"early": statistics.median(timed[early]), "late": statistics.median(timed[late]),
            "early_n": early, "late_n": late, "state_early": sizes[early], "state_late": sizes[late]}


def report(result: dict) -> list[str]:
    ratio = result["late"] / result["early"]
    verdict = "meets" if ratio <= 1.2 else "misses"
    return [f"  6. step cost, one completion:  after {result['early_n']} completed tasks "
            f"{result['early'] * 1000:6.2f} ms, after {result['late_n']} {result['late'] * 1000:6.2f} ms"
            f"  = {ratio:.2f} x  ({verdict} the goal of 1.2 x)",
            f"     case.state after {result['early_n']} / {result['late_n']} tasks: "
            f"{result['state_early']:,} / {result['state_late']:,} bytes"]
