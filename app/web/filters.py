"""Template helpers: local dates, status words, form labels."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask import Flask, current_app, g
from flask_babel import format_timedelta, get_locale, lazy_gettext as _l

from app.clock import utcnow
from app.translated import translated
from app.services import document_versions, forms
from app.web.action_words import ROLE_WORDS, action_word
from app.web.step_errors import plain_step_error, step_error

STATUS_WORDS = {
    "received": _l("Received"),
    "in_triage": _l("Being checked by the coordinator"),
    "awaiting_decision": _l("Ready for decision"),
    "awaiting_supplement": _l("Waiting for the applicant's supplement"),
    "in_review": _l("Under review by a case officer"),
    "awaiting_referrals": _l("Waiting for referral answers"),
    "neighbour_hearing": _l("Neighbours are being heard"),
    "awaiting_committee": _l("Waiting for the committee"),
    "awaiting_comments": _l("Waiting for the applicant's comments before the decision"),
    "decided": _l("Decided"),
    "appealed": _l("Appealed: waiting for the appeal body"),
    "closed": _l("Closed"),
    "withdrawn": _l("Withdrawn"),
}
#: What an applicant reads: the same states in their words.
APPLICANT_STATUS_WORDS = {
    **STATUS_WORDS,
    "in_triage": _l("Being checked for completeness"),
    "awaiting_decision": _l("Being decided"),
    "awaiting_supplement": _l("Waiting for your supplement"),
    "awaiting_comments": _l("Waiting for your comments"),
}
OUTCOME_WORDS = {
    "granted": _l("Granted"), "refused": _l("Refused"),
    "dismissed": _l("Dismissed"), "withdrawn": _l("Withdrawn"), "no_permit_needed": _l("No permit needed"),
}
#: The case types of the reference process's triage form, for lists and reports.
CASE_TYPE_WORDS = {
    "bygglov": _l("Building permit"), "rivningslov": _l("Demolition permit"), "marklov": _l("Site works permit"),
    "forhandsbesked": _l("Advance notice"), "anmalan": _l("Notification"), "no_permit": _l("No permit needed"),
}
#: The statutory exemptions from the neighbour hearing (handlers.neighbours.EXEMPTIONS), in words.
EXEMPTION_WORDS = {
    "all_consented": _l("every affected party has consented in writing"),
    "permit_obviously_impossible": _l("it is obvious that a permit cannot be given (PBL 9 kap. 25 §)"),
    "minor_outside_plan": _l("outside a plan, a measure the hearing rule does not cover (PBL 9 kap. 25 § and 31 a §)"),
}
#: Messages a case waits for, by name (the history names them in words, never by their code).
MESSAGE_WORDS = {
    "supplement_received": _l("Supplement from the applicant"),
    "comments_received": _l("Comments from the applicant"),
    "neighbours_answered": _l("Every neighbour has answered"),
    "appeal_period_changed": _l("Service, appeal or ruling recorded"),
}
#: Notices on the board by kind.
NOTICE_KIND_WORDS = {"decision": _l("Decision announced"), "neighbour_notice": _l("Notice to neighbours")}
#: What an upload shows (document_versions.CATEGORIES).
CATEGORY_WORDS = {"situationsplan": _l("Site plan"), "ritning": _l("Floor plan"), "fasad": _l("Elevation"),
                  "sektion": _l("Section"), "annat": _l("Other document")}
#: Documents by kind: uploads, and the letters the authority issued.
DOCUMENT_KIND_WORDS = {
    "upload": _l("Uploaded document"),
    "acknowledgement": _l("Confirmation that the application arrived"),
    "receipt": _l("Receipt"),
    "supplement_order": _l("Order to supplement"),
    "extension": _l("Extended time limit"),
    "hearing_notice": _l("Notice to neighbours"),
    "decision": _l("Decision"),
    "withdrawal": _l("Closing after withdrawal"),
    "advisory": _l("Advice: no permit needed"),
    "appeal_dismissal": _l("Dismissal of a late appeal"),
    "appeal_forwarded": _l("Appeal sent on to the appeal body"),
    "survey_invitation": _l("Survey invitation"),
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


def today_local():
    return utcnow().astimezone(_tz()).date()


def days_left(case) -> int | None:
    if case.statutory_due is None or case.completed_at is not None or case.outcome is not None:
        return None
    return (case.statutory_due - today_local()).days


def deadline_class(days: int | None) -> str:
    """``overdue`` past the deadline, ``warning`` within a week of it."""
    if days is None:
        return ""
    return "overdue" if days < 0 else "warning" if days <= 7 else ""


@lru_cache(maxsize=256)
def _schema(version_id: int, form: str, text: str) -> dict:
    return json.loads(text)


def schema_of(version, form: str | None) -> dict:
    text = version.files.get(f"forms/{form}") if form else None
    return _schema(version.id, form, text) if text else {"properties": {}}


def _start_schema(case) -> dict:
    from app.services import process_info

    return schema_of(case.process_version, process_info.of(case.process_version).start_form)


def measure_word(case, locale: str) -> str:
    prop = _start_schema(case)["properties"].get("measure", {})
    return dict(forms.options(prop, locale)).get(case.measure, case.measure) if case.measure else ""


def has_statutory_clock(case) -> bool:
    """Whether the case's process follows a statutory rule set (a process with none has only the lead time)."""
    from app.services import process_info

    return process_info.of(case.process_version).rule_set is not None


