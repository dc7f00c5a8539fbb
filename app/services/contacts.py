"""The case's named contact (the lots): one person at the municipality the applicant can reach.

By default the first staff member who completes a task on the case becomes its contact — in the building
permit process the coordinator who triaged it. Staff can hand the case to someone else. Until then the
applicant sees the authority's own address and phone.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Case, User

from . import audit
from .env import get_env
from .errors import N_, CaseNotFound, Forbidden, InvalidInput


def contact_of(session: Session, case: Case) -> dict:
    """``{"name", "email", "phone"}`` of the case's contact, or of the authority while it has none."""
    authority = get_env(session).settings.authority()
    person = case.contact
    if person is None or not person.is_active:
        return {"name": authority["name"], "email": authority["email"], "phone": authority["phone"],
                "named": False}
    return {"name": person.display_name, "email": person.email or authority["email"],
            "phone": person.phone or authority["phone"], "named": True}


def adopt_default(case: Case, user: User) -> bool:
    """Make ``user`` the case's contact if it has none and they are staff; True when it happened."""
    if case.contact_id is not None or not user.is_staff:
        return False
    case.contact_id = user.id
    return True


def set_contact(session: Session, *, actor: User, case_id: int, username: str) -> Case:
    """Hand the case to another staff member as its contact (audited)."""
    if not actor.is_staff:
        raise Forbidden("only staff may change a case's contact")
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(f"no case with id {case_id}")
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or not user.is_active:
        raise InvalidInput([{"field": "username", "message": N_("no active user with this name")}])
    if not user.is_staff:
        raise InvalidInput([{"field": "username", "message": N_("the contact must be a member of staff")}])
    before = case.contact.username if case.contact else None
    case.contact_id = user.id
    session.flush()
    session.expire(case, ["contact"])
    audit.record(session, actor=actor.username, action="case.contact_changed", case_id=case.id,
                 details={"from": before, "to": user.username})
    return case


def staff_choices(session: Session) -> list[User]:
    """Active staff members, by name, to choose a contact from."""
    users = session.scalars(select(User).where(User.deleted_at.is_(None)).order_by(User.display_name))
    return [u for u in users if u.is_staff]
