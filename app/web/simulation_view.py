"""What the simulation pages show: the choices of the form, and a result as tables, charts and heatmaps."""
from __future__ import annotations

import re

from flask_babel import format_decimal, gettext, lazy_gettext as _l, ngettext

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
KRONOR_METRICS = {"fee_reductions_kronor"}
#: The minus sign of a negative figure (a hyphen is not one).
MINUS = "\u2212"
REASON_WORDS = {
    "refused": _l("the step refused the simulated answers however they were given"),
    "failed": _l("the step failed (a handler, a script or an expression)"),
    "unexpected": _l("the case was not waiting for what the simulation did next"),
}
SOURCE_WORDS = {
    "history": _l("last year's history"), "default": _l("defaults"), "uniform": _l("every allowed answer alike"),
    "rate": _l("the rate given"), "replay": _l("last year's actual applications"),
}
INPUT_WORDS = {"arrivals": _l("Arrivals"), "mix": _l("Applications and answers"),
               "durations": _l("Working time per task"), "replies": _l("Applicants' replies")}


def number(value: float | None, digits: int = 1, signed: bool = False) -> str:
    """A figure in the reader's language: decimal comma and thousands spaces in Swedish, a true minus sign, and
    a plus sign for a difference that is above zero."""
    if value is None:
        return "–"
    rounded = round(value, digits)
    text = format_decimal(abs(rounded), format="#,##0." + "0" * digits if digits else "#,##0")
    if rounded < 0:
        return MINUS + text
    return "+" + text if signed and rounded > 0 else text


def nobreak(text: str) -> str:
    """A number keeps its per cent sign on the same line ("95 %" never breaks apart)."""
    return re.sub(r"(\d) %", "\\1\u00a0%", str(text))


def _kind(metric: str) -> str:
    return "percent" if metric in PERCENT_METRICS else "kronor" if metric in KRONOR_METRICS else "days"


def figure(metric: dict, kind: str, difference: bool = False) -> str:
    """A metric's mean: days, a share in % (a difference of shares in percentage points) or kronor."""
    mean = metric.get("mean")
    if mean is None:
        return "–"
    if kind == "percent":
        text, points = number(mean * 100, signed=difference), gettext("percentage points")
        return f"{text}\u00a0{points}" if difference else f"{text}\u00a0%"
    if kind == "kronor":
        return f"{number(mean, 0, signed=difference)}\u00a0kr"
    return number(mean, signed=difference)


def spread(metric: dict, kind: str, difference: bool = False) -> str:
    """The 95 % interval, "−14,7 till −10,4" ("−14.7 to −10.4"; a difference signed); nothing from one run."""
    low, high = metric.get("low"), metric.get("high")
    if low is None or high is None:
        return ""
    scale, digits = (100, 1) if kind == "percent" else (1, 0) if kind == "kronor" else (1, 1)
    return gettext("%(low)s to %(high)s", low=number(low * scale, digits, difference),
                   high=number(high * scale, digits, difference))


def failure_sentence(scenario: dict, locale: str) -> str | None:
    """What stopped a scenario's cases that could not be simulated, in words: how many, at which step, why."""
    failures = scenario.get("failures") or []
    if not failures:
        return None
    count, first = sum(f["count"] for f in failures), failures[0]
    step = first.get("step_sv") if locale == "sv" else first.get("step")
    reason = REASON_WORDS.get(first.get("reason") or "failed", REASON_WORDS["failed"])
    if step:
        return ngettext("Scenario %(name)s: %(num)s application could not be simulated to a decision. It stopped "
                        "at the step “%(step)s”: %(reason)s.",
                        "Scenario %(name)s: %(num)s applications could not be simulated to a decision. The most "
                        "common place they stopped is the step “%(step)s”: %(reason)s.",
                        count, name=scenario["name"], step=step, reason=reason)
    return ngettext("Scenario %(name)s: %(num)s application could not be simulated to a decision: %(reason)s.",
                    "Scenario %(name)s: %(num)s applications could not be simulated to a decision; most "
                    "often: %(reason)s.", count, name=scenario["name"], reason=reason)


def difference_sentence(difference: dict | None) -> str | None:
    """B − A in words: percentage points decided within 10 weeks and the statutory median, with intervals."""
    if not difference:
        return None
    share, days = difference["within_10_weeks_share"], difference["statutory_days_median"]

    def points(x):
        return number(None if x is None else x * 100, signed=True)

    text = gettext("%(share)s percentage points decided within 10 weeks (95 %% interval %(low)s to %(high)s); "
                   "statutory time, median %(days)s days (%(dlow)s to %(dhigh)s).",
                   share=points(share["mean"]), low=points(share["low"]), high=points(share["high"]),
                   days=number(days["mean"], signed=True), dlow=number(days["low"], signed=True),
                   dhigh=number(days["high"], signed=True))
    return nobreak(text)


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


def result_view(run: SimulationRun, titles: dict[str, str], locale: str = "sv") -> dict | None:
    """The result arranged for the page (None while it runs)."""
    if not run.result:
        return None
    result = run.result
    scenarios = result["scenarios"]
    return {
        "metrics": [(m, METRIC_WORDS[m], _kind(m)) for m in METRIC_WORDS],
        "scenarios": scenarios,
        "difference": result.get("difference"),
        "difference_sentence": difference_sentence(result.get("difference")),
        "inputs": [(INPUT_WORDS.get(k, k), SOURCE_WORDS.get(v, v)) for k, v in result.get("inputs", {}).items()],
        "charts": [_group_charts(s, titles) for s in scenarios],
        "calibration": result.get("calibration"),
        "failures": [sentence for s in scenarios if (sentence := failure_sentence(s, locale))],
    }
