"""The clocks a save stores are fed only the events recorded since the last save, and always equal the
clocks computed from all of the case's events: over the law walk and over random histories."""
from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.services import clock_rules, clocks
from app.services.clock_fold import Fold
from tests.helpers import Api
from tests.test_compaction import walk

TZ = ZoneInfo("Europe/Stockholm")
KINDS = ["received", "supplement_ordered", "supplement_received", "own_initiative_supplement", "complete",
         "decided_as_it_stands", "extended", "decided", "decision_taken", "withdrawn"]
GOALS = {"plank": 21}


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def random_history(rng: random.Random) -> list[clocks.Event]:
    at = datetime(2026, 1, 5, 8, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
    events = []
    for _ in range(rng.randrange(0, 14)):
        kind = rng.choice(KINDS[1:]) if events and rng.random() < 0.9 else rng.choice(KINDS)
        data = {}
        if kind == "complete" and rng.random() < 0.3:
            data["remedied_on"] = (at - timedelta(days=rng.randrange(0, 5))).date().isoformat()
        if kind == "extended":
            data = {"reason": rng.choice(["Särskilda skäl", "Remiss"]), "weeks": rng.choice([None, 4, 10])}
        events.append(clocks.Event(kind, at, data))
        at += timedelta(minutes=rng.choice([0, 5, 60 * 7, 60 * 24 * rng.randrange(1, 40)]))
    return events


def replayed(events: Iterable[clocks.Event], *, case_type: str | None, measure: str | None, today: date, tz: ZoneInfo,
            service_goals: Mapping[str, int], default_goal_days: int) -> clocks.Clocks:
    """The clocks replayed from all events, as they were computed before the fold (the reference)."""
    ordered = sorted(events, key=lambda e: e.at)

    def day(e: clocks.Event) -> date:
        return e.at.astimezone(tz).date()

    received = next((e for e in ordered if e.kind == "received"), None)
    arrived = day(received) if received else None
    weeks = clocks.statutory_weeks(case_type)
    clock = _replay(ordered, day, arrived, weeks)
    extension = next((e for e in ordered if e.kind == "extended"), None)
    decided = next((day(e) for e in ordered if e.kind == "decided"), None)
    waiting = _waiting_days(ordered, day, today)
    goal = int(service_goals.get(measure or "", default_goal_days))
    due = clock.due
    window = clock_rules.SUPPLEMENT_WINDOW
    window_ends = clock.window_from + window if clock.window_from and not clock.awaiting_remedy else None
    return clocks.Clocks(
        arrived_on=arrived, statutory_weeks=weeks, statutory_start=clock.start, start_basis=clock.basis,
        statutory_due=due, awaiting_remedy=clock.awaiting_remedy, reply_on=clock.reply_on,
        order_window_ends=window_ends if window_ends and window_ends >= today else None,
        as_it_stands=clock.as_it_stands,
        extended=extension is not None, extension_weeks=clock.extension_weeks or None,
        extension_reason=(extension.data or {}).get("reason") if extension else None,
        days_left=(due - today).days if due is not None and decided is None else None,
        service_goal_days=goal,
        service_goal_due=arrived + timedelta(days=goal + waiting) if arrived else None,
        waiting_days=waiting,
        lead_time_days=((decided or today) - arrived).days if arrived else None,
        decided_on=decided,
        fee_reduction_fifths=clocks.fee_reduction_fifths(decided, due) if decided and due else None,
        supplement_orders=sum(1 for e in ordered if e.kind == "supplement_ordered"),
        complete_on=_complete_on(ordered, day, arrived),
    )


def _complete_on(ordered: list[clocks.Event], day: Callable[[clocks.Event], date], arrived: date | None) -> date | None:
    """The day the application was complete: the remedying reply's day, the last material sent, or arrival."""
    complete = next((e for e in ordered if e.kind == "complete"), None)
    if complete is None or arrived is None:
        return None
    if (complete.data or {}).get("remedied_on"):
        return date.fromisoformat(complete.data["remedied_on"])
    material = [day(e) for e in ordered if e.at <= complete.at
                and e.kind in ("supplement_received", "own_initiative_supplement")]
    return max(material) if material else arrived


def _replay(ordered: list[clocks.Event], day: Callable[[clocks.Event], date], arrived: date | None,
            weeks: int) -> clock_rules._Statutory:
    clock = clock_rules._Statutory(weeks=weeks, start=arrived, basis=clock_rules.Basis.ARRIVAL if arrived else None,
                              window_from=arrived)
    if arrived is None:
        return clock
    for event in ordered:
        clock.apply(event.kind, day(event), event.data or {})
    return clock


def _waiting_days(ordered, day, today) -> int:
    total, since = 0, None
    for event in ordered:
        if event.kind == "supplement_ordered" and since is None:
            since = day(event)
        elif event.kind in ("supplement_received", "decided", "decided_as_it_stands") and since is not None:
            total += (day(event) - since).days
            since = None
    if since is not None:
        total += (today - since).days
    return total


def test_a_fold_saved_between_any_two_events_gives_the_clocks_of_all_events(monkeypatch):
    rng = random.Random(20261130)
    for _ in range(400):
        events = random_history(rng)
        case_type = rng.choice(["bygglov", "anmalan", None])
        weeks = clocks.statutory_weeks(case_type)
        fold, saved = Fold(tz=TZ, weeks=weeks), None
        cut = sorted(rng.sample(range(len(events) + 1), k=min(3, len(events) + 1)))
        for n, event in enumerate(events, 1):
            fold.feed(n, event.kind, event.at, event.data)
            if n in cut:  # saved with the case, loaded by the next action
                saved = fold.dump()
                fold = Fold.load(saved, tz=TZ, weeks=weeks)
        end = events[-1].at.date() if events else date(2026, 1, 5)
        for today in (end, end + timedelta(days=rng.randrange(1, 120))):
            args = {"measure": rng.choice(["plank", "tillbyggnad"]), "today": today, "service_goals": GOALS,
                    "default_goal_days": 56}
            expected = replayed(events, case_type=case_type, tz=TZ, **args)
            assert fold.result(**args) == clocks.compute(events, case_type=case_type, tz=TZ, **args) == expected, events
    assert Fold.load(saved, tz=ZoneInfo("Europe/Copenhagen"), weeks=10) is None  # another zone: built again


def test_every_save_of_the_law_walk_stores_the_clocks_a_full_recompute_gives(api, monkeypatch):
    compared, continued = [], []
    refresh, event_rows = clocks.refresh, clocks._event_rows

    def rows_since(session, case_id, *, after):
        continued.append(after > 0)
        return event_rows(session, case_id, after=after)

    def checked(session, case):
        stored = refresh(session, case)  # from the fold the step held (its handlers asked for the clocks too)
        fold = case.clock_state
        case.clock_state = None
        clocks.forget(session, case)
        compared.append(stored == clocks.clocks_for(session, case))  # from every event of the case
        case.clock_state = fold
        clocks.forget(session, case)
        return stored

    monkeypatch.setattr(clocks, "_event_rows", rows_since)
    monkeypatch.setattr(clocks, "refresh", checked)
    case, _, _ = walk(api)
    assert case["outcome"] == "refused"
    assert len(compared) > 10 and all(compared)
    assert continued.count(True) > 10  # most saves fed the stored fold only the new events
