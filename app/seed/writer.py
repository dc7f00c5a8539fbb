"""Writing seeded batches: one transaction per batch, bulk inserts, the audit chain appended in order."""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import func, insert, select, text, update

from app.models import (
    AuditDetail, AuditEvent, Case, CaseEvent, CaseFigures, HumanTask, MessageSubscription, ReferenceSequence,
    SurveyAnswer, SurveyInvitation, TaskCandidateGroup, TaskStatus, Timer)
from app.models.task import NO_DEADLINE
from app.runtime import Runtime
from app.services import audit, audit_checkpoints
from app.services.insight import nki, rollup, task_totals

from . import rows, templates
from .history import Life


class Writer:
    def __init__(self, rt: Runtime, ctx: rows.Context, found: dict[str, templates.Template], rng, *,
                 now: datetime, survey_rng):
        self.rt, self.ctx, self.templates, self.rng = rt, ctx, found, rng
        #: The survey's draws come from their own generator: the cases drawn for a seed stay as they were.
        self.now, self.survey_rng = now, survey_rng
        self.prefix = ctx.prefix
        self.open_cases = self.tasks = self.events = self.audit_events = self.survey_answers = 0

    def write(self, lives: list[Life]) -> None:
        with self.rt.db.unit_of_work() as session:
            conn = session.connection()
            ids = _reserve_ids(conn, Case, len(lives))
            refs = self._references(conn, lives)
            cases, events, tasks, candidates, timers, subs, trail, figures = [], [], [], [], [], [], [], []
            for life, case_id, reference in zip(lives, ids, refs, strict=True):
                row, clock = rows.case_row(self.ctx, life, reference, self.rng)
                row["id"] = case_id
                done, done_audit = rows.task_rows(self.ctx, life, case_id, reference, self.rng)
                tasks += done
                if life.stage is not None:
                    self._open(row, life, case_id, reference, tasks, candidates, timers, subs)
                cases.append(row)
                figures.append(rows.figures_row(self.ctx, row, clock))
                events += [{"case_id": case_id, "kind": kind, "at": at, "data": data, "actor": "system"}
                           for kind, at, data in life.events]
                trail.append(rows.event(life.created_at, "seed", "case.submitted", case_id, None,
                                        {"process": "building_permit", "seeded": True,
                                         "data": life.application}))
                trail += done_audit
                trail.append(rows.event(row["updated_at"], "engine", "case.status", case_id, None,
                                        {"status": row["status"].value,
                                         "outcome": row["outcome"].value if row["outcome"] else None}))
            conn.execute(insert(Case), cases)
            for model, batch in ((CaseEvent, events), (HumanTask, tasks), (TaskCandidateGroup, candidates),
                                 (Timer, timers), (MessageSubscription, subs), (CaseFigures, figures)):
                if batch:
                    conn.execute(insert(model), batch)
            rollup.add_rows(session, [SimpleNamespace(**row) for row in figures])
            self._survey(conn, cases)
            task_totals.add(conn, Counter((t["completed_at"].astimezone(self.ctx.tz).date(), "building_permit",
                                           t["group"]) for t in tasks if t["status"] == TaskStatus.COMPLETED))
            _append(session, trail)
        self.tasks += len(tasks)
        self.events += len(events)
        self.audit_events += len(trail)

    def _survey(self, conn, cases: list[dict]) -> None:
        """The closed cases' survey invitations and answers, and the answers' NKI day totals."""
        invited = [(case, *rows.survey_rows(self.ctx, case, self.now, self.survey_rng)) for case in cases]
        invited = [(case, invitation, answer) for case, invitation, answer in invited if invitation is not None]
        if not invited:
            return
        ids = _reserve_ids(conn, SurveyInvitation, len(invited))
        conn.execute(insert(SurveyInvitation), [{"id": i, **invitation}
                                                for i, (_, invitation, _) in zip(ids, invited, strict=True)])
        answers = [{"invitation_id": i, **answer} for i, (_, _, answer) in zip(ids, invited, strict=True) if answer]
        if answers:
            conn.execute(insert(SurveyAnswer), answers)
        totals: dict = {}
        for case, invitation, answer in invited:
            if answer:
                key = nki.key_of(invitation["created_at"], self.ctx.tz, "building_permit", case["case_type"],
                                 case["track"], answer["scale_max"])
                totals.setdefault(key, Counter()).update(nki.contribution(answer["scores"]))
        nki.add(conn, totals)
        self.survey_answers += len(answers)

    def _open(self, row, life, case_id, reference, tasks, candidates, timers, subs) -> None:
        """An open case: live workflow state and open work cloned from its stage's template."""
        t = self.templates[life.stage]
        c = templates.clone(t, case_id=case_id, reference=reference, application=life.application,
                            since=life.stage_since)
        row.update(state=c.state, status=t.status, facts={**c.facts, "case_type": life.case_type},
                   track=t.track, path=t.path, completed_at=None, updated_at=life.stage_since)
        due = row["statutory_due"] or NO_DEADLINE
        unclaimed = {"claimed_at": None, "process_version_id": None, "wait_seconds": None,
                     "work_seconds": None} if self.ctx.has_claimed_at else {}
        for task in c.tasks:
            tasks.append({**task, "sort_due": due, "assignee_id": None, "completed_at": None,
                          "completed_by_id": None, "submitted": None, **unclaimed})
        candidates += c.candidates
        timers += c.timers
        subs += c.subscriptions
        self.open_cases += 1

    def _references(self, conn, lives: list[Life]) -> list[str]:
        """BYGG <year>-NNNNNN by arrival year, continuing (and advancing) the live number series."""
        refs, used = [], {}
        for life in lives:
            year = life.created_at.astimezone(self.ctx.tz).year
            if year not in used:
                used[year] = conn.scalar(select(ReferenceSequence.last_value).where(
                    ReferenceSequence.series == self.prefix, ReferenceSequence.year == year))
                if used[year] is None:
                    conn.execute(insert(ReferenceSequence).values(series=self.prefix, year=year, last_value=0))
                    used[year] = 0
            used[year] += 1
            refs.append(f"{self.prefix} {year}-{used[year]:06d}")
        for year, last in used.items():
            conn.execute(update(ReferenceSequence).where(ReferenceSequence.series == self.prefix,
                                                         ReferenceSequence.year == year).values(last_value=last))
        return refs

    def finish(self) -> None:
        with self.rt.db.unit_of_work() as session:
            audit_checkpoints.checkpoint_head(session)


