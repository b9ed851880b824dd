"""OGC API – Features (Part 1: Core, GeoJSON, HTML, OpenAPI 3.0) over the store and the region data, as plain
functions that build the documents; atlas.web.ogc only translates HTTP.

Three collections: `projekte` (published projects as the public sees them: rounded where asked, no e-mail
addresses, nothing pending or archived), `kreise` and `arl` (the boundaries, as the maps draw them).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np

from atlas.districts import ARLS
from atlas.facts import ZIELGRUPPEN
from atlas.handlungsfelder import HANDLUNGSFELDER, mask
from atlas.i18n import N_, _
from atlas.present import hf_names
from atlas.regions import Regions
from atlas.store import ProjectQuery
from atlas.text import clean_text, whole_number

if TYPE_CHECKING:
    from atlas.store.public import OpenRow

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000
COLLECTIONS = {
    "projekte": (N_("Projekte"), N_("Die veröffentlichten Projekte der Initiativen für Geflüchtete in Niedersachsen: "
                                   "Lage (auf Wunsch gerundet), Handlungsfelder, Kreis, Amt und die Angaben für "
                                   "Interessierte.")),
    "kreise": (N_("Landkreise und kreisfreie Städte"), N_("Die 45 Kreise Niedersachsens mit Regionalschlüssel und "
                                                          "zuständigem Amt für regionale Landesentwicklung.")),
    "arl": (N_("Ämter für regionale Landesentwicklung"), N_("Die vier Amtsbezirke der Ämter für regionale "
                                                            "Landesentwicklung.")),
}
GEOJSON, JSON_TYPE = "application/geo+json", "application/json"
OPENAPI_TYPE = "application/vnd.oai.openapi+json;version=3.0"


class BadQuery(ValueError):
    """A parameter the API cannot use; the message names it and what is allowed."""


def parse_items_query(args, regions: Regions) -> ProjectQuery:
    """The items query of a URL; BadQuery names the first parameter that cannot be used."""
    values = {"limit": _integer(args.get("limit"), "limit", 1, MAX_LIMIT, ProjectQuery.limit),
              "offset": _integer(args.get("offset"), "offset", 0, MAX_OFFSET, 0)}
    if args.get("bbox"):
        values["bbox"] = parse_bbox(args["bbox"])
    if args.get("datetime"):
        values["since"], values["until"] = parse_datetime(args["datetime"])
    if args.get("hf"):
        wanted = [v.strip() for v in args["hf"].split(",") if v.strip()]
        unknown = [v for v in wanted if v not in HANDLUNGSFELDER]
        if unknown:
            raise BadQuery(_("Unbekanntes Handlungsfeld „%(value)s“. Erlaubt sind: %(allowed)s.",
                             value=clean_text(unknown[0])[:40], allowed=", ".join(HANDLUNGSFELDER)))
        values["hf"] = tuple(slug for slug in HANDLUNGSFELDER if slug in wanted)
    if args.get("arl"):
        if args["arl"] not in ARLS:
            raise BadQuery(_("Unbekannter Amtsbezirk „%(value)s“. Erlaubt sind: %(allowed)s.",
                             value=clean_text(args["arl"])[:40], allowed=", ".join(ARLS)))
        values["arl"] = args["arl"]
    if args.get("kreis"):
        if args["kreis"] not in regions.by_rs:
            raise BadQuery(_("Unbekannter Kreis „%(value)s“: erwartet wird ein Regionalschlüssel wie 03254.",
                             value=clean_text(args["kreis"])[:40]))
        values["kreis"] = args["kreis"]
    return ProjectQuery(**values)


def _integer(text: str | None, name: str, low: int, high: int, default: int) -> int:
    if text is None or text == "":
        return default
    number = whole_number(text)
    if number is None or not low <= number <= high:
        raise BadQuery(_("„%(name)s“ muss eine ganze Zahl von %(low)s bis %(high)s sein, nicht „%(value)s“.",
                         name=name, low=low, high=high, value=clean_text(text)[:20]))
    return number


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """ "minLon,minLat,maxLon,maxLat" in WGS84 (CRS84)."""
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(-180 <= v <= 180 for v in values[::2]) or \
            not all(-90 <= v <= 90 for v in values[1::2]) or values[0] > values[2] or values[1] > values[3]:
        raise BadQuery(_("„bbox“ sind vier Zahlen: westliche Länge, südliche Breite, östliche Länge, nördliche "
                         "Breite, etwa 9.6,52.3,9.9,52.5 – nicht „%(value)s“.", value=clean_text(text)[:80]))
    return values[0], values[1], values[2], values[3]


def parse_datetime(text: str) -> tuple[datetime | None, datetime | None]:
    """An instant or an interval (RFC 3339, `..` for open ends): when the projects last changed."""
    ends = text.split("/")
    if len(ends) > 2:
        raise BadQuery(_datetime_message(text))
    moments = [_moment(end, text, last=i == 1) for i, end in enumerate(ends)]
    if len(moments) == 1:
        if moments[0] is None:
            raise BadQuery(_datetime_message(text))
        day = re.fullmatch(r"\d{4}-\d\d-\d\d", text.strip())
        return moments[0], (datetime.combine(moments[0].date(), time.max, UTC) if day else moments[0])
    if moments[0] and moments[1] and moments[0] > moments[1]:
        raise BadQuery(_datetime_message(text))
    return moments[0], moments[1]


def _moment(text: str, whole: str, last: bool) -> datetime | None:
    text = text.strip()
    if text in ("..", ""):
        return None
    try:
        if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            return datetime.combine(date.fromisoformat(text), time.max if last else time.min, UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: an offset that moves the moment out of the years 1–9999
        raise BadQuery(_datetime_message(whole)) from None


def _datetime_message(text: str) -> str:
    return _("„datetime“ ist ein Zeitpunkt oder ein Zeitraum nach RFC 3339, etwa 2026-01-01T00:00:00Z oder "
             "2026-01-01/.. – nicht „%(value)s“.", value=clean_text(text)[:80])


def projects_page(store, public, query: ProjectQuery) -> tuple[list[OpenRow], int]:
    """A page of published projects for the query and how many match: the page's ids are picked from the projects
    in memory (`public`: atlas.published) – the same cost at any offset and any number of projects – and their rows
    read; a query by `datetime` or id is asked of the store (the snapshot does not know when a project changed)."""
    if query.since is None and query.until is None and query.id is None:
        ids, matched = picked(public.current(), query)
        return store.published_rows(ids), matched
    return store.published_page(query)


def picked(published, query: ProjectQuery) -> tuple[list[int], int]:
    """The page of ids (ascending) of the published projects whose public position lies in the query's box (if it
    has one) and that pass its filters, and how many there are: from the snapshot's arrays instead of counting,
    skipping and reading in the database; the projects of a filter are kept with the snapshot for its next pages."""
    filters = (query.bbox, query.hf, query.arl, query.kreis)
    if filters == (None, (), None, None):
        order = published.id_order()
    else:
        order = published.selection(("ogc", *filters), lambda: _passing(published, query))
    return published["id"][order[query.offset:query.offset + query.limit]].tolist(), len(order)


def _passing(published, query: ProjectQuery) -> np.ndarray:
    """The positions of the projects that pass the query's filters, in the order of their ids: one pass over the
    snapshot's arrays."""
    keep = None
    if query.bbox is not None:
        west, south, east, north = query.bbox
        lat, lon = published["lat"], published["lon"]
        keep = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    if query.hf:
        passing = (published["hf_mask"] & mask(list(query.hf))) != 0
        keep = passing if keep is None else keep & passing
    if query.arl:
        keep = published.in_arl(query.arl) if keep is None else keep & published.in_arl(query.arl)
    if query.kreis:
        passing = published.columns["kreis_rs"] == published.code_of("kreis_rs", query.kreis)
        keep = passing if keep is None else keep & passing
    order = published.id_order()
    return order[keep[order]].astype(np.int32)  # positions: half the memory of numpy's int64 while kept


