"""Staff per group: tasks queue until a person is free in working time; queue and utilisation per week."""
from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .calendar import WorkCalendar
from .model import Staff


def week_of(moment: datetime, start: datetime) -> int:
    """Whole weeks since the simulation started."""
    return int((moment - start) / timedelta(weeks=1))


@dataclass
class Pool:
    """The people of one group and the tasks waiting for them (first come, first served)."""

    group: str
    staff: Staff
    calendar: WorkCalendar
    free: int = 0
    queue: deque = field(default_factory=deque)
    #: Working hours of tasks started, by simulation week.
    busy_hours: Counter = field(default_factory=Counter)
    #: (week, tasks waiting, people busy) sampled at the start of every week.
    samples: list[tuple[int, int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.free = self.staff.people

    def waiting(self) -> int:
        return sum(1 for task in self.queue if not task.done)

    def sample(self, week: int) -> None:
        self.samples.append((week, self.waiting(), self.staff.people - self.free))

    def office_hours(self, week_start: datetime) -> float:
        """Hours the whole group can work in the week from ``week_start``, after holidays and availability."""
        days = sum(1 for d in range(7) if self.calendar.is_working_day((week_start + timedelta(days=d)).date()))
        return days * self.calendar.hours_per_day * self.staff.people * self.staff.availability
