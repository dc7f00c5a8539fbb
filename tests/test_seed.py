"""`lotsen seed`: a realistic history whose audit chain verifies and whose open cases can be worked."""
from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.cli import main
from app.models import Case, CaseEvent, CaseStatus, HumanTask, TaskStatus, Timer
from app.seed import seed
from app.services import audit_verify
from tests.helpers import Api


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


@pytest.fixture
def seeded(rt, actors):
    return seed(rt, cases=400, seed=7, batch=150)


def test_a_seeded_history_has_every_outcome_realistic_events_and_a_chain_that_verifies(rt, seeded):
    with rt.db.unit_of_work(write=False) as s:
        cases = [(c.outcome, c.case_type, c.reference) for c in s.scalars(select(Case))]
        kinds = Counter(s.scalars(select(CaseEvent.kind)))
        report = audit_verify.verify(s)
    assert len(cases) >= 400 and seeded.open_cases > 10
    outcomes = Counter(outcome.value for outcome, *_ in cases if outcome)
    assert {"granted", "refused", "withdrawn", "dismissed"} <= set(outcomes)
    assert outcomes["granted"] > 0.8 * sum(outcomes.values())
    assert kinds["received"] >= 400 and kinds["supplement_ordered"] > 0.6 * kinds["received"]
    assert kinds["decided"] > 0 and kinds["legal_force"] > 0 and kinds["complete"] > 0
    bygglov = sum(1 for _, case_type, _ in cases if case_type == "bygglov")
    assert 0.8 < bygglov / len(cases) < 0.97
    assert len({reference for *_, reference in cases}) == len(cases)
    assert report.broken is None and report.events >= seeded.audit_events


def test_closed_seeded_cases_carry_their_clocks_and_completed_tasks_with_timings(rt, seeded):
    with rt.db.unit_of_work(write=False) as s:
        closed = s.scalars(select(Case).where(Case.status == CaseStatus.CLOSED).limit(50)).all()
        assert closed and all(c.completed_at for c in closed)
        # the clock never starts for a case decided as it stands after an unanswered supplement order
        assert sum(1 for c in closed if c.statutory_due) > 0.8 * len(closed)
        tasks = s.scalars(select(HumanTask).where(HumanTask.case_id.in_([c.id for c in closed]))).all()
        assert all(t.status == TaskStatus.COMPLETED and t.completed_by_id
                   and t.created_at <= t.claimed_at <= t.completed_at for t in tasks)  # waiting, then working
        assert {"triage"} <= {t.element_id for t in tasks}



def test_a_closed_seeded_case_opens_with_the_path_of_its_tasks(api, rt, seeded):
    with rt.db.unit_of_work(write=False) as s:
        case_id = s.scalars(select(Case.id).where(Case.status == CaseStatus.CLOSED).limit(1)).one()
        tasks = [(t.element_id, t.completed_at) for t in s.scalars(
            select(HumanTask).where(HumanTask.case_id == case_id).order_by(HumanTask.completed_at))]
    r = api.as_("coordinator").get(f"/api/cases/{case_id}")
    assert r.status_code == 200, r.get_data(as_text=True)
    path = r.get_json()["path"]
    assert [(step["element"], step["at"]) for step in path] == [(e, at.isoformat()) for e, at in tasks]
    assert path[0]["name"] == "Triage application"

def test_open_seeded_cases_wait_at_many_stages_with_their_own_application(rt, seeded):
    with rt.db.unit_of_work(write=False) as s:
        open_cases = s.scalars(select(Case).where(Case.completed_at.is_(None), Case.reference.is_not(None),
                                                  Case.applicant_name != "SEEDNAME")).all()
        statuses = Counter(c.status for c in open_cases)
        timers = s.scalar(select(func.count()).select_from(Timer).where(
            Timer.case_id.in_([c.id for c in open_cases])))
        assert len(statuses) >= 4 and timers > 0
        sample = open_cases[0]
        assert "SEEDNAME" not in sample.state and sample.reference in sample.state
        assert sample.facts["property_designation"] == sample.property_designation


def test_a_coordinator_decides_a_seeded_open_case_like_any_other(api, rt, seeded):
    with rt.db.unit_of_work(write=False) as s:
        task = s.scalars(select(HumanTask).join(Case).where(
            HumanTask.status == TaskStatus.OPEN, HumanTask.element_id == "coordinator_decision",
            Case.applicant_name != "SEEDNAME")).first()
        assert task is not None
        task_id, case_id = task.id, task.case_id
    r = api.as_("coordinator").post(f"/api/tasks/{task_id}/complete",
                                    {"data": {"outcome": "granted", "decision_text": "Beviljas."}})
    assert r.status_code == 200, r.get_json()
    assert api.as_("coordinator").case(case_id)["status"] == "decided"


def test_seed_refuses_a_count_below_one(rt, settings, monkeypatch):
    monkeypatch.setenv("LOTSEN_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", settings.instance_dir)
    result = CliRunner().invoke(main, ["seed", "--cases", "0"])
    assert result.exit_code == 2 and "--cases" in result.output


def test_seeded_dashboard_figures_are_what_the_insight_projection_computes(rt, seeded):
    from app.models import CaseFigures
    from app.services.insight import figures

    columns = [c.key for c in CaseFigures.__table__.columns]
    with rt.db.unit_of_work(write=False) as s:
        seeded_rows = {f.case_id: {k: getattr(f, k) for k in columns} for f in s.scalars(select(CaseFigures))}
        assert len(seeded_rows) >= seeded.cases
    sample = sorted(seeded_rows)[::37]
    with rt.db.unit_of_work() as s:  # recomputed by insight's own code from the recorded events
        figures.refresh_many(s, sample)
        s.flush()
        again = {f.case_id: {k: getattr(f, k) for k in columns}
                 for f in s.scalars(select(CaseFigures).where(CaseFigures.case_id.in_(sample)))}
    assert again == {cid: seeded_rows[cid] for cid in sample}
