"""Geometry for the server-rendered SVG charts (templates/organiser/_charts.html draws them).
No JavaScript, nothing from a CDN; each chart comes with its numbers as a table."""

from __future__ import annotations

from math import ceil, log10


def _nice_max(value: int) -> int:
    """A round axis maximum at or above `value` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    power = 10 ** int(log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def wrap_label(label: str, limit: int) -> list[str]:
    """A label on lines of at most `limit` characters, broken between words only (never
    shortened, never ended with "…": a word longer than a line keeps its own line)."""
    lines: list[str] = []
    for word in str(label).split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


LINE = 16  # px between two lines of a label (13 px text)


def _anchor_ends(labels: list[dict], left: float, right: float, room: float = 45) -> None:
    """Axis labels centred under their point, but those near an edge aligned to it, so none
    sticks out of the chart."""
    for label in labels:
        label["anchor"] = "middle"
        if label["x"] - left < room:
            label["anchor"], label["x"] = "start", max(label["x"] - 4, 0)
        elif right - label["x"] < room:
            label["anchor"], label["x"] = "end", min(label["x"] + 4, right)


def bar_chart(rows: list[tuple[str, int]], width: int = 640, bar: int = 22, gap: int = 10):
    """Horizontal bars, one per (label, value), scaled to the largest value. Wide (640): the
    label on the left, wrapped on up to three lines; narrow (phone, width < 480): the label
    above its bar, across the whole width. Labels are never cut."""
    narrow = width < 480
    label_width, value_width = (0, 56) if narrow else (230, 70)
    limit = 44 if narrow else 30
    area = width - label_width - value_width
    top = max((value for _label, value in rows), default=0)
    total = sum(value for _label, value in rows)
    scale = area / top if top else 0
    bars = []
    y = 0
    for label, value in rows:
        lines = wrap_label(label, limit)
        if narrow:
            label_top = y
            bar_y = y + len(lines) * LINE + 2
            row_height = len(lines) * LINE + 2 + bar
        else:
            row_height = max(bar, len(lines) * LINE)
            bar_y = y + (row_height - bar) / 2
            label_top = y + (row_height - len(lines) * LINE) / 2
        bars.append(
            {
                "label": label,
                "lines": [
                    {"text": text, "y": round(label_top + LINE * n + 12, 1)}
                    for n, text in enumerate(lines)
                ],
                "value": value,
                "share": value / total if total else 0,
                "x": label_width,
                "y": round(bar_y, 1),
                "width": max(round(value * scale, 1), 1 if value else 0),
                "text_y": round(bar_y + bar * 0.7, 1),
                "value_x": round(label_width + max(value * scale, 0) + 6, 1),
            }
        )
        y += row_height + gap
    return {
        "width": width,
        "height": max(round(y - gap, 1), bar),
        "bar": bar,
        "narrow": narrow,
        "label_width": label_width,
        "bars": bars,
        "total": total,
    }


def column_chart(series, width: int = 640, height: int = 220, max_labels: int = 6):
    """Vertical bars for [(day, count)]: the registrations received each day."""
    left, right, top, bottom = 40, 10, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((count for _d, count in series), default=0))
    count = len(series)
    slot = plot_w / count if count else plot_w
    bar_w = max(slot * 0.7, 1)
    columns = []
    for index, (day, value) in enumerate(series):
        bar_h = plot_h * value / peak
        columns.append(
            {
                "day": day,
                "value": value,
                "x": round(left + index * slot + (slot - bar_w) / 2, 1),
                "y": round(top + plot_h - bar_h, 1),
                "width": round(bar_w, 1),
                "height": round(bar_h, 1),
            }
        )
    label_every = max(ceil(count / max_labels), 1)
    x_labels = [
        {"day": day, "x": round(left + index * slot + slot / 2, 1)}
        for index, (day, _v) in enumerate(series)
        if (count - 1 - index) % label_every == 0  # the last day always labelled
    ]
    _anchor_ends(x_labels, left, width - right)
    ticks = [
        {"value": value, "y": round(top + plot_h - plot_h * value / peak, 1)}
        for value in sorted({peak * k // 4 for k in range(5)})
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "bottom": top + plot_h,
        "columns": columns,
        "ticks": ticks,
        "x_labels": x_labels,
        "label_y": height - 10,
    }


def line_chart(series, width: int = 640, height: int = 260, max_labels: int = 6):
    """A cumulative line (with the area under it) for [(day, new, cumulative)]."""
    left, right, top, bottom = 56, 16, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((cumulative for _d, _n, cumulative in series), default=0))
    count = len(series)

    def x(index):
        return left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y(value):
        return top + plot_h - plot_h * value / peak

    points = [(round(x(i), 1), round(y(c), 1)) for i, (_d, _n, c) in enumerate(series)]
    line = " ".join(f"{px},{py}" for px, py in points)
    area = ""
    if points:
        base = top + plot_h
        area = f"{points[0][0]},{base} {line} {points[-1][0]},{base}"
    ticks = [{"value": peak * k // 4, "y": round(y(peak * k / 4), 1)} for k in range(5)]
    label_every = max(ceil(count / max_labels), 1)
    x_labels = [
        {"day": day, "x": round(x(i), 1)}
        for i, (day, _n, _c) in enumerate(series)
        if i % label_every == 0 or i == count - 1
    ]
    # A date label is about 75 px wide: the one before the last goes if they would touch.
    if len(x_labels) >= 2 and x_labels[-1]["x"] - x_labels[-2]["x"] < max(plot_w / 8, 90):
        del x_labels[-2]
    _anchor_ends(x_labels, left, width - right)
    return {
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "right": width - right,
        "bottom": top + plot_h,
        "line": line,
        "area": area,
        "points": points,
        "ticks": ticks,
        "x_labels": x_labels,
        "label_y": height - 10,
    }


def progress(value: int, total: int, width: int = 640, height: int = 28):
    share = value / total if total else 0
    return {
        "width": width,
        "height": height,
        "filled": round(width * min(share, 1), 1),
        "share": share,
    }
