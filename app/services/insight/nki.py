"""NKI (nöjd-kund-index) from the applicants' satisfaction survey.

The survey belongs to the applicants' portal (issue 12), which is not in this
installation yet: there are no stored answers to aggregate, so the figure is
None and the dashboard says "no survey answers yet" instead of a number.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from .filters import Filters


def figures(session: Session, filters: Filters) -> dict | None:
    """NKI 0–100 with its number of answers for the period; None while no survey answers are stored."""
    return None
