"""The build-vs-buy chart of the owner's usage page: inline SVG drawn on the server (no script, no CDN).

Monthly API spend as bars, one self-hosted server's monthly cost as a dashed line, and the spend's
trend (a least-squares line, :func:`sochen.llm.usage.break_even`) carried forward to where it crosses
the server's cost when that is within a year. Months run left to right like the numbers on them (an
axis of time is not reversed for Hebrew); the Hebrew labels are right-to-left text. Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

__all__ = ["spend_chart"]

_FONT = 'font-family="system-ui, \'Noto Sans Hebrew\', Arial, sans-serif" font-size="12"'


def _money(value: float) -> str:
    if value >= 100:
        return f"${value:,.0f}"
    if value >= 1:
        return f"${value:,.2f}"
    return f"${value:.4f}"


def spend_chart(
    history: Sequence[dict[str, Any]],
    verdict: dict[str, Any],
    *,
    title: str,
    server_label: str,
    trend_label: str,
    width: int = 640,
    height: int = 280,
) -> str:
    """The chart as an ``<svg>`` string (``history``: :func:`~sochen.llm.usage.usage_history`)."""
    spend = [float(m.get("api_spend_usd") or 0.0) for m in history]
    months = [str(m.get("month", "")) for m in history]
    server = float(verdict["server_monthly_usd"])
    slope = float(verdict.get("trend_usd_per_month") or 0.0)
    ahead_raw = verdict.get("months_to_break_even")
    ahead = 0
    if ahead_raw is not None and 0 < float(ahead_raw) <= 12 and slope > 0:
        ahead = int(-(-float(ahead_raw) // 1))  # whole months to show past the last one
    slots = len(spend) + ahead
    left, right, top, bottom = 64, 16, 34, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([server, *spend, spend[-1] + slope * ahead if spend else 0.0]) * 1.1 or 1.0

    def y(value: float) -> float:
        return top + plot_h - max(0.0, value) / peak * plot_h

    step = plot_w / max(slots, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" direction="ltr" aria-label="{escape(title)}" class="spend-chart">',
        f'<text x="{width - 4}" y="18" text-anchor="start" {_FONT} font-weight="bold" '
        f'direction="rtl">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#555"/>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" {_FONT}>$0</text>',
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" {_FONT}>{escape(_money(peak))}</text>',
    ]
    for i, (month, value) in enumerate(zip(months, spend, strict=True)):
        x = left + i * step
        bar_top = y(value)
        parts.append(
            f'<rect class="bar" x="{x + step * 0.15:.1f}" y="{bar_top:.1f}" width="{step * 0.7:.1f}" '
            f'height="{top + plot_h - bar_top:.1f}" fill="#1565c0"><title>{escape(month)}: '
            f"{escape(_money(value))}</title></rect>"
        )
        if value > 0:  # an empty month's bar has no height: its "$0" would crowd the axis
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{bar_top - 4:.1f}" text-anchor="middle" {_FONT}>'
                f"{escape(_money(value))}</text>"
            )
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" {_FONT}>{escape(month)}</text>'
        )
    server_y = y(server)
    parts.append(
        f'<line class="server" x1="{left}" y1="{server_y:.1f}" x2="{left + plot_w}" y2="{server_y:.1f}" '
        f'stroke="#b3261e" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    parts.append(
        f'<text x="{left + 4}" y="{server_y - 6:.1f}" text-anchor="end" {_FONT} fill="#b3261e" direction="rtl">'
        f"{escape(server_label)} {escape(_money(server))}</text>"
    )
    if len(spend) >= 2:
        n = len(spend)
        mean_x, mean_y = (n - 1) / 2, sum(spend) / n
        start_x, end_i = left + step / 2, n - 1 + ahead
        start_v = mean_y - slope * mean_x
        end_v = start_v + slope * end_i
        parts.append(
            f'<line class="trend" x1="{start_x:.1f}" y1="{y(start_v):.1f}" x2="{left + end_i * step + step / 2:.1f}" '
            f'y2="{y(end_v):.1f}" stroke="#0b6e4f" stroke-width="2" stroke-dasharray="2 3">'
            f"<title>{escape(trend_label)}</title></line>"
        )
    parts.append(
        f'<text x="{left + plot_w}" y="{height - 6}" text-anchor="start" {_FONT} fill="#0b6e4f" direction="rtl">'
        f"{escape(trend_label)} ┈</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
