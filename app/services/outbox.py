"""Delivering outbox e-mails after commit, with retries and back-off."""
from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Document, OutboxMessage, OutboxStatus

from . import letters
from .env import get_env

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def pending(session: Session, limit: int = 50) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.id).limit(limit)))


def deliver(session: Session, limit: int = 50) -> tuple[int, int]:
    """Send due messages by SMTP; return (sent, failed attempts)."""
    settings = get_env(session).settings
    sent = failed = 0
    batch = pending(session, limit)
    if not batch:
        return 0, 0
    try:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10)
    except OSError as exc:
        for message in batch:
            _failed(message, f"cannot connect to {settings.smtp_host}:{settings.smtp_port}: {exc}")
        return 0, len(batch)
    with smtp:
        for message in batch:
            try:
                email = _email(session, message, settings.mail_from)
            except Exception as exc:  # a letter whose PDF cannot be made waits for a fix, the rest go on
                log.exception("outbox message %s: cannot attach its letter", message.id)
                _failed(message, f"cannot attach the letter: {exc}")
                failed += 1
                continue
            try:
                smtp.send_message(email)
            except smtplib.SMTPException as exc:
                _failed(message, str(exc))
                failed += 1
                continue
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            message.attempts += 1
            sent += 1
    return sent, failed


def _email(session: Session, message: OutboxMessage, sender: str) -> EmailMessage:
    """The e-mail of an outbox message; a letter goes along as its PDF (made here, off the request path)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["X-Lotsen-Case"] = str(message.case_id or "")
    email.set_content(message.body)
    if message.document_id is not None:
        doc = session.get(Document, message.document_id)
        email.add_attachment(letters.pdf_path(session, doc).read_bytes(), maintype="application", subtype="pdf",
                             filename=doc.filename)
    return email


def _failed(message: OutboxMessage, error: str) -> None:
    message.attempts += 1
    message.last_error = error
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
    message.next_attempt_at = utcnow() + timedelta(minutes=2 ** min(message.attempts, 10))