def case_status_word(case, applicant: bool = False):
    """The case's status in words. A finished case of a process that is no permit matter (no statutory rule set,
    say an invoice) ended without a decision: it is "Finished", never "Decided"."""
    status = getattr(case.status, "value", case.status)
    if status == "decided" and case.completed_at is not None and not has_statutory_clock(case):
        return _l("Finished")
    return (APPLICANT_STATUS_WORDS if applicant else STATUS_WORDS).get(status, status)


def model_title(model: str, locale: str) -> str:
    """A process model by the title of its latest version (its id when it has none deployed)."""
    from app.services import process_info
    from app.uow import db

    latest = {v.model: v for v in process_info.latest_versions(db())}.get(model)
    return process_info.of(latest).title(locale) if latest is not None else model


def process_title(case, locale: str) -> str:
    from app.services import process_info

    return process_info.of(case.process_version).title(locale)


def case_heading(case, locale: str) -> str:
    """What follows the reference in a case's heading: its title, else its process."""
    from app.services import process_info

    return process_info.case_title(case) or process_title(case, locale)


def case_summary(case, locale: str) -> str:
    """The case in a few words: its title, then its process's list columns (choices in words)."""
    from app.services import process_info

    schema = _start_schema(case)
    title = process_info.case_title(case)
    in_title = set(re.findall(r"\{(\w+)\}", process_info.of(case.process_version).case_title or ""))
    parts = [title] if title else []
    for column, value in process_info.list_values(case):
        if column in in_title or value in (None, ""):
            continue
        prop = schema["properties"].get(column, {})
        if isinstance(value, bool):  # a yes/no answer means nothing without its question
            parts.append(f"{forms.label(prop, locale) or column}: {_l('Yes') if value else _l('No')}")
            continue
        parts.append(str(dict(forms.options(prop, locale)).get(value, value)))
    return " · ".join(parts)


def option_label(prop: dict, value, locale: str):
    """A value in words: an option by its label, a number as the reader writes it (12,5 in Swedish)."""
    label = dict(forms.options(prop, locale)).get(value)
    if label is not None:
        return label
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_decimal(value, locale=locale)
    return value


def group_titles(locale: str) -> dict[str, str]:
    """{group name: its title in ``locale``}, read once per request."""
    if "group_titles" not in g:
        from app.services import groups as group_service
        from app.uow import db

        g.group_titles = {grp.name: (grp.title_sv, grp.title_en) for grp in group_service.list_groups(db())}
    return {name: titles[0] if locale == "sv" else titles[1] for name, titles in g.group_titles.items()}


def referral_word(name: str | None, locale: str) -> str:
    """A referral's recipient in words: a department by its group title, an external body by its name."""
    body = current_app.extensions["lotsen_settings"].external_bodies.get(name or "")
    if body is not None:
        return body.get("name_sv" if locale.startswith("sv") else "name_en") or name
    return group_word(name, locale)


def group_word(name: str | None, locale: str) -> str:
    """A role or a group in words: a group by its title, a role by its translated name."""
    if name in ROLE_WORDS:
        return str(ROLE_WORDS[name])
    return group_titles(locale).get(name, name or "")


def history_title(event, locale: str, case=None) -> str | None:
    """The task or step an event is about, in the reader's language; nothing rather than another language.

    Swedish titles come from the element's ``title_sv`` property (``title_sv`` of a task, ``name_sv`` of an
    engine step); element names in the diagram are English — unless the process names its steps in one
    language only (``process_info.names_steps_in_swedish``): then its names are the only ones there are.
    Message names and other codes are never shown.
    """
    details = event.details or {}
    if event.action.startswith("message.") and details.get("name"):
        return str(MESSAGE_WORDS.get(details["name"], _l("Message")))
    if event.action == "engine.message_caught" or not (
            event.action == "task.completed" or event.action.startswith("engine.")):
        return None
    if locale == "sv" and (details.get("title_sv") or details.get("name_sv") or _swedish_only(case)):
        return details.get("title_sv") or details.get("name_sv")
    return details.get("title") or details.get("name")


