"""Small inline SVG charts for the HTML report (no scripts, no external files).

Bar charts read right to left, as the report does: labels on the right, bars growing leftwards.
Numeric axes (the latency histogram) keep their usual left-to-right order. Every text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

__all__ = ["bars_rtl", "histogram"]

_FONT = 'font-family="Arial, \'Noto Sans Hebrew\', sans-serif" font-size="12"'


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.0%}"
    if unit == "$":
        return f"${value:.4f}"
    return f"{value:.0f}{unit}"


def bars_rtl(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    unit: str = "%",
    maximum: float | None = None,
    width: int = 560,
    bar_height: int = 22,
    colors: Sequence[str] | None = None,
) -> str:
    """Horizontal bars, labels on the right; ``unit`` '%' (values 0..1), '$' or a suffix like ' ms'."""
    if not items:
        return ""
    label_w, gap, pad = 170, 8, 12
    top = 30
    height = top + len(items) * (bar_height + gap) + pad
    top_value = maximum if maximum is not None else max((v for _, v in items), default=0) or 1
    span = width - label_w - 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" direction="ltr" aria-label="{escape(title)}">',
        f'<text x="{width - 4}" y="18" text-anchor="start" {_FONT} font-weight="bold" '
        f'direction="rtl">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_height + gap)
        length = 0 if top_value <= 0 else max(0.0, min(1.0, value / top_value)) * span
        right = width - label_w
        color = (
            colors[i % len(colors)]
            if colors
            else ("#2e7d32" if unit != "%" or value >= 0.9 else "#f9a825" if value >= 0.7 else "#c62828")
        )
        parts.append(f'<rect x="{right - span}" y="{y}" width="{span}" height="{bar_height}" fill="#eef1f4"/>')
        parts.append(
            f'<rect x="{right - length:.1f}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{color}"><title>{escape(label)}: {escape(_fmt(value, unit))}</title></rect>'
        )
        # direction rtl: "start" is the right edge, where an RTL label begins.
        parts.append(
            f'<text x="{width - 4}" y="{y + bar_height - 6}" text-anchor="start" {_FONT} '
            f'direction="rtl">{escape(label)}</text>'
        )
        parts.append(
            f'<text x="{right - span - 6}" y="{y + bar_height - 6}" text-anchor="end" {_FONT}>'
            f"{escape(_fmt(value, unit))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram(
    values: Sequence[float], *, title: str, unit: str = " ms", bins: int = 12, width: int = 560, height: int = 200
) -> str:
    """A histogram of ``values`` with a left-to-right numeric axis and p50/p95 marks."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if math.isclose(low, high):
        high = low + 1
    step = (high - low) / bins
    counts = [0] * bins
    for v in values:
        counts[min(int((v - low) / step), bins - 1)] += 1
    left, right, top, bottom = 40, 12, 30, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(counts) or 1
    bar_w = plot_w / bins
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" direction="ltr" aria-label="{escape(title)}">',
        f'<text x="{width - 4}" y="18" text-anchor="start" {_FONT} font-weight="bold" '
        f'direction="rtl">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#555"/>',
    ]
    for i, count in enumerate(counts):
        h = count / peak * plot_h
        x = left + i * bar_w
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
            f'fill="#1565c0"><title>{low + i * step:.0f}–{low + (i + 1) * step:.0f}{escape(unit)}: '
            f"{count}</title></rect>"
        )
        if count:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" '
                f"{_FONT}>{count}</text>"
            )
    for frac, anchor in ((0, "start"), (0.5, "middle"), (1, "end")):
        value = low + frac * (high - low)
        parts.append(
            f'<text x="{left + frac * plot_w:.1f}" y="{top + plot_h + 16}" text-anchor="{anchor}" '
            f"{_FONT}>{value:.0f}{escape(unit)}</text>"
        )
    ordered = sorted(values)
    for label, q in (("p50", 0.5), ("p95", 0.95)):
        value = ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
        x = left + (value - low) / (high - low) * plot_w
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#c62828" stroke-dasharray="4 3"/>'
        )
        anchor, dx = ("end", -3) if x > width - 60 else ("start", 3)
        y_label = top + plot_h + 32 if label == "p50" else top + plot_h + 46
        parts.append(
            f'<text x="{x + dx:.1f}" y="{y_label}" text-anchor="{anchor}" {_FONT} fill="#c62828">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
