"""A Folium map for each kind of page. Assets come from the app (XStatic packages), never from a CDN.

No Folium Marker per project: the projects go to the browser once, as compact columns of JSON (atlas.mapdata),
and the browser code (static/js/) draws, clusters and filters them there. Folium is imported only where a map is
rendered.

The map's script is a module (templates/_partials.html, map_block): its `map_atlas` stays inside it. It hands the
Leaflet map to the browser code by events on the map's element, one per layer (Handover); static/js/maps.js,
a module that ran before, listens for them. Only Leaflet's `L` is global, as Folium expects it.
"""

from __future__ import annotations

import json
from functools import lru_cache

import folium
from branca.element import MacroElement
from jinja2 import Template

from atlas.mapdata import DATA_ELEMENT, TILES


class Handover(MacroElement):
    """An event `atlas:<layer>` on the map's element, with the Leaflet map and what the layer needs (`options`)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.getContainer().dispatchEvent(new CustomEvent({{ this.event }},
            {bubbles: true, detail: {map: {{ this._parent.get_name() }}, options: {{ this.options }}}}));
        {% endmacro %}
    """)

    def __init__(self, layer: str, options: dict):
        super().__init__()
        self._name = f"Handover_{layer}"
        self.event = json.dumps(f"atlas:{layer}")
        self.options = json.dumps(options, ensure_ascii=False)


@lru_cache(maxsize=64)
def project_map(*, tiles: str, attribution: str, bounds: tuple[tuple[float, float], tuple[float, float]],
                boundaries: str | None = None, labels: bool = False, cluster: bool = True, zoom: int | None = None,
                pin: bool = False, basemap: str | None = None) -> dict[str, str]:
    """The parts of a Folium map: its <div> for the page and its script, which the app serves as a file.

    The map does not depend on the projects (they come from the page's `#atlas-data` block, with the view to show
    where a page needs its own), so each kind of map is rendered once per process: Folium compiles its templates
    anew for every map it renders. With `pin`, the map carries a draggable pin for the submission form instead
    of projects. `basemap` (JSON: where its data is, its attribution) draws the atlas's own basemap under the
    tiles.
    """
    if tiles not in TILES:
        raise ValueError(f"ATLAS_TILES must be one of {', '.join(TILES)}, got {tiles!r}")
    (south, west), (north, east) = bounds
    figure_map = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=zoom or 8, tiles=None,
                            control_scale=True, max_zoom=18, min_zoom=5, maxZoom=18, minZoom=5)
    figure_map._id = "atlas"  # a stable name keeps cached pages identical and tests simple
    url = TILES[tiles][0]
    if url:
        tile_layer = folium.TileLayer(url, attr=attribution, name="Karte", max_zoom=18)
        tile_layer._id = "karte"  # a fixed name: every process renders the same script, so one URL serves it
        tile_layer.add_to(figure_map)
    if basemap:  # the atlas's own light basemap below the tiles: land, borders and place names
        Handover("basemap", json.loads(basemap)).add_to(figure_map)
    if zoom is None:
        figure_map.fit_bounds([list(bounds[0]), list(bounds[1])])
    if boundaries:  # region outlines fetched as GeoJSON (kept by the browser), labelled if asked
        Handover("boundaries", {"url": boundaries, "labels": labels}).add_to(figure_map)
    if pin:  # a draggable pin bound to the form's latitude and longitude inputs
        Handover("pin", {"box": "standort", "lat": "lat", "lon": "lon"}).add_to(figure_map)
    else:  # the projects, from the page's JSON block
        Handover("projects", {"source": DATA_ELEMENT, "cluster": cluster}).add_to(figure_map)
    figure = figure_map.get_root()
    figure.render()
    return {"html": figure.html.render(), "script": figure.script.render()}
