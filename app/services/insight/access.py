"""Who sees the insight figures: managers, administrators and process owners."""
from __future__ import annotations

from app.models import User

from ..errors import Forbidden, N_

INSIGHT_ROLES = ("manager", "admin", "process_owner")


def may_see(user: User) -> bool:
    return any(user.has_role(role) for role in INSIGHT_ROLES)


def ensure_may_see(user: User) -> None:
    if not may_see(user):
        raise Forbidden(N_("only managers, process owners and administrators see the insight figures"))
