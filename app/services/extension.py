"""Extending the statutory deadline: the officer's decision (the rules are in ``extension_rules``).

However the extension is taken (the case page, the API or the process's
"consider extension" task), it runs the same ``extend_deadline`` handler, so
the applicant always gets the letter about it.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, User
from handlers.i18n import N_

from handlers import REGISTRY
from handlers.registry import HandlerContext

from . import clocks, incidents, runner
from .cases import get_case
from .env import get_env
from .errors import CaseClosed, Forbidden
from .extension_rules import check, may_extend

def may_extend_case(session: Session, *, actor: User, case_id: int) -> Case:
    """The case, if ``actor`` may decide its extension; otherwise the refusal."""
    case = get_case(session, actor=actor, case_id=case_id)
    if not may_extend(actor):
        raise Forbidden(N_("only case officers and coordinators decide extensions"))
    return case


def extend(session: Session, *, actor: User, case_id: int, reason: str, weeks=None) -> clocks.Clocks:
    """An officer's decision to extend the statutory deadline, taken from the case page or the API."""
    case = may_extend_case(session, actor=actor, case_id=case_id)
    if case.completed_at is not None:
        raise CaseClosed(N_("the case is closed"))
    incidents.ensure_actionable(session, case)
    check(session, case, reason, weeks)  # refuse before touching the workflow
    settings = get_env(session).settings

    def act(wf, events, host):
        ctx = HandlerContext(case_id=case.id, reference=case.reference, element_id="extension", now=utcnow(),
                             data=dict(case.facts or {}), settings=settings.handler_settings(), host=host)
        REGISTRY["extend_deadline"].fn(ctx, reason=reason, weeks=weeks)

    runner.apply(session, case, act, actor=actor.username)
    return clocks.clocks_for(session, case)