def project_feature(row: OpenRow, project_url: str) -> dict:
    """A published project as a GeoJSON feature: what its public page shows, and no e-mail address. The row's values
    are taken as the store typed them (OpenRow: the id an int, `approximate` a bool, `ersetzt` a list of the row's
    own), not converted again: a page of the API builds a hundred features, and the conversions were a fifth of that."""
    (project_id, name, traeger, description, slugs, street, plz, ort, lat, lon, approximate, kreis_rs, kreis_name, arl,
     website, kontakt, languages, target_groups, kosten, wann, zeiten, accessible, updated_at, quelle, quelle_stand,
     from_source, merged) = row  # unpacked at once: a hundred features of a page read 27 values each
    return {
        "type": "Feature", "id": project_id,
        "geometry": {"type": "Point", "coordinates": [_six_decimals(lon), _six_decimals(lat)]},
        "properties": {
            "name": name, "traeger": traeger, "beschreibung": description,
            "handlungsfelder": _hf_names(slugs),
            "strasse": "" if approximate else street, "plz": plz, "ort": ort,
            "lage_ungefaehr": approximate,
            "kreis_rs": kreis_rs, "kreis": kreis_name, "arl": arl,
            "website": website, "kontakt": kontakt,
            "sprachen": _languages(languages), "zielgruppen": _target_groups(target_groups),
            "kosten": kosten, "wann": wann, "zeiten": zeiten,
            "barrierefrei": _ACCESSIBLE.get(accessible),
            "aktualisiert": updated_at, "url": project_url,
            # gathered from a public source: where from and when; confirmed by its Träger (or office), or not yet
            # (`from_source` is atlas.sources.unconfirmed's answer, asked in the statement: atlas.store.FROM_SOURCE)
            "quelle": quelle, "quelle_stand": quelle_stand, "bestaetigt": not from_source,
            # the ids of once published records merged into this one: their URLs lead here (atlas.store.merging)
            "ersetzt": merged,
        },
    }


