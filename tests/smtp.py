"""A real SMTP server for tests (aiosmtpd on a free loopback port), and ways to make it misbehave."""
from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email.header import decode_header, make_header

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox(Message):
    """Keeps every message it accepts; ``break_at`` drops the connection in the middle of that message
    (counted over the server's life) instead of accepting it; ``delay_s`` answers each message late."""

    def __init__(self, break_at: int | None = None, delay_s: float = 0.0):
        super().__init__()
        self.messages = []
        self.attempts = 0
        self.break_at = break_at
        self.delay_s = delay_s
        self._lock = threading.Lock()
        self.changed = threading.Condition(self._lock)

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts == self.break_at:
            server.transport.abort()  # the socket dies before the server answers
            return "421 gone"
        if self.delay_s:
            await asyncio.sleep(self.delay_s)  # a slow mail server
        return await super().handle_DATA(server, session, envelope)

    def handle_message(self, message):
        with self.changed:
            self.messages.append(message)
            self.changed.notify_all()

    def wait_for(self, count: int, timeout: float = 60) -> bool:
        """Wait until ``count`` messages arrived (True), or the timeout passed (False)."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.messages) >= count, timeout=timeout)

    def message_ids(self) -> Counter:
        return Counter(m["Message-ID"] for m in self.messages)

    def subjects(self) -> list[str]:
        return [str(make_header(decode_header(m["Subject"]))) for m in self.messages]


@contextmanager
def smtp_server(handler: Inbox | None = None) -> Iterator[tuple[Inbox, int]]:
    handler = handler or Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()
