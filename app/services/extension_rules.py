"""When the statutory deadline may be extended: once, by at most the original length, with a reason, before it passes.

PBL 9 kap. 27 §. The rules are checked the same way whether the extension is
taken from the case page, the API or the process's own handler.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Case, User
from handlers.i18n import N_

from . import clocks
from .errors import InvalidInput

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
