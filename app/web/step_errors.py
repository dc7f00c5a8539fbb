"""A failed step's error (an incident, a case's last error) in the reader's language.

Errors are stored as the engine wrote them, in English (``Compute: the script
ran longer than 2 s``). The sentences Lotsen itself writes about a script's
limits are translated where they are shown; the rest (a handler's own words)
is shown as it is.
"""
from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import format_decimal, gettext

from app.engine.script_pool import LIMIT_MESSAGES

_AMOUNT = "%(amount)s"


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, str]]:
    patterns = []
    for template in LIMIT_MESSAGES.values():
        before, _, after = template.partition(_AMOUNT)
        amount = r"(?P<amount>\d+(?:\.\d+)?)" if _AMOUNT in template else ""
        patterns.append((re.compile(re.escape(before) + amount + re.escape(after)), template))
    return patterns


def _translated(match: re.Match, template: str) -> str:
    amount = match.groupdict().get("amount")
    return gettext(template, amount=format_decimal(float(amount)) if amount else "")


def step_error(text: str | None) -> str:
    """``text`` with Lotsen's sentences about script limits in the current language."""
    if not text:
        return text or ""
    for pattern, template in _patterns():
        text = pattern.sub(lambda m, t=template: _translated(m, t), text)
    return text


def plain_step_error(text: str | None) -> str:
    """``text`` in the current language when it is one of Lotsen's own sentences (a script's limits), else "".

    Staff see these; any other error (a handler's exception, a missing variable) is for administrators.
    """
    if not text or not any(pattern.search(text) for pattern, _ in _patterns()):
        return ""
    return step_error(text)
