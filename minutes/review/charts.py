"""Bar charts drawn on the server as SVG: no script, no chart library, nothing from outside.

Each chart is an image with a title and a description (read by screen readers through
aria-labelledby), every bar carries its value as text, and the page shows the same figures in
a table next to it. Colours come from presentation attributes, not style attributes, so the
Content-Security-Policy (no inline style) allows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString

BAR = "#1d4e89"  # contrast 8.8:1 on white
SHORT = "#a4262c"  # below the line or the maximum: contrast 6.5:1 on white
INK = "#1b1b1b"
GRID = "#767676"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    text: str  # the value as printed above the bar
    full: bool  # reached the target (drawn in the main colour)


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    maximum: int,
) -> SafeString:
    """Vertical bars of `value` out of `maximum`, labelled underneath."""
    width, height, top, bottom, left = 640, 260, 30, 40, 40
    plot = height - top - bottom
    step = (width - left) / max(len(bars), 1)
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" '
            'role="img" aria-labelledby="{}-title {}-desc" width="100%">'
            '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
            width,
            height,
            chart_id,
            chart_id,
            chart_id,
            title,
            chart_id,
            description,
        ),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
            left,
            top + plot,
            width,
            top + plot,
            GRID,
        ),
        format_html(
            '<text x="{}" y="{}" font-size="14" fill="{}" text-anchor="end">{}</text>'
            '<text x="{}" y="{}" font-size="14" fill="{}" text-anchor="end">0</text>',
            left - 6,
            top + 5,
            INK,
            maximum,
            left - 6,
            top + plot + 5,
            INK,
        ),
    ]
    for index, bar in enumerate(bars):
        bar_height = plot * bar.value / maximum if maximum else 0
        x = left + index * step + step * 0.15
        y = top + plot - bar_height
        parts.append(
            format_html(
                '<g><rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" font-size="14" fill="{}" text-anchor="middle">{}</text>'
                '<text x="{}" y="{}" font-size="14" fill="{}" text-anchor="middle">{}</text></g>',
                _n(x),
                _n(y),
                _n(step * 0.7),
                _n(bar_height),
                BAR if bar.full else SHORT,
                _n(x + step * 0.35),
                _n(y - 6),
                INK,
                bar.text,
                _n(x + step * 0.35),
                height - bottom + 22,
                INK,
                bar.label,
            )
        )
    return format_html("{}" * len(parts) + "</svg>", *parts)


def _n(value: float) -> str:
    return f"{value:.1f}"
