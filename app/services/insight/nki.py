"""NKI (nöjd-kund-index) for the insight dashboard, from the applicants' survey (``services.survey_results``).

The figure follows the dashboard's period, process, case type and track; below the survey's privacy
minimum (``survey_min_answers``) it is None and the dashboard says there are not enough answers yet.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.services import survey_results

from .filters import Filters


def figures(session: Session, filters: Filters) -> dict | None:
    """NKI 0–100 with its number of answers for the period; None while too few answers are stored."""
    found = survey_results.results(session, first=filters.start, last=filters.end, process=filters.process)
    group = found
    for key, groups in (("case_type", "by_case_type"), ("track", "by_track")):
        wanted = getattr(filters, key)
        if wanted:
            group = next((g for g in found[groups] if g["key"] == wanted), None)
            if group is None:
                return None
    if not group["shown"] or group["nki"] is None:
        return None
    return {"index": group["nki"], "answers": group["respondents"]}
