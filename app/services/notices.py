"""The public notice board (anslagstavla) and where notices are published.

Since 2025-12-01 (prop. 2024/25:169) kungörelser and notices to neighbours are
published on the municipality's digital notice board; for applications that
arrived before that day they were published in Post- och Inrikes Tidningar,
which Lotsen records as the channel (nothing to show on the board). The
channel follows the application's arrival date (setting ``rules_change_date``).

A notice shows only what it needs: the date, the case reference, the
property, what was decided or is proposed, how to appeal or respond, and until
when. It is taken down (no longer listed) when its period ends.
"""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, Notice

from . import audit
from .env import get_env
from .errors import InvalidInput

BOARD = "anslagstavla"
POIT = "post_och_inrikes_tidningar"
KINDS = ("decision", "neighbour_notice")


def _today(session: Session) -> date:
    return utcnow().astimezone(ZoneInfo(get_env(session).settings.timezone)).date()


def channel_for(session: Session, case: Case) -> str:
    """Where the case's notices are published: by the day the application arrived."""
    settings = get_env(session).settings
    arrived = case.created_at.astimezone(ZoneInfo(settings.timezone)).date()
    return BOARD if arrived >= date.fromisoformat(settings.rules_change_date) else POIT


def post_notice(session: Session, *, case: Case, kind: str, title: str, text: str, until: date,
                actor: str = "system") -> Notice:
    """Publish a notice for ``case`` from today until ``until`` (inclusive), in the case's channel.

    ``title`` says what was decided or is proposed (no names: the board shows
    no personal data beyond what the notice needs); ``text`` how to appeal or
    respond and by when.
    """
    if kind not in KINDS:
        raise InvalidInput([{"field": "kind", "message": f"must be one of {', '.join(KINDS)}"}])
    today = _today(session)
    if until < today:
        raise InvalidInput([{"field": "until", "message": f"must not be before today ({today.isoformat()})"}])
    notice = Notice(case_id=case.id, kind=kind, channel=channel_for(session, case), reference=case.reference or "",
                    property_designation=case.property_designation, title=title.strip(), text=text.strip(),
                    posted_on=today, until=until, created_at=utcnow())
    session.add(notice)
    session.flush()
    audit.record(session, actor=actor, action="notice.published", case_id=case.id,
                 details={"notice": notice.id, "kind": kind, "channel": notice.channel, "until": until.isoformat()})
    return notice


def on_board(session: Session) -> list[Notice]:
    """The notices on the board today: newest first; those whose period has ended are taken down."""
    today = _today(session)
    return list(session.scalars(select(Notice).where(
        Notice.channel == BOARD, Notice.posted_on <= today, Notice.until >= today)
        .order_by(Notice.posted_on.desc(), Notice.id.desc())))


def of_case(session: Session, case: Case) -> list[Notice]:
    return list(session.scalars(select(Notice).where(Notice.case_id == case.id).order_by(Notice.id)))
