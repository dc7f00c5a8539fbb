"""Local accounts: argon2 password hashes, roles and API tokens."""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import ApiToken, AuditEvent, Role, User

from . import audit
from . import groups as group_service
from .errors import Conflict, InvalidInput, NotFound, Unauthorized

_hasher = PasswordHasher()
ROLE_NAMES = [r.value for r in Role]
#: Longest typed user name kept from a refused sign-in.
TYPED_NAME_LIMIT = 150
ACTOR_LENGTH = AuditEvent.actor.type.length
USERNAME_LENGTH = User.username.type.length


def _role_errors(session: Session, roles: list[str]) -> list[dict]:
    bad = [r for r in roles if r not in ROLE_NAMES]
    if not bad:
        return []
    groups = [r for r in bad if group_service.find(session, r) is not None]
    if groups:
        return [{"field": "role", "message": f"{', '.join(groups)} is a group, not a role: put the user in the "
                                             f"group instead (roles are {', '.join(ROLE_NAMES)})"}]
    return [{"field": "role", "message": f"unknown role {', '.join(bad)}; choose from {', '.join(ROLE_NAMES)}"}]


def create_user(session: Session, *, username: str, roles: list[str], password: str,
                display_name: str | None = None, email: str | None = None, actor: str = "system",
                groups: list[str] = (), phone: str | None = None) -> User:
    """Create a local account with roles (rights) and work groups; refuse unknown ones and taken names."""
    errors = []
    if not username or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        errors.append({"field": "username", "message": "use letters, digits, '.', '-' or '_'"})
    errors += _role_errors(session, roles)
    found = [group_service.find(session, g) for g in groups]
    missing = [g for g, f in zip(groups, found, strict=True) if f is None]
    if missing:
        errors.append({"field": "group", "message": f"no group named {', '.join(missing)}"})
    if not roles and not groups:
        errors.append({"field": "role", "message": f"give the user a role ({', '.join(ROLE_NAMES)}) or a group"})
    if len(password) < 8:
        errors.append({"field": "password", "message": "at least 8 characters"})
    if phone and (len(phone) > 40 or not set(phone) <= set("0123456789+-() ")):
        errors.append({"field": "phone", "message": "digits, spaces, '+', '-' and brackets, at most 40"})
    if errors:
        raise InvalidInput(errors)
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"user {username!r} already exists")
    user = User(username=username, display_name=display_name or username, email=email, phone=phone or None,
                password_hash=_hasher.hash(password), roles_csv=",".join(sorted(set(roles))),
                created_at=utcnow())
    user.groups = sorted({g for g in found if g is not None}, key=lambda g: g.name)
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user.created",
                 details={"username": username, "roles": sorted(set(roles)), "groups": sorted(user.work_groups)})
    return user


def get_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def user_for_session(session: Session, session_id: str) -> User | None:
    """The active user whose sign-in session is ``session_id`` ("<id>.<generation>"), if it is still valid."""
    user_id, _, generation = session_id.partition(".")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    user = get_user(session, int(user_id))
    return user if user is not None and user.session_generation == int(generation) else None


def end_sessions(session: Session, *, user_id: int, reason: str = "auth.logout") -> None:
    """End every sign-in session of the user (their cookies stop working); audited as ``reason``."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    user.session_generation += 1
    audit.record(session, actor=user.username, action=reason)


def set_password(session: Session, *, username: str, password: str, actor: str = "system") -> User:
    """Give the user a new password; their sign-in sessions end."""
    if len(password) < 8:
        raise InvalidInput([{"field": "password", "message": "at least 8 characters"}])
    user = find_user(session, username)
    user.password_hash = _hasher.hash(password)
    user.session_generation += 1
    audit.record(session, actor=actor, action="user.password_changed", details={"username": username})
    return user


def all_users(session: Session) -> list[User]:
    """Every account, active ones first, by user name."""
    return list(session.scalars(select(User).order_by(User.deleted_at.is_not(None), User.username)))


def active_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.deleted_at.is_(None)).order_by(User.username)))


def display_names(session: Session, ids) -> dict[int, str]:
    """{user id: display name} for the given ids (missing ids are left out)."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.display_name or u.username for u in session.scalars(select(User).where(User.id.in_(ids)))}


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username, User.deleted_at.is_(None)))
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def authenticate(session: Session, *, username: str, password: str) -> User:
    """Return the user for a correct name and password, else raise ``Unauthorized``."""
    plausible = username.isprintable() and len(username) <= USERNAME_LENGTH  # else no account can have it
    user = session.scalar(select(User).where(User.username == username, User.deleted_at.is_(None))) \
        if plausible else None
    try:
        if user is None:
            _hasher.verify(_hasher.hash("timing-equaliser"), password + "x")  # same cost either way
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError, AttributeError):
        raise Unauthorized("wrong user name or password") from None
    audit.record(session, actor=user.username, action="auth.login")
    return user


