"""Projects in, a Folium map out. Assets come from the app (XStatic packages), never from a CDN.

No Folium Marker per project: the projects go to the browser once, as compact columns of JSON, and
static/atlas.js draws, clusters and filters them there.
"""

from __future__ import annotations

import json
from functools import lru_cache

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from atlas.handlungsfelder import HANDLUNGSFELDER

TILES = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-Mitwirkende'),
    "basemap": ("https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_farbe/default/"
                "GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png",
                '&copy; <a href="https://basemap.de">basemap.de</a> / BKG'),
    "none": (None, ""),
}
COORD_SCALE = 100_000  # 5 decimals, about 1 m
DATA_ELEMENT = "atlas-data"


class ProjectLayer(MacroElement):
    """Hands the map its projects once, from the page's JSON block; static/atlas.js makes markers of them."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.atlasProjects = Atlas.projects({{ this._parent.get_name() }},
            JSON.parse(document.getElementById({{ this.source }}).textContent), {{ this.options }});
        {% endmacro %}
    """)

    def __init__(self, source: str, cluster: bool = True):
        super().__init__()
        self._name = "ProjectLayer"
        self.source = json.dumps(source)
        self.options = json.dumps({"cluster": cluster})


class PinLayer(MacroElement):
    """A draggable pin bound to the form's latitude and longitude inputs (static/atlas.js, Atlas.pin)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.atlasPin = Atlas.pin({{ this._parent.get_name() }}, {{ this.options }});
        {% endmacro %}
    """)

    def __init__(self, box: str, lat: str, lon: str):
        super().__init__()
        self._name = "PinLayer"
        self.options = json.dumps({"box": box, "lat": lat, "lon": lon})


class Boundaries(MacroElement):
    """Region outlines fetched from the app as GeoJSON (cached by the browser), labelled if asked."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        Atlas.boundaries({{ this._parent.get_name() }}, {{ this.url }}, {{ this.options }});
        {% endmacro %}
    """)

    def __init__(self, url: str, labels: bool = False, fit: bool = False):
        super().__init__()
        self._name = "Boundaries"
        self.url = json.dumps(url)
        self.options = json.dumps({"labels": labels, "fit": fit})


def script_json(data) -> str:
    """JSON safe inside <script>: no user text can close the tag or open markup there."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@lru_cache(maxsize=64)
def project_map(*, tiles: str, bounds: tuple[tuple[float, float], tuple[float, float]], boundaries: str | None = None,
                labels: bool = False, cluster: bool = True, zoom: int | None = None,
                pin: bool = False) -> dict[str, str]:
    """The parts of a Folium map: its <div> for the page and its script, which the app serves as a file.

    The map does not depend on the projects (they come from the page's `#atlas-data` block, with the view to show
    where a page needs its own), so each kind of map is rendered once per process: Folium compiles its templates
    anew for every map it renders. With `pin`, the map carries a draggable pin for the submission form instead
    of projects.
    """
    if tiles not in TILES:
        raise ValueError(f"ATLAS_TILES must be one of {', '.join(TILES)}, got {tiles!r}")
    (south, west), (north, east) = bounds
    figure_map = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=zoom or 8, tiles=None,
                            control_scale=True, max_zoom=18, min_zoom=5, maxZoom=18, minZoom=5)
    figure_map._id = "atlas"  # a stable name keeps cached pages identical and tests simple
    url, attribution = TILES[tiles]
    if url:
        tile_layer = folium.TileLayer(url, attr=attribution, name="Karte", max_zoom=18)
        tile_layer._id = "karte"  # a fixed name: every process renders the same script, so one URL serves it
        tile_layer.add_to(figure_map)
    if zoom is None:
        figure_map.fit_bounds([list(bounds[0]), list(bounds[1])])
    if boundaries:
        Boundaries(boundaries, labels=labels).add_to(figure_map)
    if pin:
        PinLayer(box="standort", lat="lat", lon="lon").add_to(figure_map)
    else:
        ProjectLayer(DATA_ELEMENT, cluster=cluster).add_to(figure_map)
    figure = figure_map.get_root()
    figure.render()
    return {"html": figure.html.render(), "script": figure.script.render()}


def project_data(projects: pd.DataFrame, centre: dict | None = None, view: dict | None = None) -> str:
    """The projects as JSON for the page's `#atlas-data` block; with a centre, the map draws it and its radius;
    with a view ({lat, lon, zoom}) the map starts there."""
    data = columns(projects)
    if centre:
        data["centre"] = centre
    if view:
        data["view"] = view
    return script_json(data)


def columns(projects: pd.DataFrame) -> dict:
    """Compact columns: coordinates as scaled integers, Ort and Träger as indexes into tables of their values."""
    orte, ort_index = _table(projects["ort"])
    traeger, traeger_index = _table(projects["traeger"])
    return {
        "id": projects["id"].astype(int).tolist(),
        "lat": np.round(projects["lat"].to_numpy() * COORD_SCALE).astype(int).tolist(),
        "lon": np.round(projects["lon"].to_numpy() * COORD_SCALE).astype(int).tolist(),
        "hf": projects["hf_mask"].astype(int).tolist(),
        "name": projects["name"].tolist(),
        "ort": ort_index, "orte": orte,
        "tr": traeger_index, "traeger": traeger,
        "scale": COORD_SCALE,
        "fields": [[hf.slug, hf.name, hf.colour, hf.letter, hf.bit] for hf in HANDLUNGSFELDER.values()],
    }


def _table(values: pd.Series) -> tuple[list[str], list[int]]:
    codes, uniques = pd.factorize(values.fillna(""))
    return [str(u) for u in uniques], codes.astype(int).tolist()
