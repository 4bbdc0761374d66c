"""Horizontal bar charts as inline SVG, drawn on the server: no script, no front-end build.

Every label is escaped; bars scale to the largest value; each bar carries a <title> with its exact
value for a tooltip and for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

LABEL_WIDTH = 260
BAR_AREA = 420
ROW_HEIGHT = 22
VALUE_WIDTH = 120


def _number(value: float) -> str:
    return f"{value:,.0f}"


def bar_chart(title: str, rows: Sequence[tuple[str, float]], *, css_class: str = "bars") -> str:
    """One bar per (label, value), in the given order."""
    height = ROW_HEIGHT * max(len(rows), 1) + 30
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    largest = max((value for _, value in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title)}">',
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
    ]
    if not rows:
        parts.append('<text x="0" y="40">nothing to show</text>')
    for index, (label, value) in enumerate(rows):
        y = 28 + index * ROW_HEIGHT
        length = max(0.0, value) / largest * BAR_AREA
        parts.append(
            f"<g><title>{escape(label)}: {_number(value)}</title>"
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{ROW_HEIGHT - 6}"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 14}">{_number(value)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
