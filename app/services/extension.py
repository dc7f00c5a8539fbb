"""Extending the statutory deadline: once, by at most the original length, with a reason, before it passes.

However the extension is taken (the case page, the API or the process's
"consider extension" task), it runs the same ``extend_deadline`` handler, so
the applicant always gets the letter about it.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, User
from handlers.i18n import N_

from . import clocks, incidents, runner
from .env import get_env
from .errors import CaseClosed, Forbidden, InvalidInput

#: Groups whose members decide extensions (administrators may too).
EXTENDING_GROUPS = frozenset({"officer", "coordinator"})
#: Phrases that name lack of staff, which the law does not accept as a reason.
STAFF_SHORTAGE_WORDS = ("resursbrist", "personalbrist", "lack of staff", "staff shortage", "hög arbetsbelastning")


def may_extend(user: User) -> bool:
    return bool(user.work_groups & EXTENDING_GROUPS) or user.has_role("admin")


def _refuse(message: str, field: str = "extension_reason") -> InvalidInput:
    return InvalidInput([{"field": field, "message": message}])


def parse_weeks(raw, clock: clocks.Clocks) -> int:
    """The chosen length in whole weeks: 1 up to the original time limit (10, anmälan 4)."""
    longest = clock.statutory_weeks
    if raw is None or raw == "":
        return longest
    try:
        if isinstance(raw, bool):
            raise ValueError(raw)
        weeks = int(raw)
    except (TypeError, ValueError):
        raise _refuse(N_("must be a whole number of weeks from 1 to %(n)s", n=longest), "extension_weeks") from None
    if isinstance(raw, float) and raw != weeks or not 1 <= weeks <= longest:
        raise _refuse(N_("must be a whole number of weeks from 1 to %(n)s (PBL 9 kap. 27 §: at most as long "
                         "as the original time limit)", n=longest), "extension_weeks")
    return weeks


def check(session: Session, case: Case, reason: str, weeks=None) -> tuple[clocks.Clocks, int]:
    """Refuse an extension the law does not allow; return the clocks and the chosen weeks if it may be made."""
    clock = clocks.clocks_for(session, case)
    return clock, check_clock(clock, reason, weeks)


def check_clock(clock: clocks.Clocks, reason: str, weeks=None) -> int:
    """Refuse an extension of a case with these clocks that the law does not allow; else the chosen weeks."""
    reason = (reason or "").strip()
    if not reason:
        raise _refuse(N_("an extension needs a recorded reason"))
    if any(word in reason.lower() for word in STAFF_SHORTAGE_WORDS):
        raise _refuse(N_("lack of staff is not a valid reason for an extension"))
    if clock.decided_on is not None:
        raise _refuse(N_("the case is already decided"))
    if clock.statutory_due is None:
        raise _refuse(N_("the statutory clock is not running, so there is nothing to extend"))
    if clock.extended:
        raise _refuse(N_("the deadline has already been extended once; it cannot be extended again"))
    if clock.days_left is not None and clock.days_left < 0:
        raise _refuse(N_("the deadline %(due)s has passed; an extension must be decided before it",
                         due=clock.statutory_due.isoformat()))
    return parse_weeks(weeks, clock)


def extend(session: Session, *, actor: User, case_id: int, reason: str, weeks=None) -> clocks.Clocks:
    """An officer's decision to extend the statutory deadline, taken from the case page or the API."""
    from handlers import REGISTRY
    from handlers.registry import HandlerContext

    from .cases import get_case

    case = get_case(session, actor=actor, case_id=case_id)
    if not may_extend(actor):
        raise Forbidden(N_("only case officers and coordinators decide extensions"))
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
