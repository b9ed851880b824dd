"""The files a page loads: Leaflet and its plugins from the XStatic packages on PyPI, the atlas's own browser code
and style, the region outlines as GeoJSON, the atlas's own basemap (atlas.basemap), and the script of each kind of
map.

Every file is read or rendered once per process and kept compressed (atlas.web.prepared). Its URL carries a
version (`?v=` the digest of its content), so the browser keeps it a year and asks again only when it changed.

The browser code is native ES modules (static/js/), which import each other by relative URLs (`./text.js`): the
browser resolves those against the importing module's URL, where a `?v=` would be lost. So every module is served
under one path that names the version of all of them together (`/js/<version>/map.js`): a change to any module
gives every page a new path, and no module is ever taken from the browser's cache beside a changed one.

A page holds no inline script (the Content-Security-Policy allows scripts from this site only): its map's script
is a file here, named by kind. The script is the same in every process, so any process can answer for a page
another one rendered.
"""

from __future__ import annotations

import functools
import hashlib
import json
import mimetypes
import re
import threading
from collections.abc import Callable
from pathlib import Path

import xstatic.pkg.leaflet as leaflet
import xstatic.pkg.leaflet_markercluster as markercluster
from flask import Blueprint, abort, current_app, request, url_for
from markupsafe import escape
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from atlas.districts import ARLS, BOUNDARIES
from atlas.i18n import current_language
from atlas.mapdata import tile_attribution
from atlas.settings import resource
from atlas.web import current_services
from atlas.web.prepared import YEAR, Prepared, prepare, respond

bp = Blueprint("assets", __name__)
VENDOR = {"leaflet": leaflet.BASE_DIR, "markercluster": markercluster.BASE_DIR,
          "supercluster": str(resource("npm", "node_modules/supercluster/dist"))}  # npm, fetched by `make`
NIEDERSACHSEN_BOUNDS = ((51.29, 6.65), (53.9, 11.6))
MODULES = "js"  # the folder of static/ that holds the browser code's modules
# Module scripts run only when sent with a JavaScript type; the platform's table is not asked for those
TYPES = {".js": "text/javascript", ".css": "text/css", ".map": "application/json"}  # a source map is JSON
IMPORT = re.compile(r"""^(?:import|export)\b[^;]*?\bfrom\s*["']\./([\w-]+\.js)["']""", re.MULTILINE)
_lock = threading.Lock()


@bp.app_template_global()
def asset(filename: str, package: str | None = None) -> str:
    """The versioned URL of a static file of the atlas (or of a vendor package)."""
    stored = _file(package or "atlas", filename)
    if package:
        return url_for("assets.vendor", package=package, filename=filename, v=stored.etag)
    return url_for("assets.static_file", filename=filename, v=stored.etag)


@bp.get("/static/<path:filename>")
def static_file(filename: str):
    return _versioned(_file("atlas", filename))


@bp.app_template_global()
def module_src(filename: str) -> str:
    """The URL of a module of the browser code (static/js/), under the version of all modules together."""
    return url_for("assets.module_file", version=modules_version(), filename=filename)


@bp.app_template_global()
def module_preloads(entry: str) -> list[str]:
    """The URLs of every module `entry` imports, directly or through others: the page names them all at once
    (modulepreload), and the browser fetches them together instead of one import after the other."""
    kept = current_app.extensions.setdefault("atlas_assets", {})
    if ("imports", entry) not in kept:
        found, todo = [], [entry]
        while todo:
            for name in IMPORT.findall(_file("atlas", f"{MODULES}/{todo.pop()}").body.decode()):
                if name not in found and name != entry:
                    found.append(name)
                    todo.append(name)
        with _lock:
            kept.setdefault(("imports", entry), sorted(found))
    return [module_src(name) for name in kept[("imports", entry)]]


@bp.get("/js/<version>/<path:filename>")
def module_file(version: str, filename: str):
    """A module of the browser code: a year in the browser under the current version of the modules; under an
    older one (a page from before a change) the current module, asked again each time."""
    current = version == modules_version()
    return respond(_file("atlas", f"{MODULES}/{filename}"), max_age=YEAR if current else 0, immutable=current)


