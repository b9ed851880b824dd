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
    """The projects as JSON for the page's `#atlas-data` block; with a centre, the map draws it and its radius;
    with a view ({lat, lon, zoom}) the map starts there; `open_src` is where the time filter asks which are open."""
    data = columns(projects)
    for name, value in (("centre", centre), ("view", view), ("open", open_src)):
        if value:
            data[name] = value
    return script_json(data)


def columns(projects: pd.DataFrame) -> dict:
    """Compact columns: coordinates as scaled integers, Ort and Träger as indexes into tables of their values."""
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
        "fields": [[hf.slug, hf.label, hf.colour, hf.letter, hf.bit] for hf in HANDLUNGSFELDER.values()],
        "alle": ZIELGRUPPEN["alle"].bit,  # a project for everyone passes every target group
        "zt": zeiten_index, "zeiten": ["; ".join(times_text(z)) if z else "" for z in zeiten],
        "sprachen": [[bit, language_name(code)] for code, bit in LANGUAGE_BITS.items()],
        "qu": quelle_index, "quellen": quellen, "qs": stand_index, "staende": staende,
        **summary_columns(projects),
    }


SUMMARY_SHOWN = "summary_shown"  # a frame's column of atlas.texts.Shown: each summary as its reader gets it
MACHINE, TRANSLATED, OUTDATED = 1, 2, 4  # the flags of a summary in the map's data


def summary_columns(projects: pd.DataFrame) -> dict:
    """The one-line summaries as lists and popups show them: a table of [text, lang, dir, flags, German original]
    (first the empty one) and an index per project. A frame with SUMMARY_SHOWN gives them in the reader's language;
    otherwise the German summary, if the frame has one."""
    if SUMMARY_SHOWN in projects:
        entries = [(s.text, s.lang, s.dir if s.translated else "auto",
                    MACHINE * s.machine | TRANSLATED * s.translated | OUTDATED * s.outdated, s.original)
                   for s in projects[SUMMARY_SHOWN]]
    elif "summary" in projects:
        entries = [(text or "", "de", "auto", 0, "") for text in projects["summary"].fillna("")]
    else:
        return {}
    table: dict[tuple, int] = {("", "de", "auto", 0, ""): 0}
    index = [table.setdefault(entry if entry[0] else ("", "de", "auto", 0, ""), len(table)) for entry in entries]
    return {"su": index, "summaries": [list(entry) for entry in table]}


def _table(values: pd.Series) -> tuple[list[str], list[int]]:
    codes, uniques = pd.factorize(values.fillna(""))
    return [str(u) for u in uniques], codes.astype(int).tolist()
