"""Server-rendered SVG charts: no script, readable at phone width, printable, with a text alternative."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 30, 16, 36
COLOURS = ("#0b5394", "#1e7b3a", "#a86400", "#7a3e9d", "#5b6b7c")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    #: "line" or "bar"
    kind: str = "line"


def _nice_max(value: float) -> float:
    """An axis maximum of four round steps (1, 2 or 5 × 10^n each) at or above ``value``."""
    if value <= 0:
        return 4.0
    magnitude = 10 ** math.floor(math.log10(value / 4))
    for step in (1, 2, 5, 10):
        if value <= 4 * step * magnitude:
            return 4 * step * magnitude
    return 40 * magnitude


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f} %"
    if value == int(value):
        return f"{value:,.0f}".replace(",", "\u202f")
    return f"{value:.1f}"


@dataclass(frozen=True)
class _Frame:
    """Where values land on the drawing."""

    n: int
    top: float

    @property
    def step(self) -> float:
        return (WIDTH - LEFT - RIGHT) / max(1, self.n)

    def x(self, i: int) -> float:
        return LEFT + self.step * (i + 0.5)

    def y(self, v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - min(v, self.top) / self.top)


def chart(labels: Sequence[str], series: Sequence[Series], *, title: str, percent: bool = False,
          reference: tuple[float, str] | None = None, label_every: int = 3) -> Markup:
    """An SVG chart of ``series`` over ``labels`` (bars side by side, lines over them)."""
    values = [v for s in series for v in s.values if v is not None]
    top = 1.0 if percent else _nice_max(max(values + [reference[0] if reference else 0] or [1]))
    frame = _Frame(len(labels), top)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
             f'preserveAspectRatio="xMidYMid meet"><title>{escape(title)}</title>',
             _axes(frame, labels, percent, label_every), _bars(frame, labels, series, percent)]
    parts += [_line(s, COLOURS[i % len(COLOURS)], frame.x, frame.y, labels, percent)
              for i, s in enumerate(series) if s.kind == "line"]
    if reference:
        y = frame.y(reference[0])
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="reference"/>'
                     f'<text x="{WIDTH - RIGHT}" y="{y - 4:.1f}" text-anchor="end" class="axis">'
                     f'{escape(reference[1])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _axes(frame: _Frame, labels: Sequence[str], percent: bool, label_every: int) -> str:
    parts = []
    for k in range(5):
        v = frame.top * k / 4
        y = frame.y(v)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{_fmt(v, percent)}</text>')
    last = frame.n - 1
    for i, label in enumerate(labels):
        if i % label_every == last % label_every:  # every second label is left out at phone width
            minor = " minor" if (last - i) // label_every % 2 else ""
            parts.append(f'<text x="{frame.x(i):.1f}" y="{HEIGHT - 12}" text-anchor="middle" '
                         f'class="axis{minor}">{escape(label)}</text>')
    return "".join(parts)


def _bars(frame: _Frame, labels: Sequence[str], series: Sequence[Series], percent: bool) -> str:
    bars = [(i, s) for i, s in enumerate(series) if s.kind == "bar"]
    width = frame.step * 0.8 / max(1, len(bars))
    parts = []
    for b, (index, s) in enumerate(bars):
        for i, v in enumerate(s.values):
            if v:
                left = frame.x(i) - frame.step * 0.4 + b * width
                parts.append(f'<rect x="{left:.1f}" y="{frame.y(v):.1f}" width="{width:.1f}" '
                             f'height="{frame.y(0) - frame.y(v):.1f}" fill="{COLOURS[index % len(COLOURS)]}">'
                             f'<title>{escape(s.name)} {escape(labels[i])}: {_fmt(v, percent)}</title></rect>')
    return "".join(parts)


def _line(s: Series, colour: str, x, y, labels, percent: bool) -> str:
    segments, current = [], []
    for i, v in enumerate(s.values):
        if v is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append((i, v))
    if current:
        segments.append(current)
    out = []
    for segment in segments:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in segment)
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        out.extend(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"><title>{escape(s.name)} '
                   f'{escape(labels[i])}: {_fmt(v, percent)}</title></circle>' for i, v in segment)
    return "".join(out)


def legend(series: Sequence[Series]) -> Markup:
    """The colour key under a chart."""
    items = "".join(f'<span><span class="lg series-{i % len(COLOURS)}"></span>{escape(s.name)}</span>'
                    for i, s in enumerate(series))
    return Markup(f'<div class="legend chart-legend">{items}</div>')