def modules_version() -> str:
    """The version of the modules as this process serves them (read once, like every static file)."""
    kept = current_app.extensions.setdefault("atlas_assets", {})
    if "modules" not in kept:
        root = resource("static") / MODULES
        names = sorted(path.relative_to(root).as_posix() for path in root.rglob("*.js"))
        version = version_of({name: _file("atlas", f"{MODULES}/{name}").etag for name in names})
        with _lock:
            kept.setdefault("modules", version)
    return kept["modules"]


def version_of(files: dict[str, str]) -> str:
    """One version for many files: the digest of their names and of their contents' digests (`files`)."""
    digest = hashlib.sha256()
    for name, etag in sorted(files.items()):
        digest.update(f"{name}\0{etag}\0".encode())
    return digest.hexdigest()[:20]


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    if package not in VENDOR:
        abort(404)
    return _versioned(_file(package, filename))


def page_map(kind: str) -> dict[str, str]:
    """A map for a page: its <div> (`html`) and the URL of its script (`src`). The same for every page of a kind in
    a language (and under the app's root), so made once per app: made, it cost a near search 0.2 ms (the
    basemap's folders resolved on disk, its options written, the map rendered by Folium looked up by them)."""
    code = current_language()
    key = (kind, code, request.script_root)
    kept = current_app.extensions.setdefault("atlas_page_maps", {})
    found = kept.get(key)
    if found is None:
        script, html = _map(kind)
        found = kept[key] = {"html": html, "src": url_for("assets.map_script", kind=kind, v=script.etag, lang=code)}
    return dict(found)  # the caller's own


@bp.get("/karte/<kind>.js")
def map_script(kind: str):
    if kind not in _kinds():
        abort(404)
    return _versioned(_map(kind)[0])


@bp.get("/karte/arl.geojson")
def arl_outlines():
    return respond(_kept(("outline", "arl"), lambda: _regions().arl.to_json(drop_id=True), "application/geo+json"),
                   max_age=24 * 3600)


@bp.get("/karte/kreise/<slug>.geojson")
def kreis_outlines(slug: str):
    if slug not in ARLS:
        abort(404)
    kreise = _regions().kreise_karte
    return respond(_kept(("outline", slug), lambda: kreise[kreise.arl == slug].to_json(drop_id=True),
                         "application/geo+json"), max_age=24 * 3600)


@bp.get("/karte/grund.json")
def basemap():
    """The basemap's index; with `teil=uebersicht` its overview's shapes, with `x` and `y` one of its tiles. All of
    it is named by one version (`v`)."""
    made = _basemap()
    if "x" in request.args or "y" in request.args:
        stored = made["tiles"].get((request.args.get("x", type=int), request.args.get("y", type=int)))
    elif "teil" in request.args:
        stored = made["overview"] if request.args["teil"] == "uebersicht" else None
    else:
        stored = made["index"]
    if stored is None:
        abort(404)
    current = request.args.get("v") == made["version"]
    return respond(stored, max_age=YEAR if current else 3600, immutable=current)


def own_file(filename: str) -> Prepared | None:
    """A static file of the atlas as it is sent, or None if there is none by that name."""
    try:
        return _file("atlas", filename)
    except NotFound:
        return None


def _versioned(stored: Prepared):
    """A year in the browser when asked for under its version; an hour under another or none."""
    current = request.args.get("v") == stored.etag
    return respond(stored, max_age=YEAR if current else 3600, immutable=current)


