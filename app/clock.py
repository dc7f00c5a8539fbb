"""The one injectable clock: UTC inside, the configured zone in the UI."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, UTC


class Clock:
    """Wall-clock time, unless a test has frozen or moved it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fixed: datetime | None = None
        self._offset = timedelta(0)
        self._simulated = threading.local()

    def now(self) -> datetime:
        source = getattr(self._simulated, "source", None)
        if source is not None:
            return source()
        with self._lock:
            if self._fixed is not None:
                return self._fixed
            return datetime.now(UTC) + self._offset

    def timestamp(self) -> float:
        """``now()`` as POSIX seconds; a simulation's moment is converted once, however often it is asked."""
        simulated = self._simulated
        source = getattr(simulated, "source", None)
        if source is None:
            return self.now().timestamp()
        moment = source()
        if moment is not getattr(simulated, "stamped", None):
            simulated.stamped, simulated.stamp = moment, moment.timestamp()
        return simulated.stamp

    def set(self, when: datetime) -> None:
        """Freeze time at ``when`` (must be timezone-aware)."""
        if when.tzinfo is None:
            raise ValueError("clock needs a timezone-aware datetime")
        with self._lock:
            self._fixed = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            if self._fixed is not None:
                self._fixed += delta
            else:
                self._offset += delta

    @contextmanager
    def simulated(self, source: Callable[[], datetime]) -> Iterator[None]:
        """In this thread only, time is ``source()`` (a simulation's clock); other threads keep theirs."""
        previous = getattr(self._simulated, "source", None)
        self._simulated.source = source
        try:
            yield
        finally:
            self._simulated.source = previous

    def reset(self) -> None:
        with self._lock:
            self._fixed = None
            self._offset = timedelta(0)


#: The process-wide clock. The engine's timers read it too (see engine.timers).
clock = Clock()


def utcnow() -> datetime:
    return clock.now()
