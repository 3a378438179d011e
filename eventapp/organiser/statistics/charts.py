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


def bar_chart(rows: list[tuple[str, int]], width: int = 640, bar: int = 22, gap: int = 10):
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    label_width, value_width = 230, 70
    area = width - label_width - value_width
    top = max((value for _label, value in rows), default=0)
    total = sum(value for _label, value in rows)
    scale = area / top if top else 0
    bars = []
    for index, (label, value) in enumerate(rows):
        y = index * (bar + gap)
        bars.append(
            {
                "label": label,
                "value": value,
                "share": value / total if total else 0,
                "x": label_width,
                "y": y,
                "width": max(round(value * scale, 1), 1 if value else 0),
                "text_y": y + bar * 0.7,
                "value_x": label_width + max(value * scale, 0) + 6,
            }
        )
    return {
        "width": width,
        "height": max(len(rows) * (bar + gap) - gap, bar),
        "bar": bar,
        "label_width": label_width,
        "bars": bars,
        "total": total,
    }


def line_chart(series, width: int = 640, height: int = 260):
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
    label_every = max(ceil(count / 6), 1)
    x_labels = [
        {"day": day, "x": round(x(i), 1)}
        for i, (day, _n, _c) in enumerate(series)
        if i % label_every == 0 or i == count - 1
    ]
    if len(x_labels) >= 2 and x_labels[-1]["x"] - x_labels[-2]["x"] < plot_w / 8:
        del x_labels[-2]
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
