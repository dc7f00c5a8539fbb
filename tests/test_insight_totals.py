"""The dashboard's day and month totals: kept case by case (and task by task), they equal totals rebuilt from
the rows, and a period cut anywhere gives the figures of exactly its own cases and tasks."""
from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.models import CaseFigures, FiguresDay, FiguresMonthDays, HumanTask, TasksDay, TaskStatus
from app.models.insight import DAY_COUNTERS
from app.seed import seed
from app.services.insight import rollup, task_totals
from app.services.insight.stats import interpolate
from tests.helpers import TRIAGE_COMPLETE, Api
from tests.insight_history import walk
from tests.test_insight_dashboard import manager_headers


def _totals(rt) -> tuple[set, set]:
    """Every non-zero total (rows whose counts were all taken back to zero are no figure)."""
    with rt.db.unit_of_work(write=False) as session:
        days = {(r.day, r.process, r.case_type, r.track, *(getattr(r, n) for n in DAY_COUNTERS))
                for r in session.scalars(select(FiguresDay)) if any(getattr(r, n) for n in DAY_COUNTERS)}
        months = {(r.month, r.kind, r.process, r.case_type, r.track, r.days, r.n)
                  for r in session.scalars(select(FiguresMonthDays)) if r.n}
    return days, months


def test_totals_kept_case_by_case_equal_the_totals_rebuilt_from_the_rows(client, actors, rt):
    walk(Api(client, actors))  # submissions, supplements, refusals, a withdrawal, late decisions, open cases
    seed(rt, cases=60, seed=3, batch=25)
    kept = _totals(rt)
    assert len(kept[0]) > 20 and len(kept[1]) > 20
    with rt.db.write_engine.begin() as conn:
        rollup.rebuild(conn)
    assert _totals(rt) == kept


def _rows(rt):
    with rt.db.unit_of_work(write=False) as session:
        return session.execute(select(CaseFigures.arrived_on, CaseFigures.decided_on, CaseFigures.closed_on,
                                      CaseFigures.outcome, CaseFigures.statutory_days, CaseFigures.lead_days,
                                      CaseFigures.case_type)).all()


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


@pytest.mark.parametrize("case_type", [None, "bygglov"])
def test_a_period_cut_mid_month_gives_the_figures_of_its_own_cases(client, rt, case_type):
    seed(rt, cases=500, seed=5, batch=250)
    first, last = date.today() - timedelta(days=250), date.today() - timedelta(days=17)
    first = first.replace(day=13)
    query = f"from={first}&to={last}" + (f"&case_type={case_type}" if case_type else "")
    headers = manager_headers(rt)
    summary = client.get(f"/api/insight/summary?{query}", headers=headers).get_json()
    trends = client.get(f"/api/insight/trends?{query}", headers=headers).get_json()

    rows = [r for r in _rows(rt) if case_type is None or r.case_type == case_type]
    decided = [r for r in rows if r.decided_on and first <= r.decided_on <= last
               and r.outcome not in (None, "withdrawn")]
    statutory = sorted(r.statutory_days for r in decided if r.statutory_days is not None)
    lead = sorted(r.lead_days for r in decided if r.lead_days is not None)
    assert len(decided) > 100
    assert summary["decided"] == len(decided)
    assert summary["received"] == sum(1 for r in rows if r.arrived_on and first <= r.arrived_on <= last)
    assert summary["open"] == sum(1 for r in rows if r.arrived_on and r.arrived_on <= last
                                  and not (r.decided_on and r.decided_on <= last)
                                  and not (r.closed_on and r.closed_on <= last))
    assert summary["medians"]["statutory_days"] == interpolate(statutory, 0.5)
    assert summary["p90s"]["statutory_days"] == pytest.approx(interpolate(statutory, 0.9))
    assert summary["medians"]["lead_time_days"] == interpolate(lead, 0.5)
    assert summary["outcomes"]["withdrawn"] == sum(1 for r in rows if r.outcome == "withdrawn"
                                                   and r.decided_on and first <= r.decided_on <= last)

    months = {row["month"]: row for row in trends["months"]}
    start_month = last.replace(day=1)  # the period's last month is cut at ``last``
    in_last = sorted(r.statutory_days for r in decided if r.decided_on >= start_month and r.statutory_days is not None)
    assert months[start_month.strftime("%Y-%m")]["decided"] == sum(1 for r in decided if r.decided_on >= start_month)
    assert months[start_month.strftime("%Y-%m")]["statutory_days_median"] == (
        interpolate(in_last, 0.5) if in_last else None)


