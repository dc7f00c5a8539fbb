"""What the simulation pages show: the choices of the form, and a result as tables, charts and heatmaps."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import SimulationRun

from .charts import Series, chart, legend

METRIC_WORDS = {
    "statutory_days_median": _l("Statutory time, median (days)"),
    "statutory_days_p90": _l("Statutory time, 90th percentile (days)"),
    "within_10_weeks_share": _l("Decided within 10 weeks"),
    "lead_time_days_median": _l("Lead time as experienced, median (days)"),
    "lead_time_days_p90": _l("Lead time, 90th percentile (days)"),
    "fee_reductions_kronor": _l("Fee reductions for late decisions (kronor per run)"),
    "extended_share": _l("Deadline extended"),
}
PERCENT_METRICS = {"within_10_weeks_share", "extended_share"}
SOURCE_WORDS = {
    "history": _l("last year's history"), "default": _l("defaults"), "uniform": _l("every allowed answer alike"),
    "rate": _l("the rate given"), "replay": _l("last year's actual applications"),
}
INPUT_WORDS = {"arrivals": _l("Arrivals"), "mix": _l("Applications and answers"),
               "durations": _l("Working time per task"), "replies": _l("Applicants' replies")}


def _group_charts(scenario: dict, titles: dict[str, str]) -> list[dict]:
    groups = scenario.get("groups") or {}
    if not groups:
        return []
    weeks = max((len(g["weeks"]) for g in groups.values()), default=0)
    labels = [str(w + 1) for w in range(weeks)]
    out = []
    for key, title, percent in (("queue", _l("Tasks waiting per group at the start of each week"), False),
                                ("utilisation", _l("Utilisation per group per week"), True)):
        series = [Series(titles.get(name, name), (g[key] + [None] * weeks)[:weeks])
                  for name, g in sorted(groups.items()) if any(v for v in g[key])]
        if series:
            out.append({"title": title, "svg": chart(labels, series, title=str(title), percent=percent,
                                                     label_every=max(1, weeks // 8)),
                        "legend": legend(series), "percent": percent, "labels": labels, "series": series})
    return out


def result_view(run: SimulationRun, titles: dict[str, str]) -> dict | None:
    """The result arranged for the page (None while it runs)."""
    if not run.result:
        return None
    result = run.result
    scenarios = result["scenarios"]
    return {
        "metrics": [(m, METRIC_WORDS[m], m in PERCENT_METRICS) for m in METRIC_WORDS],
        "scenarios": scenarios,
        "difference": result.get("difference"),
        "inputs": [(INPUT_WORDS.get(k, k), SOURCE_WORDS.get(v, v)) for k, v in result.get("inputs", {}).items()],
        "charts": [_group_charts(s, titles) for s in scenarios],
        "calibration": result.get("calibration"),
    }
