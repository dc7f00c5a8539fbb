"""The outbox: e-mails written with the transaction that caused them, sent later by a sender.

A row's life: ``pending`` -> claimed by one sender (``claimed_by``) -> ``sent``;
or, when an attempt fails, pending again with the error and a later
``next_attempt_at`` (the wait doubles each time), until it becomes a dead
letter (``failed``) after ``outbox_max_attempts``; an administrator can retry
it. A claim whose sender died is given up after ``outbox_claim_timeout_s``.

These functions work in the caller's transaction and never commit; the
sender (``app.mailer``) gives each step a short transaction of its own and
talks to the SMTP server outside any transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from app.clock import utcnow
from app.config import Settings
from app.models import Document, OutboxMessage, OutboxStatus, User

from . import appeal_period, audit, letters
from .env import get_env
from .errors import N_, Conflict, Forbidden, InvalidInput, NotFound

#: How the administrator's list names the statuses (and filters by them).
STATUSES = tuple(s.value for s in OutboxStatus)

#: Why an attempt failed. A stored error is ``"<reason>: <technical detail>"``; the administrator's page
#: shows the reason in the reader's language and the detail (the mail server's own words) after it.
CONNECT = "cannot connect to the mail server"
BROKEN = "the connection to the mail server broke"
REFUSED = "the mail server refused the e-mail"
COMPOSE = "cannot compose the e-mail"
REASONS = {
    CONNECT: N_("Could not connect to the mail server."),
    BROKEN: N_("The connection to the mail server broke."),
    REFUSED: N_("The mail server refused the e-mail."),
    COMPOSE: N_("The e-mail could not be put together: its letter could not be made into a PDF."),
}


def failure(reason: str, detail: str) -> str:
    """The error to store for a failed attempt."""
    if reason not in REASONS:
        raise ValueError(f"unknown outbox failure reason {reason!r}")
    return f"{reason}: {detail}"


def explain(error: str | None) -> tuple[str | None, str]:
    """A stored error as (the reason's message to translate, or None if unknown; the technical detail)."""
    reason, _, detail = (error or "").partition(": ")
    return (REASONS[reason], detail) if reason in REASONS else (None, error or "")


def claim(session: Session, *, worker: str, settings: Settings, now: datetime | None = None) -> list[int]:
    """Claim up to a batch of due e-mails for ``worker``; their ids, oldest first.

    One statement: ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP
    LOCKED)`` on PostgreSQL, so two senders never claim the same row and
    neither waits for the other; on SQLite the single writer makes the same
    UPDATE atomic.
    """
    now = now or utcnow()
    given_up = now - timedelta(seconds=settings.outbox_claim_timeout_s)
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now,
                  or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < given_up))
           .order_by(OutboxMessage.id).limit(settings.outbox_batch_size)
           .with_for_update(skip_locked=True))
    claimed = session.scalars(
        update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(claimed_by=worker, claimed_at=now).returning(OutboxMessage.id)
        .execution_options(synchronize_session=False))
    return sorted(claimed)


def header_message_id(message: OutboxMessage, settings: Settings) -> str:
    """The e-mail's Message-ID, the same on every attempt, so a receiver can drop a repeat."""
    domain = settings.mail_from.rpartition("@")[2] or "lotsen.invalid"
    return f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S%f}@{domain}>"


def compose(session: Session, *, message_id: int, settings: Settings) -> EmailMessage:
    """The e-mail of one outbox row (read in a short read-only transaction, outside any request).

    Anything the e-mail carries besides the row's text (a letter's PDF) is
    made and attached here, off the request's hot path.
    """
    message = session.get(OutboxMessage, message_id)
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = header_message_id(message, settings)
    email["X-Lotsen-Case"] = str(message.case_id or "")
    email.set_content(message.body)
    if message.document_id is not None:  # a letter goes along as its PDF
        doc = session.get(Document, message.document_id)
        email.add_attachment(letters.pdf_path(session, doc).read_bytes(), maintype="application", subtype="pdf",
                             filename=doc.filename)
    return email


