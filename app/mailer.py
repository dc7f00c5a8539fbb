"""The outbox sender: claim, commit, send outside any transaction, record each result at once.

1. Claim a batch of due e-mails in a short transaction and commit, so another
   sender (a second scheduler) skips them and no writer waits for SMTP.
2. Send each e-mail with no transaction open. Its Message-ID comes from the
   outbox row, so every attempt carries the same one.
3. Record each result in a short transaction of its own right after the
   attempt: a connection that breaks half-way loses nothing already sent,
   and only the e-mail in flight is tried again (with the same Message-ID,
   by which a receiver recognises a repeat). The e-mails after it are given
   back unattempted for the next round.

A sender that dies between claim and result leaves its claims behind; they
are given up after ``outbox_claim_timeout_s`` and sent then.
"""
from __future__ import annotations

import logging
import os
import secrets
import smtplib
import socket
from dataclasses import dataclass

from app.config import Settings
from app.db import Database
from app.services import outbox

log = logging.getLogger(__name__)


@dataclass
class Report:
    sent: int = 0
    failed: int = 0


def claim_token() -> str:
    """Who holds a claim: this host and process, and this round."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}:{secrets.token_hex(4)}"


def deliver_due(db: Database, settings: Settings) -> Report:
    """Send the e-mails that are due now; how many were sent and how many attempts failed."""
    worker = claim_token()
    with db.unit_of_work() as session:
        ids = outbox.claim(session, worker=worker, settings=settings)
    report = Report()
    if not ids:
        return report
    try:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_s)
    except OSError as exc:
        error = outbox.failure(outbox.CONNECT, f"{settings.smtp_host}:{settings.smtp_port}: {exc}")
        for message_id in ids:
            _failed(db, settings, message_id, worker, error)
        report.failed = len(ids)
        return report
    try:
        _send_batch(db, settings, smtp, ids, worker, report)
    finally:
        _quit(smtp)
    return report


def _send_batch(db: Database, settings: Settings, smtp: smtplib.SMTP, ids: list[int], worker: str,
                report: Report) -> None:
    for position, message_id in enumerate(ids):
        sent, connection_ok = _send_one(db, settings, smtp, message_id, worker)
        report.sent += sent
        report.failed += not sent
        if not connection_ok:
            with db.unit_of_work() as session:
                outbox.release(session, message_ids=ids[position + 1:], worker=worker)
            return


def _send_one(db: Database, settings: Settings, smtp: smtplib.SMTP, message_id: int,
              worker: str) -> tuple[bool, bool]:
    """Attempt one e-mail; (sent, the connection is still usable)."""
    try:
        with db.unit_of_work(write=False) as session:
            email = outbox.compose(session, message_id=message_id, settings=settings)
    except Exception as exc:  # e.g. a letter whose PDF cannot be made: it waits for a fix, the rest go on
        log.exception("outbox message %s cannot be composed", message_id)
        _failed(db, settings, message_id, worker, outbox.failure(outbox.COMPOSE, str(exc)))
        return False, True
    try:
        smtp.send_message(email)
    except smtplib.SMTPServerDisconnected as exc:
        _failed(db, settings, message_id, worker, outbox.failure(outbox.BROKEN, str(exc)))
        return False, False
    except smtplib.SMTPException as exc:  # the server answered with an error
        _failed(db, settings, message_id, worker, outbox.failure(outbox.REFUSED, _describe(exc)),
                permanent=_permanent(exc))
        return False, getattr(exc, "smtp_code", None) != 421  # 421: the server is closing the connection
    except OSError as exc:  # (SMTPException is an OSError too, hence this order)
        _failed(db, settings, message_id, worker, outbox.failure(outbox.BROKEN, str(exc)))
        return False, False
    with db.unit_of_work() as session:
        if not outbox.mark_sent(session, message_id=message_id, worker=worker):
            log.warning("outbox message %s was sent after its claim was given up", message_id)
    return True, True


def _failed(db: Database, settings: Settings, message_id: int, worker: str, error: str,
            permanent: bool = False) -> None:
    with db.unit_of_work() as session:
        outbox.mark_failed(session, message_id=message_id, worker=worker, error=error, settings=settings,
                           permanent=permanent)


def _permanent(exc: smtplib.SMTPException) -> bool:
    """A 5xx answer (e.g. no such mailbox) will not change by trying again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600


def _describe(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{who}: {code} {_text(reply)}" for who, (code, reply) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return str(exc)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
