"""Work groups as data: create, rename, retire, members; resolve the names diagrams use.

Rights are roles (``User.roles``); work is routed to groups. A lane or a
candidate group names a group by its ``name`` or by one of its titles, in any
letter case; the deploy records which group that is, so renaming a title later
never re-routes a running case.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Group, Role, User

from . import audit
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .forms import N_

NAME_PATTERN = re.compile(r"^[^\W_][\w .-]{0,39}$")
TITLE_MAX = 200
ROLE_NAMES = frozenset(r.value for r in Role)

#: The groups every installation starts with (revision 0006 creates them too).
STANDARD_GROUPS = (
    ("coordinator", "Byggkoordinator", "Coordinator"),
    ("officer", "Handläggare", "Case officer"),
    ("committee", "Nämndsekreterare", "Committee secretary"),
)
#: Departments that answer referrals in the demo set-up (names match triage.dmn's suggestions).
DEMO_DEPARTMENTS = (
    ("miljo", "Miljö", "Environment"),
    ("trafik", "Trafik", "Traffic"),
    ("va", "VA (vatten och avlopp)", "Water and sewage"),
    ("kulturmiljo", "Kulturmiljö", "Cultural heritage"),
)


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.has_role("admin"):
        raise Forbidden("only administrators manage groups")


def _actor_name(actor: User | None) -> str:
    return actor.username if actor is not None else "system"


def key(label: str) -> str:
    """How names and titles compare: letter case and surrounding space ignored."""
    return " ".join((label or "").split()).casefold()


def list_groups(session: Session, *, include_retired: bool = True) -> list[Group]:
    query = select(Group).order_by(Group.retired_at.is_not(None), Group.name)
    if not include_retired:
        query = query.where(Group.retired_at.is_(None))
    return list(session.scalars(query))


def find(session: Session, name: str) -> Group | None:
    return session.scalar(select(Group).where(func.lower(Group.name) == (name or "").strip().lower()))


def get(session: Session, name: str) -> Group:
    group = find(session, name)
    if group is None:
        raise NotFound(f"no group named {name!r}")
    return group


def labels(groups: Iterable[Group]) -> dict[str, str]:
    """{name or title, compared by ``key``: group name} for the given groups; names win over titles."""
    found: dict[str, str] = {}
    groups = list(groups)
    for g in groups:
        for title in (g.title_sv, g.title_en):
            found.setdefault(key(title), g.name)
    found.update({key(g.name): g.name for g in groups})
    return found


def resolve(session: Session, label: str, *, active_only: bool = True) -> Group | None:
    """The group a lane or candidate group means: by name first, then by its Swedish or English title."""
    group = find(session, label)
    if group is None:
        wanted = key(label)
        group = next((g for g in list_groups(session) if wanted in (key(g.title_sv), key(g.title_en))), None)
    if group is not None and active_only and group.retired:
        return None
    return group


def referral_departments(session: Session) -> list[Group]:
    """Active groups marked as referral departments, for the triage choice."""
    return [g for g in list_groups(session, include_retired=False) if g.referral_department]


def members(session: Session, group: Group) -> list[User]:
    return list(session.scalars(select(User).where(User.groups.contains(group), User.deleted_at.is_(None))
                                .order_by(User.username)))


def member_emails(session: Session, name: str) -> list[str]:
    """The addresses of a group's active members (for notices sent to ``group:<name>``)."""
    group = find(session, name)
    if group is None:
        return []
    return sorted({u.email for u in members(session, group) if u.email})


# ------------------------------------------------------------------ changes


def _text(value, field: str, errors: list[dict]) -> str:
    if not isinstance(value, str) or not value.strip():
        errors.append({"field": field, "message": N_("is required")})
        return ""
    value = " ".join(value.split())
    if len(value) > TITLE_MAX:
        errors.append({"field": field, "message": N_("at most 200 characters")})
    return value


def _name_errors(name) -> list[dict]:
    if not isinstance(name, str) or not name.strip():
        return [{"field": "name", "message": N_("is required")}]
    name = name.strip()
    if not NAME_PATTERN.match(name):
        return [{"field": "name", "message": N_("1–40 characters: letters, digits, spaces, '.', '-' or '_', "
                                                "starting with a letter or digit")}]
    if name.lower() in ROLE_NAMES:
        return [{"field": "name", "message": N_("this is a role (a right), not a group; choose another name")}]
    return []


