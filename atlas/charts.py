"""The dashboard's charts as SVG, drawn on the server: numbers and shapes only, every word escaped. Each chart is
shown beside a table of its numbers (the view's), so a screen reader reads the table and the chart is an image
with a title. No script, no third-party request; the page's print stylesheet prints them."""

from __future__ import annotations

import math
from functools import lru_cache

import shapely
from markupsafe import Markup, escape

from atlas.i18n import number
from atlas.regions import Regions

SERIES_COLOURS = ("#12355b", "#007a5a", "#b35900")  # came in, published, rejected: dark enough on white (AA)
SCALE = ("#eef4fb", "#c6dbef", "#84b4dc", "#4285c4", "#12355b")  # few → many per inhabitants
GAP_COLOUR = "#ffffff"  # no project at all: white, hatched
SIMPLIFY = 0.004  # degrees (about 300–400 m): a Kreis outline at the size of a chart


def bar_chart(title: str, categories: list[str], series: list[tuple[str, list[int]]], chart_id: str) -> Markup:
    """Grouped bars: a group per category (month), a bar per series, a legend below."""
    width, height, left, bottom, top = 720, 280, 44, 56, 16
    plot_w, plot_h = width - left - 8, height - bottom - top
    highest = max([1] + [v for _label, values in series for v in values])
    step = _nice_step(highest)
    ceiling = step * math.ceil(highest / step)
    group_w = plot_w / max(1, len(categories))
    bar_w = max(2.0, (group_w - 6) / max(1, len(series)))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" role="img" '
             f'aria-labelledby="{chart_id}-titel" id="{chart_id}"><title id="{chart_id}-titel">{escape(title)}'
             "</title>"]
    for tick in range(0, ceiling + 1, step):
        y = top + plot_h - plot_h * tick / ceiling
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{escape(number(tick))}'
                     "</text>")
    for i, category in enumerate(categories):
        x0 = left + i * group_w + 3
        for j, (label, values) in enumerate(series):
            value = values[i]
            h = plot_h * value / ceiling
            parts.append(f'<rect x="{x0 + j * bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                         f'height="{h:.1f}" fill="{SERIES_COLOURS[j % len(SERIES_COLOURS)]}">'
                         f"<title>{escape(category)}: {escape(label)} {escape(number(value))}</title></rect>")
        parts.append(f'<text x="{x0 + group_w / 2 - 3:.1f}" y="{top + plot_h + 16}" class="tick" '
                     f'text-anchor="middle">{escape(category)}</text>')
    x = left
    for j, (label, _values) in enumerate(series):
        parts.append(f'<rect x="{x}" y="{height - 22}" width="12" height="12" '
                     f'fill="{SERIES_COLOURS[j % len(SERIES_COLOURS)]}"/>'
                     f'<text x="{x + 16}" y="{height - 12}" class="legend">{escape(label)}</text>')
        x += 24 + 8 * len(label)
    parts.append("</svg>")
    return Markup("".join(parts))


def choropleth(title: str, regions: Regions, arl: str | None, values: dict[str, float], labels: dict[str, str],
               legend: list[str], chart_id: str) -> Markup:
    """The Kreise (of one district or the state) coloured by `values` in five classes (breaks from the values);
    a Kreis whose value is 0 is white and hatched. `labels`: each Kreis's title (name and figure); `legend`: the
    five class texts and the one for none."""
    shapes, (width, height) = _shapes(regions, arl)
    breaks = class_breaks([v for v in values.values() if v > 0])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 40}" class="chart map" '
             f'role="img" aria-labelledby="{chart_id}-titel" id="{chart_id}"><title id="{chart_id}-titel">'
             f"{escape(title)}</title><defs><pattern id=\"{chart_id}-luecke\" width=\"6\" height=\"6\" "
             'patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
             '<line x1="0" y1="0" x2="0" y2="6" stroke="#b00020" stroke-width="2"/></pattern></defs>']
    for rs, path in shapes:
        value = values.get(rs, 0.0)
        fill = f"url(#{chart_id}-luecke)" if value <= 0 else SCALE[class_of(value, breaks)]
        parts.append(f'<path d="{path}" fill="{fill}" class="kreis" data-rs="{escape(rs)}">'
                     f"<title>{escape(labels.get(rs, rs))}</title></path>")
    x = 4
    for i, text in enumerate(legend):
        fill = f"url(#{chart_id}-luecke)" if i == len(legend) - 1 else SCALE[i]
        parts.append(f'<rect x="{x}" y="{height + 14}" width="12" height="12" fill="{fill}" stroke="#555"/>'
                     f'<text x="{x + 16}" y="{height + 24}" class="legend">{escape(text)}</text>')
        x += 24 + 7 * len(text)
    parts.append("</svg>")
    return Markup("".join(parts))


def class_breaks(values: list[float], classes: int = len(SCALE)) -> list[float]:
    """The upper bounds of `classes` classes of equal count (quantiles) of the values above zero."""
    if not values:
        return [0.0] * classes
    ordered = sorted(values)
    return [ordered[min(len(ordered) - 1, math.ceil(len(ordered) * (i + 1) / classes) - 1)] for i in range(classes)]


def class_of(value: float, breaks: list[float]) -> int:
    for i, bound in enumerate(breaks):
        if value <= bound:
            return i
    return len(breaks) - 1


def _nice_step(highest: int) -> int:
    raw = highest / 4
    magnitude = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return max(1, factor * magnitude)
    return max(1, 10 * magnitude)


@lru_cache(maxsize=16)
def _shapes(regions: Regions, arl: str | None) -> tuple[tuple[tuple[str, str], ...], tuple[int, int]]:
    """Each Kreis's outline as an SVG path in a frame 600 wide (equirectangular, shrunk by the cosine of the mean
    latitude): drawn once per process and district."""
    kreise = regions.kreise_karte if arl is None else regions.kreise_karte[regions.kreise_karte.arl == arl]
    west, south, east, north = kreise.total_bounds
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = 600 / ((east - west) * squeeze)
    height = int((north - south) * scale) + 1

    def point(lon: float, lat: float) -> str:
        return f"{(lon - west) * squeeze * scale:.0f},{(north - lat) * scale:.0f}"

    shapes = []
    for rs, geometry in zip(kreise.rs, kreise.geometry, strict=True):
        simple = shapely.simplify(geometry, SIMPLIFY, preserve_topology=True)
        polygons = simple.geoms if hasattr(simple, "geoms") else [simple]
        rings = [ring for polygon in polygons for ring in (polygon.exterior, *polygon.interiors)]
        path = " ".join("M" + " L".join(point(x, y) for x, y in ring.coords) + "Z" for ring in rings)
        shapes.append((rs, path))
    return tuple(shapes), (600, height)
