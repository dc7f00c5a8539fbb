"""Where a case stands for its applicant: whose turn it is, what happens next, when a decision is expected.

The expected decision date is the municipality's service-goal day (which moves on by every day the case
waits for the applicant), never later than the statutory deadline while that runs, and never in the past.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.models import Case, CaseStatus

from .clocks import Clocks
from .errors import N_

MUNICIPALITY, APPLICANT = "municipality", "applicant"

#: What happens next, in the applicant's words, by where the case stands.
NEXT_STEP = {
    CaseStatus.RECEIVED: N_("We have received your application and will check that it is complete."),
    CaseStatus.IN_TRIAGE: N_("A coordinator checks that your application is complete and decides how it is "
                             "handled."),
    CaseStatus.AWAITING_SUPPLEMENT: N_("We are waiting for the supplement we asked you for. When it arrives we "
                                       "continue with your application."),
    CaseStatus.IN_REVIEW: N_("A case officer reviews your application against the plan and the rules."),
    CaseStatus.AWAITING_REFERRALS: N_("We have asked other departments or authorities for their views on your "
                                      "application."),
    CaseStatus.NEIGHBOUR_HEARING: N_("Neighbours and others concerned have been given the chance to comment on "
                                     "your application."),
    CaseStatus.AWAITING_DECISION: N_("The decision on your application is being prepared."),
    CaseStatus.AWAITING_COMMITTEE: N_("The building committee decides on your application at one of its "
                                      "meetings."),
    CaseStatus.DECIDED: N_("The decision is made. It gains legal force if nobody appeals it in time."),
}


@dataclass(frozen=True)
class Outlook:
    #: "municipality" or "applicant"; None once the case is decided or closed.
    turn: str | None
    #: When a decision can be expected; None once decided or closed.
    expected_decision_date: date | None
    #: A sentence from the message catalogue (translate it when showing it), or None.
    next_step: str | None


def outlook(case: Case, clocks: Clocks, *, today: date) -> Outlook:
    decided = clocks.decided_on is not None or case.outcome is not None
    if decided or case.completed_at is not None:
        return Outlook(turn=None, expected_decision_date=None,
                       next_step=NEXT_STEP[CaseStatus.DECIDED] if case.status == CaseStatus.DECIDED else None)
    waiting = clocks.awaiting_remedy or case.status == CaseStatus.AWAITING_SUPPLEMENT
    return Outlook(turn=APPLICANT if waiting else MUNICIPALITY,
                   expected_decision_date=expected_decision_date(clocks, today=today),
                   next_step=NEXT_STEP.get(case.status))


def expected_decision_date(clocks: Clocks, *, today: date) -> date | None:
    expected = clocks.service_goal_due or clocks.statutory_due
    if expected is None:
        return None
    if clocks.statutory_due is not None:
        expected = min(expected, clocks.statutory_due)
    return max(expected, today)
