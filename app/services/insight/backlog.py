"""Open cases: by stage, by age, and those that pass their deadline within 14 days unless decided."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import Case, CaseFigures

from .filters import Filters

#: Age bands in days since arrival: [from, to).
AGE_BANDS = ((0, 14), (14, 28), (28, 56), (56, 70), (70, 140), (140, None))
DUE_SOON_DAYS = 14
LIST_LIMIT = 200


def _open(filters: Filters):
    return filters.cases(CaseFigures.decided_on.is_(None), CaseFigures.closed_on.is_(None))


def backlog(session: Session, filters: Filters, today: date) -> dict:
    """Open cases now (the period does not apply: a backlog is today's), counted in one pass over the open
    cases' index: by stage, by age band and overdue."""
    per_stage = session.execute(select(CaseFigures.status, func.count(), *_age_bands(today), _count_if(
        CaseFigures.statutory_due < today)).where(_open(filters)).group_by(CaseFigures.status)).all()
    stages = {row[0]: int(row[1]) for row in per_stage}
    bands = [sum(int(row[2 + i]) for row in per_stage) for i in range(len(AGE_BANDS))]
    return {
        "open": sum(stages.values()),
        "by_stage": [{"stage": s, "count": n} for s, n in sorted(stages.items(), key=lambda kv: -kv[1])],
        "by_age": [{"from_days": low, "to_days": high, "count": n} for (low, high), n in zip(AGE_BANDS, bands,
                                                                                            strict=True)],
        "overdue": sum(int(row[-1]) for row in per_stage),
        "due_soon": due_soon(session, filters, today),
    }


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _age_bands(today: date) -> list:
    bands = []
    for low, high in AGE_BANDS:
        # arrived at most `low` days ago and more than `high` days ago is outside the band
        condition = CaseFigures.arrived_on <= today - timedelta(days=low)
        if high is not None:
            condition = condition & (CaseFigures.arrived_on > today - timedelta(days=high))
        bands.append(_count_if(condition))
    return bands


def due_soon(session: Session, filters: Filters, today: date) -> list[dict]:
    """Open cases whose statutory deadline falls within the next 14 days, closest first."""
    rows = session.execute(
        select(Case.id, Case.reference, Case.property_designation, Case.status, CaseFigures.statutory_due,
               CaseFigures.case_type)
        .join(CaseFigures, CaseFigures.case_id == Case.id)
        .where(_open(filters), CaseFigures.statutory_due.between(today, today + timedelta(days=DUE_SOON_DAYS)))
        .order_by(CaseFigures.statutory_due, Case.id).limit(LIST_LIMIT))
    return [{"case_id": cid, "reference": ref, "property": prop, "stage": status.value,
             "statutory_due": due.isoformat(), "days_left": (due - today).days, "case_type": ctype}
            for cid, ref, prop, status, due, ctype in rows]
