"""A Kaplan-Meier step curve as inline SVG (no JavaScript, no external assets), for the research page."""

from __future__ import annotations

from medtrio.literature.cohort import KMPoint


def km_svg(curve: list[KMPoint], horizon: float | None = None, width: int = 560, height: int = 240) -> str:
    """The survival steps of `curve` (day on x up to `horizon`, the longest follow-up; S(t) on y)."""
    pad = 36
    last = max([p.day for p in curve] + [horizon or 0.0]) or 1.0
    x = lambda d: pad + (width - 2 * pad) * d / last  # noqa: E731
    y = lambda s: height - pad - (height - 2 * pad) * s  # noqa: E731
    path, prev = [f"M{x(0):.1f},{y(1):.1f}"], 1.0
    for p in curve[1:]:
        path.append(f"L{x(p.day):.1f},{y(prev):.1f} L{x(p.day):.1f},{y(p.survival):.1f}")
        prev = p.survival
    path.append(f"L{x(last):.1f},{y(prev):.1f}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="km" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Kaplan-Meier curve">'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#888"/>'
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#888"/>'
        f'<text x="{pad - 4}" y="{y(1) + 4:.0f}" text-anchor="end" font-size="11">1.0</text>'
        f'<text x="{pad - 4}" y="{y(0) + 4:.0f}" text-anchor="end" font-size="11">0</text>'
        f'<text x="{width - pad}" y="{height - 8}" text-anchor="end" font-size="11">{last:.0f} days</text>'
        f'<path d="{" ".join(path)}" fill="none" stroke="#1f6feb" stroke-width="2"/></svg>'
    )
