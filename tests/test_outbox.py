"""E-mail leaves through the outbox after commit, to a real SMTP server (aiosmtpd), each mail once."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.clock import clock, utcnow
from app.models import OutboxMessage, OutboxStatus
from app.scheduler import deliver_outbox
from app.services import outbox
from tests.helpers import TRIAGE_COMPLETE, Api
from tests.smtp import Inbox, free_port, smtp_server


def queue_mails(rt, n: int, recipient: str = "anna@example.se") -> list[int]:
    """``n`` e-mails in the outbox, as a case's steps write them."""
    with rt.db.unit_of_work() as s:
        rows = [OutboxMessage(kind="notice", recipient=recipient, subject=f"Meddelande {i + 1}", body="Hej!",
                              status=OutboxStatus.PENDING, attempts=0, created_at=utcnow(),
                              next_attempt_at=utcnow()) for i in range(n)]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]


def rows(rt) -> dict[int, OutboxMessage]:
    """The outbox rows as they are now (detached copies)."""
    with rt.db.unit_of_work(write=False) as s:
        found = {m.id: m for m in s.scalars(select(OutboxMessage))}
        s.expunge_all()
        return found


def test_receipt_and_decision_are_mailed_after_commit(client, actors, rt, smtp):
    api = Api(client, actors)
    api.as_("applicant").submit(applicant_email="anna@example.se")
    assert smtp.messages == []  # nothing is sent from inside the request
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."})
    assert deliver_outbox(rt) == 3
    subjects = smtp.subjects()
    assert [m["To"] for m in smtp.messages] == ["anna@example.se"] * 3
    assert subjects[0].startswith("Vi har tagit emot din ansökan (BYGG ")
    assert subjects[1].startswith("Mottagningsbevis") and "beviljas" in subjects[2]
    assert deliver_outbox(rt) == 0  # each message once


def test_each_mail_carries_a_message_id_of_its_own_that_a_retry_repeats(rt):
    [first, second] = queue_mails(rt, 2)
    with smtp_server(Inbox(break_at=2)) as (handler, port):
        rt.settings.smtp_port = port
        assert deliver_outbox(rt) == 1  # the connection broke during the second
        clock.advance(timedelta(minutes=5))
        assert deliver_outbox(rt) == 1
    ids = [m["Message-ID"] for m in handler.messages]
    assert len(set(ids)) == 2 and all(i.startswith("<outbox-") and i.endswith("@kommun.example>") for i in ids)
    with rt.db.unit_of_work(write=False) as s:
        expected = outbox.header_message_id(s.get(OutboxMessage, second), rt.settings)
    assert ids[1] == expected  # the retry of the second e-mail carries the same id as its first attempt


def test_a_connection_that_breaks_half_way_does_not_send_the_earlier_mails_again(rt):
    ids = queue_mails(rt, 5)
    with smtp_server(Inbox(break_at=3)) as (handler, port):
        rt.settings.smtp_port = port
        assert deliver_outbox(rt) == 2
        after_break = rows(rt)
        assert [after_break[i].status for i in ids[:2]] == [OutboxStatus.SENT] * 2
        broken = after_break[ids[2]]
        assert broken.attempts == 1 and broken.last_error.startswith(outbox.BROKEN)
        assert [after_break[i].attempts for i in ids[3:]] == [0, 0]  # given back unattempted
        assert all(after_break[i].claimed_by is None for i in ids)
        assert deliver_outbox(rt) == 2  # the two after the break; the broken one backs off
        clock.advance(timedelta(minutes=2))
        assert deliver_outbox(rt) == 1
    assert sorted(handler.subjects()) == [f"Meddelande {i}" for i in range(1, 6)]  # each exactly once
    assert all(m.status == OutboxStatus.SENT for m in rows(rt).values())


def test_unreachable_smtp_server_is_retried_later(client, actors, rt):
    api = Api(client, actors)
    api.as_("applicant").submit()
    rt.settings.smtp_port = free_port()  # nothing listens there
    assert deliver_outbox(rt) == 0
    [msg] = rows(rt).values()
    assert msg.status == OutboxStatus.PENDING and msg.attempts == 1 and msg.last_error.startswith(outbox.CONNECT)
    with smtp_server() as (handler, port):
        rt.settings.smtp_port = port
        assert deliver_outbox(rt) == 0  # backing off
        clock.advance(timedelta(minutes=3))
        assert deliver_outbox(rt) == 1 and len(handler.messages) == 1


def test_after_the_last_attempt_a_mail_becomes_a_dead_letter(rt):
    rt.settings.outbox_max_attempts = 3
    clock.set(utcnow())
    [mail] = queue_mails(rt, 1)
    rt.settings.smtp_port = free_port()
    waits = []
    for _ in range(3):
        assert deliver_outbox(rt) == 0
        row = rows(rt)[mail]
        waits.append(row.next_attempt_at - utcnow())
        clock.advance(timedelta(hours=1))
    assert row.status == OutboxStatus.FAILED and row.attempts == 3 and row.last_error.startswith(outbox.CONNECT)
    assert waits[0] == timedelta(seconds=rt.settings.outbox_retry_base_s)
    assert waits[1] == 2 * waits[0]  # the wait doubles with each attempt
    with smtp_server() as (handler, port):
        rt.settings.smtp_port = port
        assert deliver_outbox(rt) == 0 and handler.messages == []  # a dead letter is not tried again by itself


def test_a_permanently_refused_recipient_is_not_tried_again(rt):
    [mail] = queue_mails(rt, 1, recipient="finns.inte@example.se")

    class RefusesRecipient(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 5.1.1 no such mailbox"

    with smtp_server(RefusesRecipient()) as (handler, port):
        rt.settings.smtp_port = port
        assert deliver_outbox(rt) == 0
    row = rows(rt)[mail]
    assert row.status == OutboxStatus.FAILED and row.attempts == 1
    assert row.last_error.startswith(outbox.REFUSED) and "550 5.1.1 no such mailbox" in row.last_error


def test_claims_of_a_sender_that_died_are_given_up_after_the_timeout(rt, smtp):
    queue_mails(rt, 3)
    with rt.db.unit_of_work() as s:  # a sender claims the mails, then dies before sending them
        assert len(outbox.claim(s, worker="host:4242:dead", settings=rt.settings)) == 3
    assert deliver_outbox(rt) == 0  # still claimed
    clock.advance(timedelta(seconds=rt.settings.outbox_claim_timeout_s + 1))
    assert deliver_outbox(rt) == 3 and len(smtp.messages) == 3
