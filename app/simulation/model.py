"""What a simulation is made of: scenarios, the inputs from history or defaults, and the plan.

Everything here is plain data (picklable), so a plan can run in another process.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime

#: Typical working hours per task when there is no history (a process owner's first guess; the page says so).
DEFAULT_WORK_HOURS = {
    "triage": 1.0, "coordinator_decision": 0.5, "supplement_overdue": 0.25, "review": 3.0,
    "record_neighbour_responses": 0.5, "answer_referral": 1.5, "draft_decision": 2.0, "consider_extension": 0.25,
    "committee_decision": 0.25,
}
DEFAULT_TASK_HOURS = 1.0
#: Spread of working time around the typical value (lognormal sigma).
DEFAULT_SPREAD = 0.6
#: Applicants: share answering a supplement order, and the median reply in days (Umeå 2023: 31 days on
#: average to become complete).
DEFAULT_REPLY_SHARE = 0.9
DEFAULT_REPLY_MEDIAN_DAYS = 21.0
#: Applications per year when neither history nor a rate is given (a mid-sized municipality).
DEFAULT_CASES_PER_YEAR = 1000
#: Seasonality by month (January first) when there is no history: spring peak, July and December lows.
DEFAULT_SEASONALITY = (0.9, 0.95, 1.15, 1.25, 1.25, 1.1, 0.6, 0.85, 1.05, 1.0, 0.95, 0.75)
#: Share of the first arrivals left out of the figures: the office starts empty and needs to fill up.
WARMUP_SHARE = 0.1
#: How far the calibration run may be from last year's measured median: 15 %, at least 3 days.
CALIBRATION_SHARE, CALIBRATION_MIN_DAYS = 0.15, 3.0


@dataclass
class Staff:
    """A group's capacity: how many people, how many hours a week each works on cases."""

    people: int
    hours_per_week: float = 40.0
    #: (week of the month, weekday): a committee that decides at its monthly meeting.
    meeting: tuple[int, int] | None = None

    @property
    def availability(self) -> float:
        """The share of office time (40 h a week) a person spends on cases."""
        return max(0.05, min(1.0, self.hours_per_week / 40.0))


@dataclass
class Scenario:
    """One variant to simulate: a deployed version or a draft, with a staffing plan."""

    name: str
    #: Key of the specs in the simulation's spec store; a draft gets a negative one.
    spec_key: int
    spec_json: str
    label: str
    #: Lane name → group name (as the deploy resolved it).
    lanes: dict[str, str]
    #: Form file → JSON Schema (choices that are data already filled in).
    forms: dict[str, dict]
    staff: dict[str, Staff]
    #: The start form's file name in ``forms``.
    start_form: str = "application.json"
    #: The diagram's BPMN text, kept with the results of a draft (a version keeps its own).
    diagram: str = ""


@dataclass
class Inputs:
    """The history a simulation draws from (or the defaults where there is none)."""

    #: Expected arrivals per ISO week 1–53 (index 0 = week 1).
    arrivals_per_week: list[float]
    #: Applications to draw from (the start form's fields, personal data replaced).
    applications: list[dict] = field(default_factory=list)
    #: "element" or "element#2" (a later visit) → field → values to draw from.
    answers: dict[str, dict[str, list]] = field(default_factory=dict)
    #: element → working hours per task to draw from.
    work_hours: dict[str, list[float]] = field(default_factory=dict)
    reply_days: list[float] = field(default_factory=list)
    reply_share: float = DEFAULT_REPLY_SHARE
    #: What came from history and what from defaults, for the page: {"arrivals": "history", ...}.
    sources: dict[str, str] = field(default_factory=dict)

    def work_hours_for(self, element: str, rng: random.Random) -> float:
        samples = self.work_hours.get(element)
        if samples:
            return rng.choice(samples)
        typical = DEFAULT_WORK_HOURS.get(element, DEFAULT_TASK_HOURS)
        return rng.lognormvariate(math.log(typical), DEFAULT_SPREAD)

    def reply_after_days(self, rng: random.Random) -> float | None:
        """Days until the applicant answers a supplement order, or None if they never do."""
        if rng.random() >= self.reply_share:
            return None
        if self.reply_days:
            return rng.choice(self.reply_days)
        return rng.lognormvariate(math.log(DEFAULT_REPLY_MEDIAN_DAYS), 0.7)


def weekly_rates(per_year: float, seasonality: tuple[float, ...] = DEFAULT_SEASONALITY) -> list[float]:
    """Arrivals per ISO week for a yearly volume with a monthly seasonal shape."""
    mean = sum(seasonality) / len(seasonality)
    rates = []
    for week in range(1, 54):
        month = min(11, int((week - 0.5) * 7 / 30.44))
        rates.append(per_year / 52.18 * seasonality[month] / mean)
    return rates


@dataclass
class Plan:
    """A simulation request: N cases per run through each scenario, K seeded runs."""

    process: str
    cases: int
    runs: int
    seed: int
    start: datetime
    scenarios: list[Scenario]
    inputs: Inputs
    #: Handler settings as the running system passes them (time zone, periods, fee table …).
    settings: dict
    service_goals: dict[str, int]
    default_goal_days: int
    #: Arrivals to replay instead of drawing them (the calibration check): [(when, application)].
    replay: list[tuple[datetime, dict]] | None = None
    #: Swedish names of groups and external bodies, as letters name referral recipients.
    names: dict[str, str] = field(default_factory=dict)
    #: The measured median statutory days the replay should reproduce (the calibration check).
    calibration_target: float | None = None
    warmup_share: float = WARMUP_SHARE

    @property
    def first_day(self) -> date:
        return self.start.date()
