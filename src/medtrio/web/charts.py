"""Server-side inline SVG charts (no JavaScript, no chart library): a lab trend with its reference band,
and diagnoses / encounters / medications as marks on a shared time axis.

Both return `markupsafe.Markup`, ready to place in a template; every text is escaped here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

LEFT, RIGHT, TOP, BOTTOM = 56, 16, 14, 26


@dataclass(frozen=True)
class Point:
    time: dt.datetime
    value: float
    ref_low: float | None = None
    ref_high: float | None = None


@dataclass(frozen=True)
class Mark:
    """One mark in a lane: a point in time, or a span when `end` is given (e.g. a medication course)."""

    time: dt.datetime
    label: str
    end: dt.datetime | None = None
    count: int = 1


def _ts(t: dt.datetime) -> float:
    return t.timestamp() if t.tzinfo else t.replace(tzinfo=dt.UTC).timestamp()


def _time_ticks(t0: float, t1: float, n: int = 6) -> list[tuple[float, str]]:
    """About `n` ticks at whole years (long spans) or months (short spans)."""
    start = dt.datetime.fromtimestamp(t0, dt.UTC)
    end = dt.datetime.fromtimestamp(t1, dt.UTC)
    years = (end - start).days / 365.25
    ticks: list[tuple[float, str]] = []
    if years >= 2:
        step = max(1, round(years / n))
        for y in range(start.year + 1, end.year + 1, step):
            t = dt.datetime(y, 1, 1, tzinfo=dt.UTC).timestamp()
            ticks.append((t, str(y)))
    else:
        months = max(1, int(years * 12) + 1)
        step = max(1, round(months / n))
        y, m = start.year, start.month
        while True:
            m += step
            while m > 12:
                y, m = y + 1, m - 12
            t = dt.datetime(y, m, 1, tzinfo=dt.UTC).timestamp()
            if t > t1:
                break
            ticks.append((t, f"{y}-{m:02d}"))
    return ticks or [(t0, start.strftime("%Y-%m-%d"))]


def _nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    span = hi - lo or abs(hi) or 1.0
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    first = (lo // step + 1) * step
    out, v = [], first
    while v < hi and len(out) < 10:
        out.append(round(v, 10))
        v += step
    return out


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def lab_trend_svg(
    points: Sequence[Point],
    *,
    title: str,
    unit: str | None = None,
    width: int = 1000,
    height: int = 250,
) -> Markup:
    """A line chart of one lab over time with the reference band (green) and out-of-range points in red."""
    if not points:
        return Markup("")
    pts = sorted(points, key=lambda p: p.time)
    lows = [p.ref_low for p in pts if p.ref_low is not None]
    highs = [p.ref_high for p in pts if p.ref_high is not None]
    band = (min(lows), max(highs)) if lows and highs else None
    values = [p.value for p in pts] + (list(band) if band else [])
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or abs(hi) * 0.1 or 1.0
    lo, hi = lo - pad, hi + pad
    t0, t1 = _ts(pts[0].time), _ts(pts[-1].time)
    if t1 - t0 < 86400:
        t0, t1 = t0 - 86400 * 15, t1 + 86400 * 15
    w, h = width - LEFT - RIGHT, height - TOP - BOTTOM

    def x(t: float) -> float:
        return LEFT + (t - t0) / (t1 - t0) * w

    def y(v: float) -> float:
        return TOP + (hi - v) / (hi - lo) * h

    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" class="lab-trend">',
        f"<title>{escape(title)}</title>",
    ]
    for v in _nice_ticks(lo, hi):
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{LEFT + w}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{_fmt(v)}</text>')
    if band:
        parts.append(
            f'<rect class="band" x="{LEFT}" y="{y(band[1]):.1f}" width="{w}" '
            f'height="{max(0.5, y(band[0]) - y(band[1])):.1f}">'
            f"<title>reference {_fmt(band[0])}–{_fmt(band[1])}"
            f"{' ' + escape(unit) if unit else ''}</title></rect>"
        )
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT + w}" y1="{TOP + h}" y2="{TOP + h}"/>')
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + h}"/>')
    for t, label in _time_ticks(t0, t1):
        if t0 <= t <= t1:
            parts.append(f'<text x="{x(t):.1f}" y="{height - 8}" text-anchor="middle">{label}</text>')
    if unit:
        parts.append(f'<text x="{LEFT - 6}" y="{TOP - 3}" text-anchor="end">{escape(unit)}</text>')
    coords = " ".join(f"{x(_ts(p.time)):.1f},{y(p.value):.1f}" for p in pts)
    parts.append(f'<polyline class="line" points="{coords}"/>')
    for p in pts:
        out = (p.ref_low is not None and p.value < p.ref_low) or (
            p.ref_high is not None and p.value > p.ref_high
        )
        parts.append(
            f'<circle class="pt{" out" if out else ""}" cx="{x(_ts(p.time)):.1f}" '
            f'cy="{y(p.value):.1f}" r="2.6">'
            f"<title>{p.time:%Y-%m-%d}: {_fmt(p.value)}{' ' + escape(unit) if unit else ''}</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


LANE_H = 34


def timeline_marks_svg(
    lanes: Sequence[tuple[str, str, Sequence[Mark]]],
    *,
    width: int = 1000,
    max_marks: int = 400,
) -> Markup:
    """Lanes of marks on one time axis: `lanes` = [(css kind, lane label, marks)], e.g.
    ("diagnosis", "Diagnoses", [...]). Spans are drawn as bars, points as diamonds (diagnoses) or ticks."""
    all_times = [_ts(m.time) for _, _, ms in lanes for m in ms] + [
        _ts(m.end) for _, _, ms in lanes for m in ms if m.end is not None
    ]
    if not all_times:
        return Markup("")
    t0, t1 = min(all_times), max(all_times)
    if t1 - t0 < 86400:
        t0, t1 = t0 - 86400 * 15, t1 + 86400 * 15
    left = 110
    w = width - left - RIGHT
    height = TOP + LANE_H * len(lanes) + BOTTOM

    def x(t: float) -> float:
        return left + (t - t0) / (t1 - t0) * w

    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="timeline" class="marks">']
    for t, label in _time_ticks(t0, t1):
        if t0 <= t <= t1:
            parts.append(
                f'<line class="grid" x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{TOP}" y2="{height - BOTTOM}"/>'
            )
            parts.append(f'<text x="{x(t):.1f}" y="{height - 8}" text-anchor="middle">{label}</text>')
    for i, (kind, label, marks) in enumerate(lanes):
        cy = TOP + LANE_H * i + LANE_H / 2
        parts.append(f'<text class="lane-label" x="4" y="{cy + 4:.1f}">{escape(label)}</text>')
        parts.append(f'<line class="grid" x1="{left}" x2="{left + w}" y1="{cy:.1f}" y2="{cy:.1f}"/>')
        shown = list(marks)[:max_marks]
        for j, m in enumerate(shown):
            tip = f"{m.time:%Y-%m-%d}"
            if m.end is not None and m.end != m.time:
                tip += f" – {m.end:%Y-%m-%d}"
            tip += f": {m.label}" + (f" (×{m.count})" if m.count > 1 else "")
            mx = x(_ts(m.time))
            if m.end is not None:
                bar_w = max(3.0, x(_ts(m.end)) - mx)
                off = (j % 3 - 1) * 7  # stagger overlapping courses
                parts.append(
                    f'<rect class="mark-{kind}" x="{mx:.1f}" y="{cy - 3 + off:.1f}" '
                    f'width="{bar_w:.1f}" height="6" rx="2"><title>{escape(tip)}</title></rect>'
                )
            elif kind == "diagnosis":
                parts.append(
                    f'<path class="mark-{kind}" d="M{mx:.1f},{cy - 7:.1f} l6,7 l-6,7 l-6,-7 z">'
                    f"<title>{escape(tip)}</title></path>"
                )
            else:
                parts.append(
                    f'<rect class="mark-{kind}" x="{mx - 1.5:.1f}" y="{cy - 9:.1f}" width="3" height="18">'
                    f"<title>{escape(tip)}</title></rect>"
                )
    parts.append("</svg>")
    return Markup("".join(parts))
