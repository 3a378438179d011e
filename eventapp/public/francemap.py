"""The map of France's regions on tour pages: the local SVG (static/img/france-regions.svg, own
work, CC0) is read once, and the tour page draws it inline with the stages' regions
highlighted and a numbered marker per stage. No tiles, no CDN, no JavaScript."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

from flask import current_app

SVG_NS = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class RegionShape:
    code: str
    d: str
    x: float
    y: float


@dataclass
class Marker:
    number: int
    x: float
    y: float
    label: str


@dataclass
class TourMap:
    viewbox: str
    regions: list[tuple[RegionShape, bool]]  # (shape, has a stage)
    markers: list[Marker] = field(default_factory=list)
    # Stages whose region is not drawn (overseas, abroad, unknown): listed under the map.
    unmapped: list[Marker] = field(default_factory=list)


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[str, tuple[RegionShape, ...]]:
    # Our own static file, not user input: plain ElementTree is fine here.
    root = ElementTree.parse(path).getroot()  # noqa: S314
    shapes = tuple(
        RegionShape(
            code=node.get("data-region"),
            d=node.get("d"),
            x=float(node.get("data-x")),
            y=float(node.get("data-y")),
        )
        for node in root.iter(f"{SVG_NS}path")
        if node.get("data-region")
    )
    return root.get("viewBox"), shapes


def region_shapes() -> tuple[str, tuple[RegionShape, ...]]:
    path = Path(current_app.static_folder) / "img" / "france-regions.svg"
    return _load(str(path))


def tour_map(stages: list[tuple[int, list[str], str]]) -> TourMap:
    """stages: (number, region codes (main first), label) in tour order."""
    viewbox, shapes = region_shapes()
    by_code = {s.code: s for s in shapes}
    marked = {code for _n, codes, _l in stages for code in codes}
    result = TourMap(viewbox=viewbox, regions=[(s, s.code in marked) for s in shapes])
    # Several stages in the same region: spread their markers on a small circle.
    per_region: dict[str, list[tuple[int, str]]] = {}
    for number, codes, label in stages:
        main = codes[0] if codes else None
        if main in by_code:
            per_region.setdefault(main, []).append((number, label))
        else:
            result.unmapped.append(Marker(number, 0, 0, label))
    for code, items in per_region.items():
        shape = by_code[code]
        for index, (number, label) in enumerate(items):
            if len(items) == 1:
                x, y = shape.x, shape.y
            else:
                angle = 2 * math.pi * index / len(items)
                x = shape.x + 22 * math.cos(angle)
                y = shape.y + 22 * math.sin(angle)
            result.markers.append(Marker(number, round(x, 1), round(y, 1), label))
    result.markers.sort(key=lambda m: m.number)
    return result


@dataclass
class CountMap:
    """The same map with a figure per region (the sector directory: organisations listed)."""

    viewbox: str
    regions: list[tuple[RegionShape, int]]  # (shape, count), every drawn region
    # Counts of places the map does not draw (overseas, abroad), listed under it.
    unmapped: dict[str, int] = field(default_factory=dict)


def count_map(counts: dict[str, int]) -> CountMap:
    """counts: region code → number (missing codes count 0)."""
    viewbox, shapes = region_shapes()
    drawn = {s.code for s in shapes}
    return CountMap(
        viewbox=viewbox,
        regions=[(s, counts.get(s.code, 0)) for s in shapes],
        unmapped={code: n for code, n in counts.items() if code not in drawn and n},
    )
