"""`lotsen seed --cases N`: a realistic history of building-permit cases, fast, with a valid audit chain.

Entry point: ``app.seed.seed(runtime, cases=N, years=2.0, seed=1, progress=None) -> Summary`` (the CLI
command ``lotsen seed`` calls it). It adds to whatever the database holds; run it on a scratch database.

What it generates (for dashboards, exports, heatmaps, simulation calibration and scale benchmarks):

* ``case``: N cases of the latest deployed ``building_permit`` version, arrivals spread over ``years`` up to
  now with a seasonal weekly shape (spring high, July and Christmas low), weekdays, office hours; measures
  ≈ 89 % bygglov (tillbyggnad, nybyggnad, plank, mur, skylt), attefall → anmälan, rivning, marklov;
  ``case_type``, ``track`` (simple / standard / committee), ``status``, ``outcome``
  (granted / refused / dismissed / withdrawn), ``completed_at``, and the clocks ``statutory_due``,
  ``service_goal_due``, ``deadline_extended``, ``fee_reduction_fifths`` computed by ``services.clocks``
  from the generated events (the same rules as live cases); ``facts`` hold the application, ``case_type``,
  ``track``, and for decided cases ``decision`` and ``fee`` (``total``, ``reduction``, ``reduction_fifths``).
* ``case_event``: ``received``; ``supplement_ordered`` for 76.4 % (23.6 % complete on arrival, Umeå),
  ``supplement_received`` after ≈ 31 days on average (7 % never reply: ``decided_as_it_stands`` or a
  dismissal), ``complete`` (with ``remedied_on``), ``extended`` (3 %), ``withdrawn`` (3 %), ``decided``
  (``data.outcome``; complete → decision median ≈ 33 days, ≈ 95 % within 10 weeks), ``legal_force``.
* ``human_task``: completed tasks (triage, supplement re-triage, coordinator_decision, review,
  answer_referral per referral, draft_decision, committee_decision) with ``group``, ``created_at``,
  ``claimed_at`` (when the column exists), ``completed_at``, ``completed_by_id`` (seeded staff
  ``seed.<group>N``) and ``submitted`` form answers; waits of hours to days, work of minutes to hours.
* Open cases (those whose life runs past now, ≈ 10 %) wait at every stage: triage, awaiting supplement,
  coordinator_decision, review, answer_referral, draft_decision, committee_decision, decided (appeal
  window). They carry live workflow state cloned from a real case run to that stage (``templates``),
  with their open task(s), timers and message subscriptions: they can be worked like any case.
* Closed cases carry a compacted state (a closed case's workflow is never loaded again).
* ``audit_event``/``audit_detail``: per case ``case.submitted``, one ``task.completed`` per completed task
  and a final ``case.status``, appended to the hash chain in order with checkpoints, so
  ``lotsen audit verify`` passes.

* ``case_figures`` (insight's projection), one row per seeded case, filled from the same clocks as the
  case row, as ``insight.figures.project`` fills it for a live case.

* ``survey_invitation``/``survey_answer`` (the NKI survey): closed cases with an e-mail address are invited
  within a day of closing; 30 % answer within days (scores around 6.8 of 10 per applicant, each question a
  little off it; a factor now and then "cannot say"), 3 % decline; ``nki_day`` holds the answers' totals.
  The invitations' links were never made (no letters, no audit events for them).

Not generated (yet): a second process version part-way through the history.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.clock import utcnow
from app.models import HumanTask, ProcessVersion, User
from app.runtime import Runtime
from app.services import groups as group_service
from app.services import process_info
from app.services import users as user_service
from app.services.processes import deploy_directory

from . import history, templates, writer

STAFF = {"coordinator": 6, "officer": 12, "committee": 3, "miljo": 2, "trafik": 2}


@dataclass
class Summary:
    cases: int
    open_cases: int
    tasks: int
    events: int
    audit_events: int
    seconds: float
    survey_answers: int = 0


def seed(rt: Runtime, *, cases: int, years: float = 2.0, seed: int = 1, batch: int = 2000,
         progress=None) -> Summary:
    """Add ``cases`` seeded cases (see the module docstring); ``progress(n)`` is called per batch."""
    started = utcnow()
    rng = random.Random(seed)
    ctx, found = _prepare(rt)
    now = utcnow()
    arrivals = history.arrivals(rng, cases, now, years)
    out = writer.Writer(rt, ctx, found, rng, now=now, survey_rng=random.Random(f"{seed}:survey"))
    for start in range(0, cases, batch):
        lives = [history.draw(rng, at, now) for at in arrivals[start:start + batch]]
        out.write(lives)
        if progress:
            progress(len(lives))
    out.finish()
    return Summary(cases, out.open_cases, out.tasks, out.events, out.audit_events,
                   (utcnow() - started).total_seconds(), out.survey_answers)


def _prepare(rt: Runtime):
    """Groups, the process, the seeded staff, and one template case per stage (real cases, run now)."""
    settings = rt.settings
    with rt.db.unit_of_work() as session:
        group_service.ensure_demo(session)
        if session.scalar(select(func.count()).select_from(ProcessVersion).where(
                ProcessVersion.model == "building_permit")) == 0:
            deploy_directory(session, settings.processes_dir, message="seed")
        staff = _staff(session)
    template_ids = {}
    for stage in templates.STAGES:
        with rt.db.unit_of_work() as session:
            users = {g: session.get(User, ids[0][0]) for g, ids in staff.items()}
            template_ids[stage] = templates.build(session, stage=stage, staff=users)
    with rt.db.unit_of_work(write=False) as session:
        version_id = session.scalar(select(func.max(ProcessVersion.id)).where(
            ProcessVersion.model == "building_permit"))
        found = {stage: templates.load(session, stage, cid) for stage, cid in template_ids.items()}
        version = session.get(ProcessVersion, version_id)
        prefix, number = process_info.of(version).reference_prefix, version.number
    tz = ZoneInfo(settings.timezone)
    ctx = writer.rows.Context(
        version_id=version_id, tz=tz, today=utcnow().astimezone(tz).date(), service_goals=settings.service_goals,
        default_goal_days=settings.service_goal_days, staff=staff,
        has_claimed_at="claimed_at" in HumanTask.__table__.c, prefix=prefix, version_number=number,
        survey_scale_max=settings.survey_scale_max, survey_valid_days=settings.survey_valid_days)
    return ctx, found


def _staff(session) -> dict[str, list[tuple[int, str]]]:
    """Seeded case workers per group (created once, with unusable random passwords)."""
    staff = {}
    for group, n in STAFF.items():
        staff[group] = []
        for i in range(1, n + 1):
            name = f"seed.{group}{i}"
            user = session.scalar(select(User).where(User.username == name))
            if user is None:
                user = user_service.create_user(session, username=name, roles=[], groups=[group],
                                                password=secrets.token_urlsafe(24), display_name=name,
                                                email=f"{name}@seed.example", actor="seed")
            staff[group].append((user.id, user.username))
    return staff

