"""Scenario helpers: the public API with the testing clock, as an officer would walk a case."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.models import Incident, OutboxMessage
from tests.helpers import TRIAGE_COMPLETE

TZ = ZoneInfo("Europe/Stockholm")


def at_local(day: date, hour: int = 9, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ).isoformat()


def move(api, **body) -> dict:
    """Set (``now=``) or advance (``advance="P3D"``) the testing clock; due timers fire."""
    r = api.as_("admin").post("/api/testing/clock", body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def on(api, day: date, hour: int = 9) -> dict:
    return move(api, now=at_local(day, hour))


def deadlines(api, case_id: int) -> dict:
    return api.as_("officer").case(case_id)["deadlines"]


def order_supplement(api, case_id: int, reply_by: date, *, track="simple", request="Fasadritning saknas.") -> None:
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": track, "complete": False, "supplement_request": request, "reply_by": reply_by.isoformat()},
        case_id=case_id)


def reply(api, case_id: int, text: str = "Ritningen bifogas.") -> dict:
    r = api.as_("applicant").post(f"/api/cases/{case_id}/messages/supplement_received", {"data": {"message": text}})
    assert r.status_code in (200, 202), r.get_json()
    return r.get_json()


def letters(rt, case_id: int, kind: str | None = None) -> list[OutboxMessage]:
    with rt.db.unit_of_work(write=False) as s:
        query = select(OutboxMessage).where(OutboxMessage.case_id == case_id).order_by(OutboxMessage.id)
        rows = [m for m in s.scalars(query) if kind is None or m.kind == kind]
        s.expunge_all()
        return rows


def incidents(rt, case_id: int) -> list[Incident]:
    with rt.db.unit_of_work(write=False) as s:
        rows = list(s.scalars(select(Incident).where(Incident.case_id == case_id)))
        s.expunge_all()
        return rows


def plus(day: date, days: int) -> date:
    return day + timedelta(days=days)


def refuse_after_comments(api, case_id: int, text: str = "Avslås.") -> None:
    """The officer drafts a refusal; the applicant comments on it (kommunicering); the officer drafts it again."""
    api.as_("officer").complete("draft_decision", {"outcome": "refused", "decision_text": text}, case_id=case_id)
    r = api.as_("applicant").post(f"/api/cases/{case_id}/messages/comments_received",
                                  {"data": {"message": "Jag har inget att tillägga."}})
    assert r.status_code == 200 and r.get_json()["status"] == "delivered", r.get_json()
    api.as_("officer").complete("draft_decision", {"outcome": "refused", "decision_text": text}, case_id=case_id)
def serve_applicant(api, case_id: int, on_day: date | None = None, method: str = "post") -> dict:
    """Staff record that the applicant was served the decision (by post) on ``on_day`` (default: the decision day)."""
    period = api.as_("officer").get(f"/api/cases/{case_id}/appeal-period").get_json()
    party = next(p for p in period["parties"] if p["is_applicant"])
    day = on_day or date.fromisoformat(period["decided_on"])
    r = api.as_("officer").post(f"/api/cases/{case_id}/parties/{party['id']}/service",
                                {"served_on": day.isoformat(), "method": method})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["appeal_period"]
