"""Which trend figures each dashboard chart shows, and its CSV."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date, lazy_gettext as _l

from app.services.csv_export import to_csv

from .charts import Series, chart, legend


@dataclass(frozen=True)
class ChartSpec:
    name: str
    title: object
    #: (label, trend field, "line" | "bar")
    series: tuple[tuple[object, str, str], ...]
    percent: bool = False
    reference: tuple[float, object] | None = None


CHARTS = (
    ChartSpec("volumes", _l("Cases received, decided and open per month"), (
        (_l("Received"), "received", "bar"), (_l("Decided"), "decided", "bar"),
        (_l("Open at the end of the month"), "open_at_end", "line"))),
    ChartSpec("times", _l("Handling times per month (days)"), (
        (_l("Statutory time, median"), "statutory_days_median", "line"),
        (_l("Statutory time, 90th percentile"), "statutory_days_p90", "line"),
        (_l("Lead time as experienced, median"), "lead_time_days_median", "line")),
        reference=(70, _l("10 weeks"))),
    ChartSpec("shares", _l("Share decided in time per month"), (
        (_l("Within the statutory deadline"), "within_deadline_share", "line"),
        (_l("Within 10 weeks"), "within_10_weeks_share", "line")), percent=True),
    ChartSpec("reductions", _l("Fee reductions for late decisions per month (kronor)"), (
        (_l("Fee reductions (kronor)"), "fee_reductions_kronor", "bar"),)),
)
BY_NAME = {c.name: c for c in CHARTS}


def month_label(key: str) -> str:
    return format_date(date(int(key[:4]), int(key[5:7]), 1), "MMM yy")


def rendered(months: list[dict]) -> list[dict]:
    """Each chart with its SVG, legend and table rows, for the page."""
    labels = [month_label(m["month"]) for m in months]
    out = []
    for spec in CHARTS:
        series = [Series(str(label), [m[field] for m in months], kind) for label, field, kind in spec.series]
        reference = (spec.reference[0], str(spec.reference[1])) if spec.reference else None
        out.append({"spec": spec, "svg": chart(labels, series, title=str(spec.title), percent=spec.percent,
                                                  reference=reference),
                    "legend": legend(series), "columns": [str(label) for label, _, _ in spec.series],
                    "rows": [(labels[i], [m[field] for _, field, _ in spec.series]) for i, m in enumerate(months)]})
    return out


def csv_of(spec: ChartSpec, months: list[dict]) -> str:
    return to_csv(["month"] + [field for _, field, _ in spec.series],
                  ([m["month"]] + [m[field] for _, field, _ in spec.series] for m in months))
