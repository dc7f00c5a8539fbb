"""The handlers' host for a simulated case: the same clock rules, in memory, at simulated time."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.services import clocks
from app.services.errors import InvalidInput
from app.services.extension_rules import check_clock
from handlers.registry import HandlerInputError, Notification


@dataclass
class Rules:
    """The clock settings a simulated case is judged by."""

    zone: ZoneInfo
    service_goals: Mapping[str, int]
    default_goal_days: int
    #: Swedish names of groups and external bodies (referral recipients).
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass
class SimHost:
    """What handlers may ask of the host, for one simulated case (letters and mail are only counted)."""

    rules: Rules
    measure: str | None
    now: datetime
    case_type: str | None = None
    events: list[clocks.Event] = field(default_factory=list)
    letters: Counter = field(default_factory=Counter)
    mails: int = 0
    notices: int = 0
    parties: list[dict] = field(default_factory=list)
    #: The case's open tasks of an element, as the real host lists them (set by the run).
    tasks_of: Callable[[str], list[dict]] | None = None
    numbers: Counter = field(default_factory=Counter)

    def next_number(self, series: str, year: int) -> int:
        self.numbers[(series, year)] += 1
        return self.numbers[(series, year)]

    def notify(self, notification: Notification) -> None:
        self.mails += 1

    def record_event(self, kind: str, data: Mapping[str, Any]) -> None:
        self.events.append(clocks.Event(kind, self.now, dict(data)))

    def has_event(self, kind: str) -> bool:
        return any(e.kind == kind for e in self.events)

    def clock(self, case_type: str | None = None) -> clocks.Clocks:
        return clocks.compute(self.events, case_type=case_type or self.case_type, measure=self.measure,
                              today=self.now.astimezone(self.rules.zone).date(), tz=self.rules.zone,
                              service_goals=self.rules.service_goals, default_goal_days=self.rules.default_goal_days)

    def statutory_clock(self, case_type: str | None = None) -> dict:
        return self.clock(case_type).to_dict()

    def extend_deadline(self, reason: str, weeks: int | None = None) -> dict:
        clock = self.clock()
        try:
            weeks = check_clock(clock, reason, weeks)
        except InvalidInput as exc:
            raise HandlerInputError(exc.errors[0]["field"], exc.errors[0]["message"]) from exc
        self.record_event("extended", {"reason": reason.strip(), "weeks": weeks,
                                       "previous_due": clock.statutory_due.isoformat()})
        return self.statutory_clock()

    def hearing_parties(self) -> list[dict]:
        """Two neighbours to be heard (the officer adds them before sending the notices); they do not answer."""
        if not self.parties:
            self.parties = [{"id": n, "name": f"Simulerad granne {n}", "address": "Simulerad.", "email": None,
                             "notified_at": None, "response": None, "response_text": None} for n in (1, 2)]
        return [dict(p) for p in self.parties]

    def party_notified(self, party_id: int, letter: Mapping[str, Any]) -> None:
        for party in self.parties:
            if party["id"] == party_id:
                party["notified_at"] = self.now.isoformat()

    def open_tasks(self, element_id: str) -> list[dict]:
        return self.tasks_of(element_id) if self.tasks_of is not None else []

    def recipient_names(self) -> dict[str, str]:
        return dict(self.rules.names)

    def documents(self) -> list[dict]:
        return []  # nothing is uploaded to a simulated case

    def publish_notice(self, kind: str, title: str, text: str, until: str) -> dict:
        self.notices += 1
        return {"notice_id": 0, "channel": "simulated", "posted_on": self.now.astimezone(self.rules.zone).date()
                .isoformat(), "until": until}

    def send_letter(self, kind: str, values: Mapping[str, Any], recipient: Mapping[str, Any] | None = None) -> dict:
        self.letters[kind] += 1
        return {"document_id": 0, "kind": kind, "language": "sv"}

    def serve(self, document_id: int) -> dict:
        return {"party_id": 0, "email": None}  # a simulated decision is served the day it is made

    def appeal_period(self, decision: Mapping[str, Any]) -> dict:
        """Served and published on the day of the decision (the simulation ends a case at its decision)."""
        today = self.now.astimezone(self.rules.zone).date()
        last_day = today + timedelta(weeks=4)
        return {"state": "running", "decided_on": today.isoformat(), "published_on": today.isoformat(),
                "appeal_last_day": last_day.isoformat(), "legal_force_on": (last_day + timedelta(days=1)).isoformat(),
                "parties": [], "appeals": []}