def step_title(step: dict, locale: str, case) -> str | None:
    """A step of the case's path by its name in the reader's language (see ``history_title``); nothing for a step
    the diagram leaves unnamed."""
    if locale == "sv" and (step.get("name_sv") or _swedish_only(case)):
        return step.get("name_sv")
    return step.get("name") if step.get("name") != step.get("element") else None


def _swedish_only(case) -> bool:
    """Whether only Swedish step names may be shown to a Swedish reader of ``case``."""
    from app.services import process_info

    return case is None or process_info.names_steps_in_swedish(case.process_version)


def submitted_rows(task, locale: str, data: dict | None = None) -> list[tuple[str, object]]:
    """(label, value in words) for what a user submitted on a task (or ``data`` for it), in form order."""
    from app.services import form_options
    from app.uow import db

    schema = form_options.fill(db(), schema_of(task.case.process_version, task.form), task.case)
    rows = []
    submitted = (task.submitted if data is None else data) or {}
    for name, prop in schema.get("properties", {}).items():
        if name not in submitted:
            continue
        value = submitted[name]
        options = dict(forms.options(prop, locale))
        if isinstance(value, list):
            value = [options.get(v, v) for v in value]
        elif isinstance(value, str) and value in options:
            value = options[value]
        rows.append((forms.label(prop, locale) or name, value))
    return rows


def init_app(app: Flask) -> None:
    app.jinja_env.filters["local_dt"] = local_dt
    app.jinja_env.filters["local_date"] = lambda v: local_dt(v, "%Y-%m-%d")
    app.jinja_env.filters["age_days"] = age_days
    app.jinja_env.filters["step_error"] = step_error
    app.jinja_env.filters["plain_step_error"] = plain_step_error
    app.jinja_env.filters["duration"] = lambda seconds: format_timedelta(timedelta(seconds=seconds or 0), threshold=1)

    @app.context_processor
    def _helpers():
        locale = str(get_locale() or "sv")

        def task_title(task):
            return (task.title_sv if locale == "sv" and task.title_sv else task.title)

        return {
            "locale": locale,
            "status_word": lambda s: STATUS_WORDS.get(getattr(s, "value", s), s),
            "applicant_status_word": lambda s: APPLICANT_STATUS_WORDS.get(getattr(s, "value", s), s),
            "case_status_word": case_status_word,
            "model_title": lambda model: model_title(model, locale),
            "days_left": days_left,
            "deadline_class": deadline_class,
            "measure_word": lambda case: measure_word(case, locale),
            "process_title": lambda case: process_title(case, locale),
            "has_statutory_clock": has_statutory_clock,
            "case_summary": lambda case: case_summary(case, locale),
            "case_heading": lambda case: case_heading(case, locale),
            "submitted_rows": lambda task, data=None: submitted_rows(task, locale, data),
            "error_text": translated,
            "exemption_word": lambda e: EXEMPTION_WORDS.get(e, e),
            "referral_word": lambda name: referral_word(name, locale),
            "today_local": today_local,
            "outcome_word": lambda o: OUTCOME_WORDS.get(getattr(o, "value", o), o) if o else "",
            "group_word": lambda name: group_word(name, locale),
            "action_word": action_word,
            "message_word": lambda name: MESSAGE_WORDS.get(name, _l("Message")),
            "notice_kind_word": lambda k: NOTICE_KIND_WORDS.get(k, k),
            "document_kind_word": lambda k: DOCUMENT_KIND_WORDS.get(k, _l("Letter")),
            "category_word": lambda c: CATEGORY_WORDS.get(c or "annat", CATEGORY_WORDS["annat"]),
            "categories": list(CATEGORY_WORDS),
            "document_entries": document_versions.entries,
            "field_label": lambda prop: forms.label(prop, locale),
            "field_options": lambda prop: forms.options(prop, locale),
            "field_types": lambda prop: (prop.get("type") if isinstance(prop.get("type"), list)
                                         else [prop.get("type", "string")]),
            "task_title": task_title,
            "history_title": lambda event, case=None: history_title(event, locale, case),
            "step_title": lambda step, case: step_title(step, locale, case),
            "option_label": lambda prop, value: option_label(prop, value, locale),
            "reason_text": lambda why, fallback="": why.text(locale, translated) if why else fallback,
        }