def _reserve_ids(conn, model, n: int) -> list[int]:
    """``n`` new primary keys of ``model``'s table, in ascending order, taken now (no RETURNING per row)."""
    table = model.__table__.name
    if conn.dialect.name == "postgresql":
        return sorted(conn.scalars(text(f"SELECT nextval(pg_get_serial_sequence('\"{table}\"', 'id')) "
                                        "FROM generate_series(1, :n)"), {"n": n}))
    first = (conn.scalar(select(func.max(model.id))) or 0) + 1  # the write lock is held: nobody else inserts
    return list(range(first, first + n))


def _append(session, trail: list[dict]) -> None:
    """Append the batch's audit events to the chain (as ``audit.append_pending`` does for a transaction)."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": audit.CHAIN_LOCK})
    prev = conn.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or audit.GENESIS
    links = []
    for e in trail:
        digest = audit.details_digest(e["details"])
        link = audit.event_hash(prev, e["at"], e["actor"], e["action"], e["case_id"], e["element_id"], digest)
        links.append({"at": e["at"], "actor": e["actor"], "action": e["action"], "case_id": e["case_id"],
                      "element_id": e["element_id"], "details_hash": digest, "chain_version": 2,
                      "prev_hash": prev, "hash": link})
        prev = link
    ids = _reserve_ids(conn, AuditEvent, len(links))
    conn.execute(insert(AuditEvent), [{"id": i, **link} for i, link in zip(ids, links, strict=True)])
    conn.execute(insert(AuditDetail), [{"event_id": i, "details": e["details"]} for i, e in zip(ids, trail,
                                                                                                 strict=True)])
    audit_checkpoints.after_append(session, last_id=ids[-1], last_hash=prev, appended=len(ids))