def _file(package: str, filename: str) -> Prepared:
    found = _FILES.get((package, filename))  # every page names its files: no look at the disk once one is read
    if found is not None:
        return found
    root = resource("static") if package == "atlas" else VENDOR[package]
    path = safe_join(str(root), filename)
    if path is None or not Path(path).is_file():
        abort(404)
    mimetype = TYPES.get(Path(path).suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    stored = _kept(("file", path), lambda: Path(path).read_bytes(), mimetype)
    with _lock:
        _FILES.setdefault((package, filename), stored)  # only files that are there: a flood of 404s adds nothing
    return stored


_FILES: dict = {}  # a file as sent, by path and by (package, name): the same for every app in a process (its URL
# carries its digest)


def _kept(key, make: Callable[[], str | bytes], mimetype: str) -> Prepared:
    kept = _FILES if key[0] == "file" else current_app.extensions.setdefault("atlas_assets", {})
    if key not in kept:
        stored = prepare(make(), mimetype)
        with _lock:
            kept.setdefault(key, stored)
    return kept[key]


def _regions():
    return current_services().regions


_BASEMAPS: dict = {}  # the basemap as sent, by the folders it is made from: the same for every app in a process


def _basemap() -> dict:
    """The basemap, made once per process from data/basemap and the gazetteer's places (or read from the cache
    folder where a start left it), kept compressed. Named by the files it is made from – the shapes, the
    gazetteer's and the boundaries the gazetteer assigns its places by – so a start that finds it kept loads
    neither the gazetteer nor the boundaries for the first page (0.44 s of its first `/`)."""
    services = current_services()
    data = services.data_dir.resolve()
    key = (data / "basemap", data / "gazetteer", data / "regions")
    made = _BASEMAPS.get(key)
    if made is None:
        from atlas.basemap import build_basemap
        from atlas.kept import fingerprint, read_or_make

        basemap = read_or_make(Path(services.settings["CACHE_DIR"]), "basemap", fingerprint(paths=key),
                               lambda: build_basemap(key[0], services.gazetteer.entries))
        made = {"version": basemap.version, "index": prepare(basemap.index, "application/json"),
                "overview": prepare(basemap.overview, "application/geo+json"),
                "tiles": {k: prepare(text, "application/json") for k, text in basemap.tiles.items()}}
        with _lock:
            made = _BASEMAPS.setdefault(key, made)
    return made


@bp.app_template_global()
def basemap_src() -> str:
    """The versioned URL of the basemap's index: pages ask for it early (a preload), maps then draw from it."""
    return url_for("assets.basemap", v=_basemap()["version"])


def basemap_options() -> str:
    """What a map's script hands static/js/basemap.js: where the data is, and whom the map owes it (as Leaflet shows
    an attribution: HTML, here made of our own words only)."""
    attribution = f"{escape(BOUNDARIES)} · GeoNames (CC BY 4.0)"
    return json.dumps({"src": basemap_src(), "attribution": attribution}, ensure_ascii=False)


def _map(kind: str) -> tuple[Prepared, str]:
    code = current_language()  # the tiles' attribution is written in the reader's language
    tiles = current_app.config["TILES"]
    parts = _rendered(tiles, tile_attribution(tiles), basemap_options(), tuple(sorted(_kinds()[kind].items())))
    return _kept(("map", kind, code), lambda: parts["script"], "text/javascript"), parts["html"]


@functools.lru_cache(maxsize=256)
def _rendered(tiles: str, attribution: str, basemap: str, kind: tuple) -> dict[str, str]:
    """A kind of map rendered by Folium once for what makes it (the same for every app and page), kept per process
    and in the cache folder: a start that finds it there does not import Folium (half a second) at all."""
    from atlas.kept import fingerprint, read_or_make

    def render() -> dict[str, str]:
        from atlas.maps import project_map

        return project_map(tiles=tiles, attribution=attribution, basemap=basemap, **dict(kind))

    # one file per kind of map (made from these arguments, this code and Folium's version: atlas.kept)
    which = fingerprint(repr((tiles, attribution, basemap, kind)))
    return read_or_make(Path(current_services().settings["CACHE_DIR"]), f"map-{which}", "", render)


def _kinds() -> dict[str, dict]:
    """Every kind of map the pages show, with what makes it: the view a page starts from comes with its data."""
    kinds = current_app.extensions.get("atlas_map_kinds")
    if kinds is None:
        regions = current_services().regions
        everywhere = _bounds(regions.kreise)
        outlines = url_for("assets.arl_outlines")
        kinds = {
            "atlas": {"bounds": everywhere, "boundaries": outlines},
            "projekt": {"bounds": everywhere, "cluster": False, "zoom": 12},
            "naehe": {"bounds": everywhere, "cluster": False, "zoom": 10},
            "pin": {"bounds": NIEDERSACHSEN_BOUNDS, "zoom": 15, "pin": True, "boundaries": outlines},
        }
        for slug in ARLS:
            kinds[f"region-{slug}"] = {"bounds": _bounds(regions.arl[regions.arl.arl == slug]), "labels": True,
                                       "boundaries": url_for("assets.kreis_outlines", slug=slug)}
        current_app.extensions["atlas_map_kinds"] = kinds
    return kinds


def _bounds(frame) -> tuple[tuple[float, float], tuple[float, float]]:
    west, south, east, north = (round(float(v), 5) for v in frame.total_bounds)
    return (south, west), (north, east)