def _tasks_day(rt) -> set:
    with rt.db.unit_of_work(write=False) as session:
        return {(r.day, r.process, r.group, r.completed) for r in session.scalars(select(TasksDay)) if r.completed}


def test_tasks_done_per_day_kept_task_by_task_equal_those_counted_afresh(client, actors, rt):
    walk(Api(client, actors))
    seed(rt, cases=40, seed=4, batch=20)
    kept = _tasks_day(rt)
    assert sum(n for *_, n in kept) > 50
    with rt.db.write_engine.begin() as conn:
        task_totals.rebuild(conn, ZoneInfo(rt.settings.timezone))
    assert _tasks_day(rt) == kept


@pytest.mark.parametrize("process", [None, "building_permit"])
def test_each_groups_open_tasks_their_median_age_and_throughput_are_those_of_the_task_rows(client, rt, process):
    seed(rt, cases=300, seed=9, batch=150)
    headers, tz = manager_headers(rt), ZoneInfo(rt.settings.timezone)
    first, last = date.today() - timedelta(days=120), date.today()
    query = f"from={first}&to={last}" + (f"&process={process}" if process else "")
    groups = {g["group"]: g for g in client.get(f"/api/insight/groups?{query}", headers=headers).get_json()["groups"]}
    now = datetime.now(UTC)
    with rt.db.unit_of_work(write=False) as session:
        tasks = session.execute(select(HumanTask.group, HumanTask.status, HumanTask.created_at,
                                       HumanTask.completed_at)).all()
    ages: dict[str, list[float]] = {}
    for group, status, created, _ in tasks:
        if status == TaskStatus.OPEN:
            ages.setdefault(group, []).append((now - created).total_seconds() / 86400)
    assert ages and {g: groups[g]["open_tasks"] for g in ages} == {g: len(a) for g, a in ages.items()}
    for group, found in ages.items():  # the request ran a moment earlier: ages differ by less than 0.05 day
        assert groups[group]["median_age_days"] == pytest.approx(statistics.median(found), abs=0.06)
    done = Counter(group for group, status, _, completed in tasks if status == TaskStatus.COMPLETED
                   and first <= completed.astimezone(tz).date() <= last)
    assert sum(done.values()) > 100
    assert {g: row["completed"] for g, row in groups.items() if row["completed"]} == dict(done)


def test_a_task_moved_back_no_longer_counts_as_done(api, rt, client):
    headers = manager_headers(rt)

    def coordinator_done():
        groups = client.get("/api/insight/groups", headers=headers).get_json()["groups"]
        return next((g["completed"] for g in groups if g["group"] == "coordinator"), 0)

    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    assert coordinator_done() == 1
    with rt.db.unit_of_work(write=False) as session:
        triage = session.scalar(select(HumanTask.id).where(HumanTask.case_id == case_id))
    moved = api.as_("admin").post(f"/api/admin/cases/{case_id}/move-back", {"task": triage, "reason": "Fel spår."})
    assert moved.status_code == 200 and coordinator_done() == 0
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    assert coordinator_done() == 1


def test_the_nki_finds_a_periods_invitations_by_their_index_not_by_walking_every_case(rt):
    if not rt.db.is_sqlite:
        pytest.skip("reads SQLite's query plan")
    from sqlalchemy import event, text

    from app.services import survey_results

    seed(rt, cases=200, seed=2, batch=200)
    with rt.db.write_engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    seen = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        if "survey_invitation" in statement:
            seen.append((statement, parameters))

    event.listen(rt.db.read_engine, "before_cursor_execute", remember)
    try:
        with rt.db.unit_of_work(write=False) as session:
            survey_results.results(session, first=date.today() - timedelta(days=365), last=date.today())
    finally:
        event.remove(rt.db.read_engine, "before_cursor_execute", remember)
    assert seen
    with rt.db.read_engine.connect() as conn:
        for statement, parameters in seen:
            plan = " / ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
            assert "ix_survey_invitation_created_at" in plan and "SCAN case" not in plan, plan


def test_the_filters_offer_the_case_types_and_tracks_that_occur(rt):
    from app.services.insight import filters

    seed(rt, cases=120, seed=6, batch=120)
    with rt.db.unit_of_work(write=False) as session:
        offered = filters.choices(session)
        types = sorted({t for t in session.scalars(select(CaseFigures.case_type)) if t})
        tracks = sorted({t for t in session.scalars(select(CaseFigures.track)) if t})
    assert len(types) >= 3 and len(tracks) >= 2
    assert (offered["case_types"], offered["tracks"]) == (types, tracks) and "building_permit" in offered["processes"]