def mark_sent(session: Session, *, message_id: int, worker: str) -> bool:
    """Record a delivery; False if the claim was given up meanwhile (the sender was too slow).

    A decision letter e-mailed to a party serves it on them that day (the appeal period runs from it).
    """
    sent_at = utcnow()
    done = session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker)
        .values(status=OutboxStatus.SENT, sent_at=sent_at, attempts=OutboxMessage.attempts + 1,
                claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)).rowcount == 1
    row = session.execute(select(OutboxMessage.document_id, OutboxMessage.recipient)
                          .where(OutboxMessage.id == message_id)).one_or_none()
    if done and row is not None and row.document_id is not None:
        appeal_period.served_by_email(session, row.document_id, row.recipient, sent_at)
    return done


def mark_failed(session: Session, *, message_id: int, worker: str, error: str, settings: Settings,
                permanent: bool = False) -> None:
    """Record a failed attempt: try again later, or give up (a dead letter) after the last attempt or
    when the server's answer is ``permanent``."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.claimed_by != worker:
        return
    message.attempts += 1
    message.last_error = error[:2000]
    message.claimed_by = message.claimed_at = None
    if permanent or message.attempts >= settings.outbox_max_attempts:
        message.status = OutboxStatus.FAILED
    else:
        message.next_attempt_at = utcnow() + retry_delay(message.attempts, settings)


def retry_delay(attempts: int, settings: Settings) -> timedelta:
    return timedelta(seconds=settings.outbox_retry_base_s * 2 ** min(max(attempts - 1, 0), 10))


def release(session: Session, *, message_ids: list[int], worker: str) -> None:
    """Give back claimed e-mails that were not attempted (the connection broke before them)."""
    if message_ids:
        session.execute(update(OutboxMessage)
                        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.claimed_by == worker)
                        .values(claimed_by=None, claimed_at=None).execution_options(synchronize_session=False))


# ------------------------------------------------------------------ the administrator's view


@dataclass(frozen=True)
class Page:
    messages: list[OutboxMessage]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def require_admin(actor: User) -> None:
    if not actor.has_role("admin"):
        raise Forbidden("only administrators may see the outbox")


def parse_status(value: str | None) -> OutboxStatus | None:
    if not value:
        return None
    if value not in STATUSES:
        raise InvalidInput([{"field": "status", "message": f"choose one of {', '.join(STATUSES)}"}])
    return OutboxStatus(value)


def list_messages(session: Session, *, actor: User, status: OutboxStatus | None = None, page: int = 1,
                  per_page: int = 50) -> Page:
    """The outbox, newest first, one page at a time."""
    require_admin(actor)
    if page < 1 or not 1 <= per_page <= 200:
        raise InvalidInput([{"field": "page" if page < 1 else "per_page",
                             "message": "page starts at 1; per_page is 1 to 200"}])
    query = select(OutboxMessage)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.options(selectinload(OutboxMessage.case), selectinload(OutboxMessage.document))
                           .order_by(OutboxMessage.id.desc())
                           .offset((page - 1) * per_page).limit(per_page))
    return Page(list(rows), total, page, per_page)


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    found = {status.value: n for status, n in rows}
    return {s: found.get(s, 0) for s in STATUSES}


def retry(session: Session, *, actor: User, message_id: int) -> OutboxMessage:
    """Send a failed (or waiting) e-mail again at the next round, with a fresh count of attempts."""
    require_admin(actor)
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(N_("there is no such e-mail in the outbox"))
    if message.status == OutboxStatus.SENT:
        raise Conflict(N_("the e-mail was already sent"))
    settings = get_env(session).settings
    if message.claimed_at is not None and message.claimed_at >= utcnow() - timedelta(
            seconds=settings.outbox_claim_timeout_s):
        raise Conflict(N_("the e-mail is being sent right now; look again in a moment"))
    before = {"status": message.status.value, "attempts": message.attempts, "last_error": message.last_error}
    message.status, message.attempts, message.next_attempt_at = OutboxStatus.PENDING, 0, utcnow()
    audit.record(session, actor=actor.username, action="outbox.retried", case_id=message.case_id,
                 details={"message": message.id, "before": before})
    return message
