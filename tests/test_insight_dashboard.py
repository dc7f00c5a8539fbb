"""The dashboard's figures: volumes, medians, shares and the backlog, checked against the raw events."""
from __future__ import annotations

from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import and_, exists, select, text
from sqlalchemy.orm import aliased

from app.models import Case, CaseEvent, Outcome
from app.seed import seed
from app.services import users as user_service
from app.services.insight.stats import interpolate
from tests.conftest import PASSWORD
from tests.helpers import Api
from tests.insight_history import DAY0, TODAY, day, walk


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


@pytest.fixture
def manager(rt, client):
    return manager_headers(rt)


def manager_headers(rt) -> dict:
    """A user with the manager role (and no work group), as API headers."""
    with rt.db.unit_of_work() as session:
        user = user_service.create_user(session, username="maja", roles=["manager"], password=PASSWORD,
                                        display_name="Maja", email="maja@example.se")
        token = user_service.issue_token(session, user)
    return {"Authorization": f"Bearer {token}"}


def _independent_days(rt, column: str) -> list[int]:
    """Per decided case (not withdrawn), in days, straight from the case and its recorded events."""
    pg = not rt.db.is_sqlite
    if column == "lead":
        days = "date(d.at) - date(r.at)" if pg else "CAST(julianday(date(d.at)) - julianday(date(r.at)) AS INTEGER)"
    else:  # statutory: the clock's start is its stored due date less ten weeks (none of these was extended)
        days = ("date(d.at) - (c.statutory_due - 70)" if pg else
                "CAST(julianday(date(d.at)) - julianday(date(c.statutory_due, '-70 days')) AS INTEGER)")
    sql = text(f"""SELECT {days} FROM "case" c
                   JOIN case_event r ON r.case_id = c.id AND r.kind = 'received'
                   JOIN case_event d ON d.case_id = c.id AND d.kind = 'decided'
                   WHERE c.outcome <> 'WITHDRAWN' ORDER BY 1""")
    with rt.db.unit_of_work(write=False) as session:
        return [int(v) for v in session.scalars(sql)]


def _median_by_sql(rt, values_sql: str) -> float:
    with rt.db.unit_of_work(write=False) as session:
        n = session.scalar(text(f"SELECT count(*) FROM ({values_sql}) v"))
        return float(session.scalar(text(f"SELECT x FROM ({values_sql}) v ORDER BY x LIMIT 1 OFFSET {n // 2}")))


def test_dashboard_medians_match_an_independent_sql_query(api, rt, client, manager):
    walk(api)
    r = client.get(f"/api/insight/summary?from={DAY0}&to={day(TODAY)}&process=building_permit", headers=manager)
    assert r.status_code == 200, r.get_json()
    s = r.get_json()
    lead, statutory = _independent_days(rt, "lead"), _independent_days(rt, "statutory")
    assert lead == [8, 20, 26, 38, 77] and statutory == [8, 15, 20, 26, 77]
    lead_sql = ("SELECT CAST(julianday(date(d.at)) - julianday(date(r.at)) AS INTEGER) AS x"
                if rt.db.is_sqlite else "SELECT date(d.at) - date(r.at) AS x")
    lead_sql += """ FROM "case" c JOIN case_event r ON r.case_id = c.id AND r.kind = 'received'
                    JOIN case_event d ON d.case_id = c.id AND d.kind = 'decided' WHERE c.outcome <> 'WITHDRAWN'"""
    assert s["medians"]["lead_time_days"] == _median_by_sql(rt, lead_sql) == 26
    assert s["medians"]["statutory_days"] == 20
    assert s["p90s"]["statutory_days"] == pytest.approx(26 + 0.6 * (77 - 26))
    assert s["medians"]["completeness_days"] == 0 and s["p90s"]["completeness_days"] == pytest.approx(13.8)
    assert (s["received"], s["decided"], s["open"]) == (8, 5, 2)
    assert s["within_deadline_share"] == 0.8 and s["within_10_weeks_share"] == 0.8
    assert s["outcomes"] == {"granted": 4, "refused": 1, "dismissed": 0, "withdrawn": 1}
    assert s["fee_reductions"]["count"] == 1 and s["fee_reductions"]["kronor"] > 0
    assert s["extensions"] == 0 and s["supplement_orders_per_case"] == 0.2
    assert s["complete_on_arrival_share"] == pytest.approx(5 / 6, abs=1e-4)  # c was not; o2 not judged yet
    assert s["nki"] is None


def test_period_and_filters_narrow_the_figures(api, client, manager):
    walk(api)
    first_month = client.get(f"/api/insight/summary?from={DAY0}&to={day(25)}", headers=manager).get_json()
    assert (first_month["received"], first_month["decided"]) == (6, 2)  # a and b decided by day 25
    assert first_month["medians"]["statutory_days"] == 14  # 8 and 20
    mur = client.get(f"/api/insight/summary?from={DAY0}&to={day(TODAY)}&case_type=bygglov&track=standard",
                     headers=manager).get_json()
    assert mur["decided"] == 0 and mur["medians"]["statutory_days"] is None


def test_backlog_lists_open_cases_that_pass_their_deadline_within_two_weeks(api, client, manager):
    ids = walk(api)
    b = client.get("/api/insight/backlog?process=building_permit", headers=manager).get_json()
    assert b["open"] == 2 and b["overdue"] == 0
    assert {s["stage"]: s["count"] for s in b["by_stage"]} == {"in_triage": 2}  # both with the coordinator
    assert [d["case_id"] for d in b["due_soon"]] == [ids["o1"]]
    assert b["due_soon"][0]["days_left"] == 10 and b["due_soon"][0]["statutory_due"] == day(140).isoformat()
    ages = {(a["from_days"], a["to_days"]): a["count"] for a in b["by_age"]}
    assert ages[(56, 70)] == 1 and ages[(28, 56)] == 1  # arrived 60 and 55 days ago


