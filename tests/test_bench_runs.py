"""`make bench` keeps working (a tiny run; the timing itself is never asserted)."""
import os
import re
import subprocess
import sys

from app.config import PROJECT_ROOT


def test_bench_completes_every_case_and_prints_the_ratio(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bench.run", "--cases", "3", "--memory-cases", "5",
                             "--repeats", "1", "--sim-cases", "5", "--inbox-cases", "150",
                             "--step-tasks", "20", "--http-cases", "4", "--http-rounds", "1"],
                            capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT,
                            env={**os.environ, "LOTSEN_BENCH_CACHE": str(tmp_path)})  # not the bench's own cache
    assert result.returncode == 0, result.stderr
    assert "ratio in-memory/service" in result.stdout and "all cases completed" in result.stdout
    assert "simulated cases/s" in result.stdout and "all 5 cases decided" in result.stdout
    assert "JSON save/load per tx" in result.stdout and "persisted ÷ in-memory" in result.stdout
    assert "step cost, one completion:  after 10 completed tasks" in result.stdout and "after 20" in result.stdout
    assert "inbox,       150 cases" in result.stdout and "HTTP p50" in result.stdout
    assert "dashboard,       150 cases" in result.stdout and "slowest view p95" in result.stdout
    assert "5-user-task case" in result.stdout and "SQLite, 1 process" in result.stdout
    gate = result.stdout[result.stdout.index("9. deploy gate"):]
    assert "building_permit:" in gate and "paths" in gate and re.search(r"verdict:\s+passed", gate)


def test_the_national_bench_office_staffs_every_group_the_reference_process_gives_work_to():
    """A group left out gets one person: at 100,000 cases a year its queue (e.g. environment referrals) grows
    without end and the national-year line reported unfinished cases."""
    from app.services.groups import DEMO_DEPARTMENTS, STANDARD_GROUPS
    from bench.simulation import STAFF

    assert {name for name, *_ in STANDARD_GROUPS + DEMO_DEPARTMENTS} <= set(STAFF)


def test_the_national_bench_office_can_do_a_years_work():
    """Each group of the bench's national office needs at most ``STAFF_LOAD_MAX`` of its people's working time for
    a year of 100,000 applications (work per case measured in a short run of the real process). With too few
    people the national-year run never caught up: 18,466 cases were still open at its end."""
    from datetime import timedelta

    from app.simulation.run import Run
    from bench.simulation import NATIONAL_YEAR, STAFF, STAFF_LOAD_MAX, _plan

    cases = 1500
    plan = _plan(cases, PROJECT_ROOT / "processes")
    run = Run(plan, plan.scenarios[0], 0)
    result = run.execute()
    assert result.unfinished == 0 and not result.failures
    assert {"coordinator", "officer", "committee", "miljo"} <= set(run.pools)
    load = {}
    for group, pool in run.pools.items():
        assert pool.staff.people == STAFF[group]
        work = sum(pool.busy_hours.values()) / cases * NATIONAL_YEAR
        year = sum(pool.office_hours(plan.start + timedelta(weeks=week)) for week in range(52))
        load[group] = round(work / year, 2)
    assert max(load.values()) <= STAFF_LOAD_MAX, load


def test_the_simulation_line_says_how_many_cases_were_not_decided_and_where_they_failed():
    from bench.simulation import _outcome

    result = {"scenarios": [{"unfinished": 1234, "failures": [
        {"element": "triage", "step": "Triage", "step_sv": "Granskning", "reason": "the step refused", "count": 2}]}]}
    line = _outcome(100_000, result)
    assert "NOT ALL DECIDED: 1,234 cases left unfinished, 2 failed (2 at Triage: the step refused)" in line
    assert _outcome(5, {"scenarios": [{"unfinished": 0, "failures": []}]}).strip() == "all 5 cases decided"
