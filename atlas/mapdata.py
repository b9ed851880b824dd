"""What a map shows, as data: the tile providers, and the projects as compact JSON columns for the browser code
(static/js/columns.js reads them by these names)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from atlas import jsontext
from atlas.facts import LANGUAGE_BITS, ZIELGRUPPEN, language_name, times_text
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import LANGUAGES, _, current_language, speaking
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


# The projects of a map, column by column: a frame, or a dict of lists or arrays (each with an `id` column)
Table = pd.DataFrame | Mapping[str, Sequence]
COORD_SCALE = 100_000  # 5 decimals, about 1 m
DATA_ELEMENT = "atlas-data"  # the id of the page's JSON block with the projects
# The shape of columns(): a browser keeps the data a year under its URL, so the URL names this too (data_version)
COLUMNS_FORMAT = 4


def data_version(store_version: int) -> str:
    """The `v` of the versioned data resource: the store's version and the shape of the columns."""
    return f"{store_version}.{COLUMNS_FORMAT}"


def script_json(data) -> str:
    """JSON safe inside <script>: no user text can close the tag or open markup there."""
    return jsontext.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def project_data(projects: Table, centre: dict | None = None, view: dict | None = None,
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


def map_data(projects: Table) -> str:
    """The projects as the versioned data resource of the maps (/karte/projekte.json): the same body in every
    language – the words to show them with come from the page (`labels`), summaries in the reader's language from
    their own resource (summary_data)."""
    data = columns(projects)
    data["zeiten"] = data.pop("zeiten_roh")
    return script_json(data)


def summary_data(projects: Table) -> str:
    """The summaries of a map's projects in the reader's language (a frame with SUMMARY_SHOWN), in the data's
    order: `summary_index` into `summaries` (/karte/kurztexte.json, fetched beside the map's data)."""
    return script_json(summary_columns(projects))


def labels(schedules) -> dict:
    """What the map's projects are shown with in the reader's language: the Handlungsfelder, the languages, and
    these times (OSM opening_hours as stored) spelled out."""
    code = current_language()
    return {**_fixed_labels(code), "zeiten": {raw: "; ".join(times_text(raw, code)) for raw in schedules if raw}}


@lru_cache(maxsize=len(LANGUAGES))
def _fixed_labels(code: str) -> dict:
    """The Handlungsfelder and the languages in the language `code`: the same for every page in it (made once per
    process and language; the catalogues do not change while it runs)."""
    with speaking(code):
        return {
            "fields": [{"slug": hf.slug, "label": hf.label, "colour": hf.colour, "letter": hf.letter, "bit": hf.bit}
                       for hf in HANDLUNGSFELDER.values()],
            "sprachen": [{"bit": bit, "name": language_name(language, code)}
                         for language, bit in LANGUAGE_BITS.items()],
        }


def columns(projects: Table) -> dict:
    """The projects (a frame, or its columns as lists or arrays: a list made per request needs no pandas) as compact
    columns, the same in every language: one list per property, the i-th entry of each for the i-th project.

    Per project: `id`; `lat`, `lon` as integers (divide by `scale`); `name`; `hf_mask`, `sprachen_mask`, `zg_mask`
    the bits of its Handlungsfelder, offer languages and target groups; `kostenlos` 1 or 0. Texts that repeat are
    kept once, in a table, and a project has its index there: `ort_index` into `orte`, `traeger_index` into
    `traeger`, `zeiten_index` into `zeiten_roh` (the times as stored, OSM opening_hours, "" for none; labels()
    spells them out), and for an entry gathered from a public source and not confirmed yet, `quelle_index` into
    `quellen` and `stand_index` into `staende` ("" for every other project); `unbestaetigt_index` into
    `unbestaetigt_seit`, the day since which a project is no longer confirmed, as the lists write it ("" for one
    confirmed, or where the frame has no UNCONFIRMED_SINCE). Where the frame has summaries:
    `summary_index` into `summaries` (summary_columns: German, or the reader's where the frame has SUMMARY_SHOWN).

    Once per data set: `scale`; `zg_alle`, the bit of the target group „für alle“, which passes every target group.
    """
    # plain numpy from here on: a list of 50 projects (a near search) costs microseconds per step, not pandas'
    # fixed cost per operation
    count = len(projects["id"])

    def values(name: str, default="") -> np.ndarray:  # texts and flags as Python objects, whatever pandas made
        return np.asarray(projects[name], dtype=object) if name in projects else np.full(count, default, dtype=object)

    def numbers(name: str, kind) -> np.ndarray:
        return np.asarray(projects[name], dtype=kind)

    orte, ort_index = _table(values("ort"))
    traeger, traeger_index = _table(values("traeger"))
    zeiten, zeiten_index = _table(values("zeiten"))
    from_source = values("from_source", False)
    unconfirmed = np.where(pd.isna(from_source), False, from_source).astype(bool)
    quellen, quelle_index = _table(np.where(unconfirmed, values("quelle"), ""))
    stand = np.where(unconfirmed, values("quelle_stand"), "")
    # no date written for a project without a source's (stand_text writes "" of none, and most have none)
    staende, stand_index = _table(np.array([stand_text(value) if value else "" for value in stand], dtype=object))
    seit, seit_index = _table(values(UNCONFIRMED_SINCE))
    return {
        "id": numbers("id", np.int64).tolist(),
        "lat": np.round(numbers("lat", float) * COORD_SCALE).astype(int).tolist(),
        "lon": np.round(numbers("lon", float) * COORD_SCALE).astype(int).tolist(),
        "name": values("name").tolist(),
        "hf_mask": numbers("hf_mask", np.int64).tolist(),
        "sprachen_mask": numbers("sprachen_mask", np.int64).tolist(),
        "zg_mask": numbers("zg_mask", np.int64).tolist(),
        "kostenlos": (values("kosten") == "kostenlos").astype(int).tolist(),
        "ort_index": ort_index, "orte": orte,
        "traeger_index": traeger_index, "traeger": traeger,
        "zeiten_index": zeiten_index, "zeiten_roh": zeiten,
        "quelle_index": quelle_index, "quellen": quellen,
        "stand_index": stand_index, "staende": staende,
        "unbestaetigt_index": seit_index, "unbestaetigt_seit": seit,
        "scale": COORD_SCALE,
        "zg_alle": ZIELGRUPPEN["alle"].bit,
        **summary_columns(projects),
    }


# a frame's column of the day (Europe/Berlin, „01.01.2020“) since which a project is no longer confirmed, "" if it
# is: the web layer knows the line (atlas.web.reader, with_unconfirmed), the data only carries the mark
UNCONFIRMED_SINCE = "unconfirmed_since"
SUMMARY_SHOWN = "summary_shown"  # a frame's column of atlas.texts.Shown: each summary as its reader gets it


def summary_columns(projects: Table) -> dict:
    """The one-line summaries as lists and popups show them: a table of {text, lang, dir, machine, translated,
    outdated, original} (first the empty one) and each project's index into it. A frame with SUMMARY_SHOWN gives
    them in the reader's language; otherwise the German summary, if the frame has one."""
    if SUMMARY_SHOWN in projects:
        entries = [(s.text, s.lang, s.dir if s.translated else "auto", s.machine, s.translated, s.outdated, s.original)
                   for s in projects[SUMMARY_SHOWN]]
    elif "summary" in projects:
        entries = [(text if isinstance(text, str) else "", "de", "auto", False, False, False, "")
                   for text in projects["summary"]]
    else:
        return {}
    empty = ("", "de", "auto", False, False, False, "")
    table: dict[tuple, int] = {empty: 0}
    index = [table.setdefault(entry if entry[0] else empty, len(table)) for entry in entries]
    names = ("text", "lang", "dir", "machine", "translated", "outdated", "original")
    return {"summary_index": index, "summaries": [dict(zip(names, entry, strict=True)) for entry in table]}


SMALL_TABLE = 2_000  # up to this many values a dict codes them faster than pandas (a list: 15 against 65 µs)


def _table(values: np.ndarray) -> tuple[list[str], list[int]]:
    """Each distinct value once (in the order they first appear; none: ""), and each project's index into them."""
    if len(values) <= SMALL_TABLE:
        # a text is never missing: pandas is asked only about other values (its isna of the whole column cost more
        # than the coding of a near search's fifty values, and a page codes six columns)
        cleaned = [value if type(value) is str else "" if _missing(value) else value
                   for value in values.tolist()]
        codes: dict = {}  # each value's code: the number of values before it, in the order they first appear
        index = [codes.setdefault(value, len(codes)) for value in cleaned]
        return [str(value) for value in codes], index
    codes, uniques = pd.factorize(np.where(pd.isna(values), "", values))
    return [str(u) for u in uniques], codes.astype(int).tolist()


def _missing(value) -> bool:
    """No value, as pandas' isna sees one in a column: None, NaN, NaT, pd.NA."""
    return value is None or bool(pd.isna(value))