def _six_decimals(degrees: float) -> float:
    """round(degrees, 6) (a tenth of a metre), for two fifths of its cost: round() writes the number out in decimal
    digits and reads them back, two of a page's hundred features' most costly steps. Scaled by a million, rounded
    half to even and divided back, a position is the same float – the double nearest to the decimal that round()
    reads – whenever the product's own rounding (at most 2**-25 for ±180°) cannot move it across a half; round()
    decides near a half, at zero (-0.0, whose sign it keeps) and for what is no position (inf, NaN, huge)."""
    scaled = degrees * 1e6
    if not -1e9 < scaled < 1e9:  # beyond ±1,000° (no position) the margin below is not proven; NaN compares false
        return round(degrees, 6)
    whole = round(scaled)
    if whole == 0 or abs(scaled - whole) > 0.49:
        return round(degrees, 6)
    return whole / 1e6


# The lists of a feature from its stored text: few distinct texts among many projects, so each is split once per
# process (a page of a hundred features split them a hundred times over). Tuples, shared by the features that hold
# them: JSON writes them as the lists they were, and none is copied. A list copied per feature made three of the
# eight objects a feature adds to the garbage collector's count: a page of 100 then set off a young collection (at
# Python's default of 700) on nine requests in ten, with its tuples on one in ten (stop 56).
_ACCESSIBLE = {"ja": True, "nein": False}


@lru_cache(maxsize=1024)
def _hf_names(slugs: str) -> tuple[str, ...]:
    return tuple(hf_names(slugs))


@lru_cache(maxsize=1024)
def _languages(codes: str) -> tuple[str, ...]:
    return tuple(c for c in codes.split(";") if c)


@lru_cache(maxsize=1024)
def _target_groups(slugs: str) -> tuple[str, ...]:
    return tuple(ZIELGRUPPEN[z].name for z in slugs.split(";") if z in ZIELGRUPPEN)


def boundary_features(frame: gpd.GeoDataFrame, key: str) -> list[dict]:
    """Kreise or ArL districts as GeoJSON features, their key as the id."""
    collection = json.loads(frame.to_json(drop_id=True))
    for feature in collection["features"]:
        feature["id"] = feature["properties"][key]
    return collection["features"]
