"""Local accounts and API tokens."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .group import Group, group_membership


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    #: A direct phone number applicants see when this user is their case's contact.
    phone: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(200))
    #: Comma-separated role names (see ``Role``): rights, few and fixed, read together.
    roles_csv: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]
    #: Part of every sign-in session; raised on logout, password change and deletion, which ends all of them.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")
    #: Loaded with the user and detached with it: a user handed out by authentication still knows its groups.
    groups: Mapped[list[Group]] = relationship(secondary=group_membership, lazy="selectin", order_by=Group.name,
                                               cascade="save-update, merge, expunge")

    @property
    def roles(self) -> set[str]:
        return {r for r in self.roles_csv.split(",") if r}

    @property
    def work_groups(self) -> set[str]:
        """The names of the groups whose tasks this user works (rights are roles, work goes to groups)."""
        return {g.name for g in self.groups}

    @property
    def is_staff(self) -> bool:
        """Anyone in a work group, or with a role besides applicant, works for the municipality."""
        return bool(self.groups) or bool(self.roles - {"applicant"})

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """What the session cookie holds: the id and the session generation (see ``session_generation``)."""
        return f"{self.id}.{self.session_generation}"

    def has_role(self, role: str) -> bool:
        return role in self.roles


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: sha256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")
