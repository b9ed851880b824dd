"""What a map shows, as data: the tile providers, and the projects as compact JSON columns for static/atlas.js."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from atlas.facts import LANGUAGE_BITS, ZIELGRUPPEN, language_name, times_text
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import _
from atlas.sources import stand_text

TILES = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright">%(osm)s</a>'),
    "basemap": ("https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_farbe/default/"
                "GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png",
                '&copy; <a href="https://basemap.de">basemap.de</a> / BKG'),
    "none": (None, ""),
}


def tile_attribution(tiles: str) -> str:
    """The tiles' attribution (HTML, as Leaflet shows it), in the reader's language; only our own words vary."""
    template = TILES[tiles][1]
    return template % {"osm": _("OpenStreetMap-Mitwirkende")} if "%(osm)s" in template else template
COORD_SCALE = 100_000  # 5 decimals, about 1 m
DATA_ELEMENT = "atlas-data"  # the id of the page's JSON block with the projects


def script_json(data) -> str:
    """JSON safe inside <script>: no user text can close the tag or open markup there."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def project_data(projects: pd.DataFrame, centre: dict | None = None, view: dict | None = None,
                 open_src: str | None = None) -> str:
    """The projects as JSON for the page's `#atlas-data` block, with their labels in the reader's language; with a
    centre, the map draws it and its radius; with a view ({lat, lon, zoom}) the map starts there; `open_src` is
    where the time filter asks which are open."""
    data = columns(projects)
    data.update(labels(data["zeiten_roh"]))
    data["zeiten"] = [data["zeiten"][raw] if raw else "" for raw in data.pop("zeiten_roh")]
    for name, value in (("centre", centre), ("view", view), ("open", open_src)):
        if value:
            data[name] = value
    return script_json(data)


def map_data(projects: pd.DataFrame) -> str:
    """The projects as the versioned data resource of the maps (/karte/projekte.json): the same body in every
    language – the words to show them with come from the page (`labels`)."""
    data = columns(projects)
    data["zeiten"] = data.pop("zeiten_roh")
    return script_json(data)


def labels(schedules) -> dict:
    """What the map's projects are shown with in the reader's language: the Handlungsfelder, the languages, and
    these times (OSM opening_hours as stored) spelled out."""
    return {
        "fields": [[hf.slug, hf.label, hf.colour, hf.letter, hf.bit] for hf in HANDLUNGSFELDER.values()],
        "sprachen": [[bit, language_name(code)] for code, bit in LANGUAGE_BITS.items()],
        "zeiten": {raw: "; ".join(times_text(raw)) for raw in schedules if raw},
    }


def columns(projects: pd.DataFrame) -> dict:
    """Compact columns, the same in every language: coordinates as scaled integers, Ort, Träger and times (as
    stored: `zeiten_roh`) as indexes into tables of their values."""
    orte, ort_index = _table(projects["ort"])
    traeger, traeger_index = _table(projects["traeger"])
    zeiten, zeiten_index = _table(projects["zeiten"])
    # An entry gathered from a public source and not confirmed: its source and date ("" for every other project)
    unconfirmed = projects["from_source"].fillna(False).astype(bool) if "from_source" in projects \
        else pd.Series(False, index=projects.index)
    quellen, quelle_index = _table(projects.get("quelle", pd.Series("", index=projects.index)).where(unconfirmed, ""))
    staende, stand_index = _table(projects.get("quelle_stand", pd.Series("", index=projects.index))
                                  .where(unconfirmed, "").map(stand_text))
    return {
        "id": projects["id"].astype(int).tolist(),
        "lat": np.round(projects["lat"].to_numpy() * COORD_SCALE).astype(int).tolist(),
        "lon": np.round(projects["lon"].to_numpy() * COORD_SCALE).astype(int).tolist(),
        "hf": projects["hf_mask"].astype(int).tolist(),
        "sp": projects["sprachen_mask"].astype(int).tolist(),  # the filters: languages, target groups, free
        "zg": projects["zg_mask"].astype(int).tolist(),
        "ko": (projects["kosten"] == "kostenlos").astype(int).tolist(),
        "name": projects["name"].tolist(),
        "ort": ort_index, "orte": orte,
        "tr": traeger_index, "traeger": traeger,
        "scale": COORD_SCALE,
        "alle": ZIELGRUPPEN["alle"].bit,  # a project for everyone passes every target group
        "zt": zeiten_index, "zeiten_roh": zeiten,
        "qu": quelle_index, "quellen": quellen, "qs": stand_index, "staende": staende,
    }


def _table(values: pd.Series) -> tuple[list[str], list[int]]:
    codes, uniques = pd.factorize(values.fillna(""))
    return [str(u) for u in uniques], codes.astype(int).tolist()
