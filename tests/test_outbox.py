"""E-mail leaves through the outbox after commit, to a real SMTP server (aiosmtpd)."""
from __future__ import annotations

from email.header import decode_header, make_header
from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.clock import clock
from app.models import OutboxMessage, OutboxStatus
from app.scheduler import deliver_outbox
from tests.conftest import Inbox, free_port
from tests.helpers import TRIAGE_COMPLETE, Api


def test_receipt_and_decision_are_mailed_after_commit(client, actors, rt, smtp):
    api = Api(client, actors)
    api.as_("applicant").submit(applicant_email="anna@example.se")
    assert smtp.messages == []  # nothing is sent from inside the request
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."})
    assert deliver_outbox(rt) == 3
    subjects = [str(make_header(decode_header(m["Subject"]))) for m in smtp.messages]
    assert [m["To"] for m in smtp.messages] == ["anna@example.se"] * 3
    assert subjects[0].startswith("Vi har tagit emot din ansökan (BYGG ")
    assert subjects[1].startswith("Mottagningsbevis") and "beviljas" in subjects[2]
    assert deliver_outbox(rt) == 0  # each message once


def test_unreachable_smtp_server_is_retried_later(client, actors, rt):
    api = Api(client, actors)
    api.as_("applicant").submit()
    rt.settings.smtp_port = free_port()  # nothing listens there
    assert deliver_outbox(rt) == 0
    with rt.db.unit_of_work(write=False) as s:
        [msg] = s.scalars(select(OutboxMessage)).all()
        assert msg.status == OutboxStatus.PENDING and msg.attempts == 1 and "cannot connect" in msg.last_error
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        rt.settings.smtp_port = controller.port
        assert deliver_outbox(rt) == 0  # backing off
        clock.advance(timedelta(minutes=3))
        assert deliver_outbox(rt) == 1 and len(handler.messages) == 1
    finally:
        controller.stop()
