"""Every change Lotsen makes to SpiffWorkflow itself, in one place, for the one version it was checked against.

SpiffWorkflow's timers call ``datetime.now(timezone.utc)`` and its tasks stamp
state changes with ``time.time()``; both are pointed at Lotsen's injectable
clock so that tests (and the controllable test clock) decide what time it is.

On every state change a task also builds the details of a log record (a dict
of eight fields, the state's name, the parent looked up) *before* the logger
decides whether to keep it; with the ``spiff`` loggers below INFO, as they are
unless someone turns them on, that was about a tenth of a simulated case's
time. ``Task._set_state`` is replaced by the same code that asks the logger
first: the state, the timestamps and, when logging is on, the records are as
before (the clock is read once per change, not twice). A new task's random id
is made as ``uuid4`` makes it, more cheaply (``TaskIds``).
These are replacements of module attributes inside SpiffWorkflow: an upgrade
may move or rename them, so ``apply`` refuses to run on any other version
until someone has checked the patches again and raised ``CHECKED_VERSION``.
"""
from __future__ import annotations

import logging
import os
from datetime import datetime
from importlib import metadata
from uuid import UUID, SafeUUID

from SpiffWorkflow import task as spiff_task_module
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer_module

from app.clock import clock

#: The SpiffWorkflow release these patches were written and tested against.
CHECKED_VERSION = "3.2.0"


class ClockDatetime(datetime):
    """``datetime`` whose ``now()`` reads Lotsen's injectable clock."""

    @classmethod
    def now(cls, tz=None):
        current = clock.now()
        return current.astimezone(tz) if tz else current.astimezone().replace(tzinfo=None)


class ClockTime:
    """Stands in for the ``time`` module in SpiffWorkflow's task bookkeeping."""

    @staticmethod
    def time() -> float:
        return clock.timestamp()


def set_state(self, value: int) -> None:
    """``Task._set_state`` of SpiffWorkflow 3.2.0, building a log record's details only for a logger that keeps
    it."""
    logger = spiff_task_module.logger
    if value != self.state:
        now = spiff_task_module.time.time()
        elapsed = now - self.last_state_change
        self.last_state_change = now
        self._state = value
        if logger.isEnabledFor(logging.INFO):
            logger.info(f"State changed to {spiff_task_module.TaskState.get_name(value)}",
                        extra=self.collect_log_extras({"elapsed": elapsed}))
    elif logger.isEnabledFor(logging.DEBUG):
        logger.debug(f"State set to {spiff_task_module.TaskState.get_name(value)}", extra=self.collect_log_extras())


class TaskIds:
    """Random (version 4) UUIDs as ``uuid.uuid4()`` makes them, for SpiffWorkflow's new tasks, at a third of the
    cost: the random bytes are read 512 ids at a time, and the UUID is made without its constructor's checks of
    arguments it is not given. A simulated case makes about 90 tasks (most of them predicted ones that come
    and go); ``uuid4`` was about 5 % of its time.

    A forked process (a server worker) starts with no ids read, so no two processes share one."""

    BATCH = 512
    _CLEAR = ~((0xC000 << 48) | (0xF000 << 64))  # the variant and version bits, as ``UUID(version=4)`` sets them
    _SET = (0x8000 << 48) | (4 << 76)

    def __init__(self) -> None:
        self._ready: list[int] = []
        os.register_at_fork(after_in_child=self._ready.clear)

    def _read(self) -> None:
        raw = os.urandom(16 * self.BATCH)
        self._ready.extend((int.from_bytes(raw[i:i + 16], "big") & self._CLEAR) | self._SET
                           for i in range(0, len(raw), 16))

    def __call__(self) -> UUID:
        while True:
            try:
                value = self._ready.pop()  # atomic: threads never get the same value
                break
            except IndexError:
                self._read()
        new = object.__new__(UUID)
        object.__setattr__(new, "int", value)  # UUIDs are immutable: set as UUID.__init__ sets them
        object.__setattr__(new, "is_safe", SafeUUID.unknown)
        return new


#: (module or class, attribute, replacement): what is replaced where.
PATCHES = [(spiff_timer_module, "datetime", ClockDatetime), (spiff_task_module, "time", ClockTime),
           (spiff_task_module.Task, "_set_state", set_state), (spiff_task_module, "uuid4", TaskIds())]


class UnsupportedSpiffWorkflow(RuntimeError):
    """SpiffWorkflow is not the version the patches were checked against."""


def check_version(installed: str | None = None) -> None:
    installed = installed or metadata.version("SpiffWorkflow")
    if installed != CHECKED_VERSION:
        raise UnsupportedSpiffWorkflow(
            f"SpiffWorkflow {installed} is installed, but app/engine/spiff_patches.py was checked against "
            f"{CHECKED_VERSION}: check that {', '.join(f'{m.__name__}.{a}' for m, a, _ in PATCHES)} still exist "
            "and are what SpiffWorkflow uses for the current time (and that Task._set_state is still the code "
            "copied in set_state), then raise CHECKED_VERSION")


def apply() -> None:
    """Point SpiffWorkflow's clocks at Lotsen's, log details only when logged (refuses on an unchecked version)."""
    check_version()
    for module, attribute, replacement in PATCHES:
        if not hasattr(module, attribute):
            raise UnsupportedSpiffWorkflow(f"{module.__name__} no longer has {attribute!r} to replace")
        setattr(module, attribute, replacement)