def _nki_rows(rt) -> set:
    from app.models import NkiDay

    with rt.db.unit_of_work(write=False) as session:
        return {tuple(getattr(r, c.key) for c in NkiDay.__table__.columns) for r in session.scalars(select(NkiDay))}


def _answers_by_hand(rt, first: date, last: date, case_type=None, track=None) -> list[tuple[dict, int]]:
    """(scores, scale) of the answers to invitations sent on local days first..last, read row by row."""
    from app.models import Case, SurveyAnswer, SurveyInvitation

    tz = ZoneInfo(rt.settings.timezone)
    with rt.db.unit_of_work(write=False) as session:
        rows = session.execute(select(SurveyInvitation.created_at, Case.case_type, Case.track, SurveyAnswer.scores,
                                      SurveyAnswer.scale_max)
                               .join(SurveyAnswer, SurveyAnswer.invitation_id == SurveyInvitation.id)
                               .join(Case, Case.id == SurveyInvitation.case_id)).all()
    return [(scores, top) for at, kind, way, scores, top in rows if first <= at.astimezone(tz).date() <= last
            and case_type in (None, kind) and track in (None, way)]


def test_the_dashboards_nki_is_the_surveys_own_for_any_period_case_type_and_track(rt):
    """The day totals give the survey's NKI: the same answers counted, the index as the survey page computes it
    and within rounding of a plain mean of the scores."""
    from app.services import survey_results
    from app.services.insight import filters, nki

    seed(rt, cases=900, seed=8, batch=300)
    rt.settings.survey_min_answers = 1
    today = datetime.now(ZoneInfo(rt.settings.timezone)).date()
    periods = [(today - timedelta(days=365), today), (today - timedelta(days=200), today - timedelta(days=17)),
               (today - timedelta(days=800), today)]
    checked = 0
    with rt.db.unit_of_work(write=False) as session:
        for first, last in periods:
            survey = survey_results.results(session, first=first, last=last, process="building_permit")
            for case_type, track, group in [(None, None, survey)] + [
                    (g["key"], None, g) for g in survey["by_case_type"]] + [
                    (None, g["key"], g) for g in survey["by_track"]] + [("bygglov", "standard", None)]:
                got = nki.figures(session, filters.Filters(start=first, end=last, process="building_permit",
                                                           case_type=case_type, track=track))
                answers = _answers_by_hand(rt, first, last, case_type, track)
                if not answers:
                    assert got is None
                    continue
                assert got["answers"] == len(answers), (first, last, case_type, track)
                plain = statistics.fmean(statistics.fmean((s[q] - 1) / (top - 1) * 100 for s, top in answers)
                                         for q in ("satisfaction", "expectations", "ideal"))
                assert abs(got["index"] - plain) <= 0.1
                if group is not None:
                    assert (got["index"], got["answers"]) == (group["nki"], group["respondents"])
                checked += 1
    assert checked >= 12


def test_nki_totals_kept_answer_by_answer_equal_the_totals_rebuilt_from_the_answers(rt):
    from app.services.insight import nki

    summary = seed(rt, cases=400, seed=9, batch=150)
    kept = _nki_rows(rt)
    assert summary.survey_answers > 40 and len(kept) > 20
    with rt.db.write_engine.begin() as conn:
        nki.rebuild(conn, ZoneInfo(rt.settings.timezone))
    assert _nki_rows(rt) == kept


def test_the_dashboards_nki_reads_day_totals_not_every_invitation_and_answer(rt):
    """Reading a period's invitations and answers took 2.6 CPU-seconds at 100,000 seeded cases."""
    from sqlalchemy import event

    from app.services.insight import filters, nki

    seed(rt, cases=300, seed=10, batch=300)
    rt.settings.survey_min_answers = 1
    seen = []

    def remember(_conn, _cursor, statement, *_args):
        seen.append(statement)

    today = date.today()
    event.listen(rt.db.read_engine, "before_cursor_execute", remember)
    try:
        with rt.db.unit_of_work(write=False) as session:
            found = nki.figures(session, filters.Filters(start=today - timedelta(days=365), end=today))
    finally:
        event.remove(rt.db.read_engine, "before_cursor_execute", remember)
    assert found is not None and found["answers"] > 10
    assert seen and not [s for s in seen if "survey_invitation" in s or "survey_answer" in s]