def tidy_typed_name(typed: str) -> str:
    """A typed user name without control characters, cut to ``TYPED_NAME_LIMIT`` characters."""
    return "".join(ch for ch in typed if ch.isprintable()).strip()[:TYPED_NAME_LIMIT]


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def record_failed_login(session: Session, *, username: str) -> None:
    """Audit a refused sign-in (in its own transaction: the refused request itself is rolled back).

    Whatever was typed is kept only up to ``TYPED_NAME_LIMIT`` characters (the actor column holds the
    first 80 of them).
    """
    typed = tidy_typed_name(username)
    audit.record(session, actor=typed[:ACTOR_LENGTH] or "-", action="auth.login_failed",
                 details={"username": typed} if len(typed) > ACTOR_LENGTH else None)


def issue_token(session: Session, user: User) -> str:
    """Create an API token for ``user``; only its hash is stored."""
    token = "lotsen_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                         created_at=utcnow()))
    audit.record(session, actor=user.username, action="user.token_issued")
    return token


def user_for_token(session: Session, token: str) -> User:
    """The token's user (with its groups), in one query and the groups' one: every API request asks."""
    found = session.execute(select(User, ApiToken.revoked_at).join(ApiToken, ApiToken.user_id == User.id).where(
        ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest())).first()
    if found is None:
        raise Unauthorized("unknown token")
    user, revoked_at = found
    if not user.is_active:
        raise Unauthorized("the token's user has been deleted")
    if revoked_at is not None:
        raise Unauthorized("the token has been revoked")
    return user


def set_roles(session: Session, *, username: str, roles: list[str], actor: str = "system") -> User:
    """Replace a user's roles (audited); no roles at all is allowed (a member of groups only)."""
    errors = _role_errors(session, roles)
    if errors:
        raise InvalidInput(errors)
    user = find_user(session, username)
    before = sorted(user.roles)
    user.roles_csv = ",".join(sorted(set(roles)))
    audit.record(session, actor=actor, action="user.roles_changed",
                 details={"username": username, "before": before, "after": sorted(set(roles))})
    return user


def delete_user(session: Session, *, username: str, actor: str = "system") -> None:
    """Soft-delete: the account and its tokens stop working; history keeps the name."""
    user = find_user(session, username)
    user.deleted_at = utcnow()
    user.session_generation += 1
    for token in user.tokens:
        token.revoked_at = token.revoked_at or utcnow()
    audit.record(session, actor=actor, action="user.deleted", details={"username": username})


#: user name: (roles, groups, display name, e-mail[, direct phone])
DEMO_USERS = {
    "anna.applicant": (["applicant"], [], "Anna Andersson", "anna@example.se"),
    "carl.coordinator": ([], ["coordinator"], "Carl Coordinator", "carl@kommun.example", "010-123 45 61"),
    "olga.officer": ([], ["officer"], "Olga Officer", "olga@kommun.example", "010-123 45 62"),
    "rita.referee": ([], ["miljo"], "Rita Referee", "rita@kommun.example"),
    "tore.trafik": ([], ["trafik", "va"], "Tore Trafik", "tore@kommun.example"),
    "kim.kultur": ([], ["kulturmiljo"], "Kim Kultur", "kim@kommun.example"),
    "karin.committee": ([], ["committee"], "Karin Committee", "karin@kommun.example"),
    "petra.owner": (["process_owner"], [], "Petra Process-Owner", "petra@kommun.example"),
    "maja.manager": (["manager"], [], "Maja Manager", "maja@kommun.example"),
    "adam.admin": (["admin"], [], "Adam Admin", "adam@kommun.example"),
}


def ensure_demo_users(session: Session, password: str) -> list[tuple[str, str]]:
    """Create the demo groups and one demo user per role and group if missing; return (username, what)."""
    group_service.ensure_demo(session)
    out = []
    for username, (roles, groups, name, email, *phone) in DEMO_USERS.items():
        existing = session.scalar(select(User).where(User.username == username))
        if existing is None:
            create_user(session, username=username, roles=roles, groups=groups, password=password,
                        display_name=name, email=email, phone=phone[0] if phone else None)
        elif existing.deleted_at is None and not _password_matches(existing.password_hash, password):
            set_password(session, username=username, password=password)
        out.append((username, ", ".join(roles + groups)))
    return out
