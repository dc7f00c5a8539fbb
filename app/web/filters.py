"""Template helpers: local dates, status words, form labels."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import get_locale, lazy_gettext as _l

from app.clock import utcnow
from app.services import forms

STATUS_WORDS = {
    "received": _l("Received"),
    "in_triage": _l("Being checked by the coordinator"),
    "awaiting_supplement": _l("Waiting for your supplement"),
    "in_review": _l("Under review by a case officer"),
    "awaiting_referrals": _l("Waiting for referral answers"),
    "neighbour_hearing": _l("Neighbours are being heard"),
    "awaiting_committee": _l("Waiting for the committee"),
    "decided": _l("Decided"),
    "closed": _l("Closed"),
    "withdrawn": _l("Withdrawn"),
}
OUTCOME_WORDS = {
    "granted": _l("Granted"), "refused": _l("Refused"),
    "dismissed": _l("Dismissed"), "withdrawn": _l("Withdrawn"),
}
GROUP_WORDS = {
    "coordinator": _l("Coordinator"), "officer": _l("Case officer"), "referee": _l("Referee"),
    "committee": _l("Committee"), "applicant": _l("Applicant"), "admin": _l("Administrator"),
    "process_owner": _l("Process owner"),
}
ACTION_WORDS = {
    "case.submitted": _l("Application submitted"),
    "case.received": _l("Case registered"),
    "case.supplement_ordered": _l("Supplement requested"),
    "case.complete": _l("Application complete; the statutory clock started"),
    "case.decided": _l("Decision made"),
    "task.completed": _l("Task completed"),
    "task.claimed": _l("Task claimed"),
    "task.released": _l("Task released"),
    "message.received": _l("Message received"),
    "message.delivered": _l("Message delivered to the case"),
    "document.added": _l("Document added"),
    "handler.failed": _l("A step failed"),
    "case.status": _l("Status changed"),
    "engine.task_completed": _l("Step completed"),
    "engine.message_caught": _l("Message caught"),
}


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.extensions["lotsen_settings"].timezone)


def local_dt(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(_tz()).strftime(fmt)


def age_days(value: datetime | None) -> int:
    return 0 if value is None else max(0, (utcnow() - value).days)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["local_dt"] = local_dt
    app.jinja_env.filters["local_date"] = lambda v: local_dt(v, "%Y-%m-%d")
    app.jinja_env.filters["age_days"] = age_days

    @app.context_processor
    def _helpers():  # noqa: ANN202
        locale = str(get_locale() or "sv")

        def task_title(task):  # noqa: ANN001, ANN202
            return (task.title_sv if locale == "sv" and task.title_sv else task.title)

        return {
            "locale": locale,
            "status_word": lambda s: STATUS_WORDS.get(getattr(s, "value", s), s),
            "outcome_word": lambda o: OUTCOME_WORDS.get(getattr(o, "value", o), o) if o else "",
            "group_word": lambda g: GROUP_WORDS.get(g, g),
            "action_word": lambda a: ACTION_WORDS.get(a, a),
            "field_label": lambda prop: forms.label(prop, locale),
            "field_options": lambda prop: forms.options(prop, locale),
            "field_types": lambda prop: prop.get("type") if isinstance(prop.get("type"), list) else [prop.get("type", "string")],
            "task_title": task_title,
            "option_label": lambda prop, value: dict(forms.options(prop, locale)).get(value, value),
        }
