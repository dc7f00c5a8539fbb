"""The one CSV writer for every export: cells a spreadsheet would run as a formula are neutralised.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by Excel and LibreOffice as a formula (CSV injection: a case
description "=HYPERLINK(...)" becomes a live link in an administrator's sheet).
Such text gets a leading apostrophe, which spreadsheets show as plain text.
Numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPE = "text/csv; charset=utf-8"


def neutralise(value: object) -> object:
    """``value`` as a spreadsheet will show it literally (text starting like a formula gets a ``'``)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text of ``header`` and ``rows``; ``None`` becomes an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return out.getvalue()
