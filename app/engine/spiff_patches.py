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
before.
These are replacements of module attributes inside SpiffWorkflow: an upgrade
may move or rename them, so ``apply`` refuses to run on any other version
until someone has checked the patches again and raised ``CHECKED_VERSION``.
"""
from __future__ import annotations

import logging
from datetime import datetime
from importlib import metadata

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
        elapsed = spiff_task_module.time.time() - self.last_state_change
        self.last_state_change = spiff_task_module.time.time()
        self._state = value
        if logger.isEnabledFor(logging.INFO):
            logger.info(f"State changed to {spiff_task_module.TaskState.get_name(value)}",
                        extra=self.collect_log_extras({"elapsed": elapsed}))
    elif logger.isEnabledFor(logging.DEBUG):
        logger.debug(f"State set to {spiff_task_module.TaskState.get_name(value)}", extra=self.collect_log_extras())


#: (module or class, attribute, replacement): what is replaced where.
PATCHES = [(spiff_timer_module, "datetime", ClockDatetime), (spiff_task_module, "time", ClockTime),
           (spiff_task_module.Task, "_set_state", set_state)]


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
