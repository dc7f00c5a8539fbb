"""Real sender processes against a real SMTP server: two schedulers, and a sender killed half-way."""
from __future__ import annotations

import asyncio
import signal
import threading
from datetime import timedelta

from app.clock import clock
from app.scheduler import deliver_outbox
from tests.lotsen_processes import environment, lotsen
from tests.smtp import Inbox, smtp_server
from tests.test_outbox import queue_mails

MAILS = 40


def test_two_schedulers_send_each_mail_exactly_once(rt, settings):
    queue_mails(rt, MAILS)
    with smtp_server(Inbox(delay_s=0.02)) as (handler, port):  # a mail server that takes its time
        env = environment(settings, smtp_port=port, scheduler_interval_s=0.2, outbox_batch_size=10)
        with lotsen(["scheduler"], env) as first, lotsen(["scheduler"], env) as second:
            arrived = handler.wait_for(MAILS, timeout=90)
            assert first.poll() is None and second.poll() is None, "a scheduler stopped"
        # both schedulers are stopped now: nothing more can arrive
    assert arrived, f"only {len(handler.messages)} of {MAILS} mails arrived"
    ids = handler.message_ids()
    assert len(handler.messages) == MAILS and len(ids) == MAILS, ids.most_common(3)


class HoldsMail(Inbox):
    """Accepts mails until ``hold_at``; that one waits until ``release`` is set, then is refused."""

    def __init__(self, hold_at: int):
        super().__init__()
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.attempts + 1 == self.hold_at:
            self.attempts += 1
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
            return "451 4.3.0 try again later"
        return await super().handle_DATA(server, session, envelope)


def test_a_sender_killed_half_way_does_not_send_the_earlier_mails_again(rt, settings):
    queue_mails(rt, 6)
    handler = HoldsMail(hold_at=4)
    with smtp_server(handler) as (_, port):
        with lotsen(["outbox"], environment(settings, smtp_port=port)) as sender:
            assert handler.holding.wait(timeout=60), "the sender never reached the fourth mail"
            sender.send_signal(signal.SIGKILL)  # dies with three mails sent and the fourth in flight
            sender.wait(timeout=10)
        handler.release.set()
        rt.settings.smtp_port = port
        assert deliver_outbox(rt) == 0  # its claims are still held
        clock.advance(timedelta(seconds=rt.settings.outbox_claim_timeout_s + 1))
        assert deliver_outbox(rt) == 3  # the one in flight and the two after it
    assert sorted(handler.subjects()) == [f"Meddelande {i}" for i in range(1, 7)]  # each exactly once