def create_group(session: Session, *, actor: User | None, name, title_sv, title_en,
                 referral_department: bool = False) -> Group:
    """A new group; its name is fixed, its titles can change."""
    _require_admin(actor)
    errors = _name_errors(name)
    title_sv = _text(title_sv, "title_sv", errors)
    title_en = _text(title_en, "title_en", errors)
    if not isinstance(referral_department, bool):
        errors.append({"field": "referral_department", "message": N_("must be true or false")})
    if errors:
        raise InvalidInput(errors)
    name = name.strip()
    existing = find(session, name)
    if existing is not None:
        raise Conflict(f"a group named {existing.name!r} already exists")
    group = Group(name=name, title_sv=title_sv, title_en=title_en, referral_department=referral_department,
                  created_at=utcnow())
    session.add(group)
    session.flush()
    audit.record(session, actor=_actor_name(actor), action="group.created",
                 details={"group": name, "title_sv": title_sv, "title_en": title_en,
                          "referral_department": referral_department})
    return group


def _state(group: Group) -> dict:
    return {"title_sv": group.title_sv, "title_en": group.title_en,
            "referral_department": group.referral_department, "retired": group.retired}


def _changes(changes: dict) -> dict:
    """The checked new values among title_sv, title_en, referral_department and retired."""
    errors: list[dict] = []
    values = {}
    for field in ("title_sv", "title_en"):
        if field in changes:
            values[field] = _text(changes[field], field, errors)
    for field in ("referral_department", "retired"):
        if field in changes:
            if not isinstance(changes[field], bool):
                errors.append({"field": field, "message": N_("must be true or false")})
            values[field] = changes[field]
    if errors:
        raise InvalidInput(errors)
    return values


def update_group(session: Session, *, actor: User | None, name: str, changes: dict) -> Group:
    """Rename (titles), mark or unmark as a referral department, retire or reinstate."""
    _require_admin(actor)
    group = get(session, name)
    values = _changes(changes)
    before = _state(group)
    for field in ("title_sv", "title_en", "referral_department"):
        if field in values:
            setattr(group, field, values[field])
    if "retired" in values and values["retired"] != group.retired:
        group.retired_at = utcnow() if values["retired"] else None
    if _state(group) != before:
        audit.record(session, actor=_actor_name(actor), action="group.changed",
                     details={"group": group.name, "before": before, "after": _state(group)})
    session.flush()
    return group


def add_member(session: Session, *, actor: User | None, name: str, username) -> Group:
    """Put a user in a group (nothing changes if they already are)."""
    _require_admin(actor)
    group = get(session, name)
    user = _user(session, username)
    if group not in user.groups:
        user.groups.append(group)
        session.flush()
        audit.record(session, actor=_actor_name(actor), action="group.member_added",
                     details={"group": group.name, "username": user.username})
    return group


def remove_member(session: Session, *, actor: User | None, name: str, username) -> Group:
    _require_admin(actor)
    group = get(session, name)
    user = _user(session, username)
    if group not in user.groups:
        raise NotFound(f"{user.username} is not in the group {group.name!r}")
    user.groups.remove(group)
    session.flush()
    audit.record(session, actor=_actor_name(actor), action="group.member_removed",
                 details={"group": group.name, "username": user.username})
    return group


def set_memberships(session: Session, *, actor: User | None, username: str, names: Iterable[str]) -> User:
    """Replace a user's groups (the user page's check boxes)."""
    _require_admin(actor)
    user = _user(session, username)
    wanted = []
    for name in names:
        group = find(session, name)
        if group is None:
            raise InvalidInput([{"field": "group", "message": f"no group named {name!r}"}])
        wanted.append(group)
    before = sorted(user.work_groups)
    user.groups = sorted(set(wanted), key=lambda g: g.name)
    session.flush()
    if sorted(user.work_groups) != before:
        audit.record(session, actor=_actor_name(actor), action="user.groups_changed",
                     details={"username": user.username, "before": before, "after": sorted(user.work_groups)})
    return user


def _user(session: Session, username) -> User:
    if not isinstance(username, str) or not username.strip():
        raise InvalidInput([{"field": "username", "message": N_("is required")}])
    user = session.scalar(select(User).where(User.username == username.strip(), User.deleted_at.is_(None)))
    if user is None:
        raise NotFound(f"no user named {username.strip()!r}")
    return user


def ensure(session: Session, rows: Iterable[tuple[str, str, str]], *, referral_department: bool = False) -> None:
    """Create the given (name, title_sv, title_en) groups that do not exist yet."""
    for name, title_sv, title_en in rows:
        if find(session, name) is None:
            create_group(session, actor=None, name=name, title_sv=title_sv, title_en=title_en,
                         referral_department=referral_department)


def ensure_standard(session: Session) -> None:
    ensure(session, STANDARD_GROUPS)


def ensure_demo(session: Session) -> None:
    """The standard groups and the demo referral departments."""
    ensure(session, STANDARD_GROUPS)
    ensure(session, DEMO_DEPARTMENTS, referral_department=True)