def test_trends_give_each_of_24_months(api, client, manager):
    walk(api)
    months = client.get(f"/api/insight/trends?to={day(TODAY)}", headers=manager).get_json()["months"]
    assert len(months) == 24 and months[-1]["month"] == "2026-05"
    by_month = {m["month"]: m for m in months}
    assert by_month["2026-01"]["received"] == 6 and by_month["2026-01"]["decided"] == 2  # b and a
    assert by_month["2026-01"]["statutory_days_median"] == 14  # 8 and 20
    assert by_month["2026-02"]["decided"] == 2 and by_month["2026-02"]["lead_time_days_median"] == 32  # 26, 38
    assert by_month["2026-03"]["decided"] == 1 and by_month["2026-03"]["fee_reductions_kronor"] > 0
    assert by_month["2026-01"]["open_at_end"] == 3  # c, d and e
    assert by_month["2026-03"]["open_at_end"] == 2 and by_month["2025-06"]["received"] == 0  # o1 and o2


def test_group_workload_counts_open_tasks(api, client, manager):
    walk(api)
    groups = client.get(f"/api/insight/groups?from={DAY0}&to={day(TODAY)}", headers=manager).get_json()["groups"]
    coordinator = next(g for g in groups if g["group"] == "coordinator")
    assert coordinator["open_tasks"] == 2 and coordinator["completed"] == 12  # 7 triages, 5 decisions
    assert coordinator["throughput_per_week"] == pytest.approx(12 / (131 / 7), abs=0.05)


def test_figures_are_for_managers_process_owners_and_administrators(api, client, manager, actors):
    assert client.get("/api/insight/summary", headers=manager).status_code == 200
    assert client.get("/api/insight/summary", headers=actors.headers("process_owner")).status_code == 200
    assert client.get("/api/insight/summary", headers=actors.headers("admin")).status_code == 200
    assert client.get("/api/insight/summary", headers=actors.headers("officer")).status_code == 403
    assert client.get("/api/insight/summary", headers=actors.headers("applicant")).status_code == 403


def test_bad_filters_are_refused_naming_the_field(client, manager):
    r = client.get("/api/insight/summary?from=2026-13-01", headers=manager)
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "from"
    r = client.get("/api/insight/summary?from=2026-03-01&to=2026-02-01", headers=manager)
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "from"
    r = client.get("/api/insight/summary?process=nope", headers=manager)
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "process"


def test_exports_download_through_the_api(api, client, manager):
    walk(api)
    r = client.get(f"/api/insight/exports/closed-cases?from={DAY0}&to={day(TODAY)}", headers=manager)
    assert r.status_code == 200 and r.content_type.startswith("text/csv")
    lines = r.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("reference,process,version") and len(lines) == 7
    assert client.get("/api/insight/exports/boverket", headers=manager).status_code == 200
    assert client.get("/api/insight/exports/secrets", headers=manager).status_code == 404


def _raw_decided_cases(rt) -> list[tuple]:
    """(case type, received at, decided at, stored statutory due, extension, decided as it stands) of every
    decided case that was not withdrawn, straight from the case rows and their recorded events."""
    received, decided, extended, as_it_stands = (aliased(CaseEvent) for _ in range(4))
    stands = exists().where(as_it_stands.case_id == Case.id, as_it_stands.kind == "decided_as_it_stands")
    query = (select(Case.case_type, received.at, decided.at, Case.statutory_due, extended.data, stands)
             .join(received, and_(received.case_id == Case.id, received.kind == "received"))
             .join(decided, and_(decided.case_id == Case.id, decided.kind == "decided"))
             .outerjoin(extended, and_(extended.case_id == Case.id, extended.kind == "extended"))
             .where(Case.outcome != Outcome.WITHDRAWN))
    with rt.db.unit_of_work(write=False) as session:
        return session.execute(query).all()


def test_on_a_seeded_history_the_dashboard_medians_match_an_independent_sql_query(rt, client, manager):
    seed(rt, cases=400, seed=11, batch=200)
    since = (date.today() - timedelta(days=3 * 365)).isoformat()
    everything = client.get(f"/api/insight/summary?from={since}", headers=manager).get_json()
    bygglov = client.get(f"/api/insight/summary?from={since}&case_type=bygglov", headers=manager).get_json()
    rows = _raw_decided_cases(rt)
    local = ZoneInfo("Europe/Stockholm")

    def day(at):  # the local calendar day of a stored moment
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(local).date()

    lead = sorted((day(decided) - day(received)).days for _, received, decided, _, _, _ in rows)
    # a building permit's clock: ten weeks (plus any extension) before the case's stored due date
    statutory = sorted((day(decided) - (due - timedelta(weeks=10 + int((extension or {}).get("weeks") or 0)))).days
                       for case_type, _, decided, due, extension, stands in rows
                       if case_type == "bygglov" and due and not stands)
    assert len(lead) > 300 and len(statutory) > 250
    assert everything["medians"]["lead_time_days"] == interpolate(lead, 0.5)
    assert everything["p90s"]["lead_time_days"] == pytest.approx(interpolate(lead, 0.9))
    assert bygglov["medians"]["statutory_days"] == interpolate(statutory, 0.5)
    assert bygglov["p90s"]["statutory_days"] == pytest.approx(interpolate(statutory, 0.9))
