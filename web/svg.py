"""Charts as inline SVG, drawn on the server: no script, no front-end build.

Horizontal bar charts (`bar_chart`, whose long labels may wrap onto a few lines) and line charts
over a few periods (`line_chart`). Every label is escaped; bars scale to the largest value, lines
to the largest point; each bar and point carries a <title> with its exact value for a tooltip and
for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from itertools import groupby

LABEL_WIDTH = 260
BAR_AREA = 420
ROW_HEIGHT = 22
VALUE_WIDTH = 120


def _number(value: float) -> str:
    return f"{value:,.0f}"


LABEL_CHARS = 36
"""About how many characters of a 12 px label fit in `LABEL_WIDTH`."""
LINE_STEP = 14
"""The height of each further line of a wrapped label."""
_BREAK_AFTER = frozenset(" .@-_/,")


def wrapped(label: str, width: int = LABEL_CHARS, lines: int = 3) -> list[str]:
    """`label` in at most `lines` lines of at most `width` characters each, broken after a
    space, dot, @, hyphen, underscore, slash or comma where one falls in the line (else within
    the word); when some is left over, the last line ends in "…"."""
    rest = " ".join(label.split())
    found: list[str] = []
    while rest and len(found) < lines:
        if len(rest) <= width:
            found.append(rest)
            rest = ""
            break
        cut = max((i + 1 for i in range(width) if rest[i] in _BREAK_AFTER), default=width)
        found.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        found[-1] = found[-1][: width - 1].rstrip() + "…"
    return found or [""]


def _label_text(x: int, y: int, lines: Sequence[str]) -> str:
    """A right-aligned label at (x, y): one line as it is, more as lines below each other."""
    if len(lines) == 1:
        return f'<text x="{x}" y="{y}" text-anchor="end">{escape(lines[0])}</text>'
    spans = "".join(
        f'<tspan x="{x}" dy="{0 if index == 0 else LINE_STEP}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text x="{x}" y="{y}" text-anchor="end" class="wrapped">{spans}</text>'


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, float]],
    *,
    css_class: str = "bars",
    unit: str = "",
    label_lines: int = 1,
) -> str:
    """One bar per (label, value), in the given order; `unit` follows each value ("%").

    With `label_lines` above 1, a label too long for its column wraps onto up to that many
    lines (`wrapped`) and its row grows to hold them; the <title> keeps the whole label."""
    labels = [
        wrapped(label, lines=label_lines) if label_lines > 1 else [label] for label, _ in rows
    ]
    heights = [ROW_HEIGHT + LINE_STEP * (len(lines) - 1) for lines in labels]
    height = (sum(heights) if rows else ROW_HEIGHT) + 30
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
    y = 28
    for (label, value), lines, row_height in zip(rows, labels, heights, strict=True):
        length = max(0.0, value) / largest * BAR_AREA
        parts.append(
            f"<g><title>{escape(label)}: {_number(value)}{escape(unit)}</title>"
            f"{_label_text(LABEL_WIDTH - 8, y + 14, lines)}"
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{ROW_HEIGHT - 6}"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 14}">'
            f"{_number(value)}{escape(unit)}</text></g>"
        )
        y += row_height
    parts.append("</svg>")
    return "".join(parts)


LINE_WIDTH = 520
LINE_HEIGHT = 180
LINE_LEFT = 48
LINE_TOP = 28
LEGEND_ROW = 18


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    css_class: str = "lines",
    unit: str = "",
) -> str:
    """One line per (name, values), a value per label (None: no point, the line breaks), over
    the labels left to right; the n-th series has the class `series-n` (for its colour)."""
    top = max((v for _, values in series for v in values if v is not None), default=0) or 1
    plot_height = LINE_HEIGHT - LINE_TOP - 30
    height = LINE_HEIGHT + LEGEND_ROW * len(series)
    step = (LINE_WIDTH - LINE_LEFT - 40) / max(len(labels) - 1, 1)  # room for the last label

    def x(index: int) -> float:
        return LINE_LEFT + index * step

    def y(value: float) -> float:
        return LINE_TOP + plot_height - max(0.0, value) / top * plot_height

    base = LINE_TOP + plot_height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" role="img" '
        f'width="{LINE_WIDTH}" height="{height}" viewBox="0 0 {LINE_WIDTH} {height}" '
        f'aria-label="{escape(title)}">',
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
        f'<line class="axis" x1="{LINE_LEFT}" y1="{base}" x2="{LINE_WIDTH - 10}" y2="{base}"/>',
        f'<text x="{LINE_LEFT - 6}" y="{LINE_TOP + 4}" text-anchor="end">'
        f"{_number(top)}{escape(unit)}</text>",
        f'<text x="{LINE_LEFT - 6}" y="{base}" text-anchor="end">0{escape(unit)}</text>',
    ]
    for index, label in enumerate(labels):
        parts.append(
            f'<text x="{x(index):.1f}" y="{base + 16}" text-anchor="middle">{escape(label)}</text>'
        )
    if not any(v is not None for _, values in series for v in values):
        parts.append(f'<text x="{LINE_LEFT}" y="{LINE_TOP + 40}">nothing to show yet</text>')
    for number, (name, values) in enumerate(series):
        points = [(i, v) for i, v in enumerate(values[: len(labels)]) if v is not None]
        parts.append(f'<g class="series-{number}"><title>{escape(name)}</title>')
        runs = groupby(enumerate(points), key=lambda item: item[1][0] - item[0])
        for _, run in runs:  # consecutive labels only: a missing value breaks the line
            segment = [point for _, point in run]
            if len(segment) > 1:
                drawn = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in segment)
                parts.append(f'<polyline points="{drawn}"/>')
        for index, value in points:
            parts.append(
                f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="3.5">'
                f"<title>{escape(name)}, {escape(labels[index])}: "
                f"{_number(value)}{escape(unit)}</title></circle>"
            )
        legend = LINE_HEIGHT + LEGEND_ROW * number + 4
        parts.append(
            f'<rect x="{LINE_LEFT}" y="{legend}" width="12" height="4"/>'
            f'<text x="{LINE_LEFT + 18}" y="{legend + 6}">{escape(name)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
