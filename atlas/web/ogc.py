"""OGC API – Features at /ogc: what GIS tools (QGIS, GDAL) and other websites read. Open to every origin (CORS),
answered with ETags, limited per client; JSON (GeoJSON for features) or HTML by `?f=` or the Accept header."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.http import parse_accept_header

from atlas import jsontext, ogc
from atlas.districts import BOUNDARIES, BOUNDARIES_LICENCE_URL
from atlas.i18n import _
from atlas.links import absolute_url, numbered_links, project_links, query_links
from atlas.openapi import openapi_document
from atlas.store import ProjectQuery
from atlas.text import clean_text, whole_number
from atlas.web import current_pages, current_services, current_store
from atlas.web.limits import api_limit, limiter
from atlas.web.per_header import per_header
from atlas.web.prepared import SENT_LEVELS, prepare, respond

bp = Blueprint("ogc", __name__, url_prefix="/ogc")
limiter.limit(api_limit)(bp)
MAX_AGE = 60  # seconds a client may keep an answer without asking; after that the ETag makes it a 304


@bp.errorhandler(BadRequest)
@bp.errorhandler(NotFound)
def problem(error):
    """Errors of the API as JSON (an HTML page for a person who asked for HTML), with what to fix."""
    if _asked_format() == "html":
        return error
    body = {"code": error.name, "description": error.description}
    return current_app.response_class(json.dumps(body, ensure_ascii=False), status=error.code,
                                      mimetype="application/problem+json")


@bp.after_request
def open_to_every_origin(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link"
    return response


@bp.get("")
@bp.get("/")
def landing():
    links = [
        _link("ogc.landing", "self", ogc.JSON_TYPE, _("Diese Seite")),
        _link("ogc.landing", "alternate", "text/html", _("Diese Seite als HTML"), f="html"),
        _link("ogc.openapi", "service-desc", ogc.OPENAPI_TYPE, _("Die Schnittstelle als OpenAPI 3.0")),
        _link("ogc.conformance", "conformance", ogc.JSON_TYPE, _("Erfüllte Standards")),
        _link("ogc.collections", "data", ogc.JSON_TYPE, _("Die Datensätze")),
        _link("ogc.catalogue", "describedby", "application/ld+json", "DCAT-AP.de (JSON-LD)", fmt="jsonld"),
        _link("ogc.catalogue", "describedby", "text/turtle", "DCAT-AP.de (Turtle)", fmt="ttl"),
    ]
    document = {"title": _("Gemeinsame Sache – Projektatlas Niedersachsen packt an"),
                "description": _("Offene Daten des Projektatlas: Initiativen für Geflüchtete in Niedersachsen, "
                                 "Landkreise und Amtsbezirke."), "links": links}
    return _answer(document, "ogc/landing.html")


@bp.get("/conformance")
def conformance():
    return _answer({"conformsTo": ogc.CONFORMANCE}, "ogc/landing.html")


@bp.get("/openapi")
def openapi():
    document = openapi_document(absolute_url("ogc.landing").rstrip("/"), current_app.config["DATA_LICENCE"])
    return _json(document, ogc.OPENAPI_TYPE)


@bp.get("/collections")
def collections():
    document = {"links": [_link("ogc.collections", "self", ogc.JSON_TYPE, _("Die Datensätze"))],
                "collections": [_collection(c) for c in ogc.COLLECTIONS]}
    return _answer(document, "ogc/collections.html")


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    _known(collection_id)
    return _answer(_collection(collection_id), "ogc/collections.html", single=True)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    _known(collection_id)
    services = current_services()
    try:  # a dict's get of a missing parameter, not werkzeug's (which raises and catches an exception for each)
        query = ogc.parse_items_query(request.args.to_dict(), services.regions)
    except ogc.BadQuery as problem:
        raise BadRequest(str(problem)) from None
    if collection_id == "projekte" and not _wants_html():
        # the same GeoJSON for everyone until the next publication: made once and kept with the rendered pages (a
        # GIS client pages through it, many clients ask the same pages); the key holds validated values only.
        # Compressed as a page sent once, as the search's are: a client paging through asks each page once, and zstd
        # at 5 cost about 0.5 ms more of a new page of 100 than at 3, for 3 % fewer bytes (docs/benchmarks.md, stop
        # 56: the API's new pages compressed as pages sent once)
        page = current_pages().get(("ogc.items", query), services.public.current().version_of(None),
                                   lambda: jsontext.dumps_utf8(_items_document(collection_id, query), text_keys=True),
                                   mimetype=ogc.GEOJSON, levels=SENT_LEVELS)
        return _responded(page)
    return _answer(_items_document(collection_id, query), "ogc/items.html", mimetype=ogc.GEOJSON,
                   collection=_collection(collection_id), item_links=_item_links,
                   properties_text=_properties_text)


def _items_document(collection_id: str, query: ProjectQuery) -> dict:
    """A page of features of a collection, with its links, as OGC API – Features has it."""
    services = current_services()
    if collection_id == "projekte":
        rows, matched = ogc.projects_page(services.store, services.public, query)
        project_url = project_links(absolute=True)
        features = [ogc.project_feature(row, project_url(row.id)) for row in rows]
    else:
        everything = _boundary_features(collection_id, query.bbox)
        matched, features = len(everything), everything[query.offset:query.offset + query.limit]
    href = query_links("ogc.items", collection_id=collection_id)

    def link(rel: str, kind: str, params) -> dict:
        return {"href": href(params), "rel": rel, "type": kind}

    links = [link("self", ogc.GEOJSON, query.params()), link("alternate", "text/html", query.params(f="html"))]
    if query.offset + query.limit < matched:
        links.append(link("next", ogc.GEOJSON, query.params(offset=query.offset + query.limit)))
    if query.offset:
        links.append(link("prev", ogc.GEOJSON, query.params(offset=max(0, query.offset - query.limit))))
    # No `timeStamp` (optional): the time of answering would change the ETag every second, and clients could never
    # be told that their copy is current.
    return {"type": "FeatureCollection", "numberMatched": matched, "numberReturned": len(features),
            "links": links, "features": features}


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    _known(collection_id)
    services = current_services()
    if collection_id == "projekte":
        number = whole_number(feature_id)
        if number is None:
            raise NotFound()
        rows, _matched = services.store.published_page(ProjectQuery(id=number, limit=1))
        kept = None if rows else services.store.replaced_by(number, once_published=True)
        if kept is not None:  # merged into another record: the feature lives on under the kept id
            return redirect(absolute_url("ogc.item", collection_id="projekte", feature_id=kept,
                                         **({"f": request.args["f"]} if "f" in request.args else {})), 301)
        if not rows:
            raise NotFound()
        feature = ogc.project_feature(rows[0], _project_url(rows[0].id))
    else:
        found = [f for f in _boundary_features(collection_id, None) if f["id"] == feature_id]
        if not found:
            raise NotFound()
        feature = dict(found[0])
    feature["links"] = [
        {"href": request.base_url, "rel": "self", "type": ogc.GEOJSON},
        {"href": absolute_url("ogc.collection", collection_id=collection_id), "rel": "collection",
         "type": ogc.JSON_TYPE}]
    return _answer(feature, "ogc/items.html", mimetype=ogc.GEOJSON, collection=_collection(collection_id),
                   item_links=_item_links, properties_text=_properties_text, single=True)


@bp.get("/dcat")
def catalogue_uri():
    """The catalogue's own URI (the subject of its statements) leads to it: Turtle for who asks for it, else
    JSON-LD (303, as linked data names a document about a thing)."""
    best = request.accept_mimetypes.best_match(["application/ld+json", "text/turtle"], default="application/ld+json")
    return redirect(url_for("ogc.catalogue", fmt="ttl" if best == "text/turtle" else "jsonld"), 303)


@bp.get("/dcat.<fmt>")
def catalogue(fmt: str):
    """The DCAT-AP.de catalogue for open-data portals (GovData harvests it): JSON-LD or Turtle."""
    from atlas import dcat  # rdflib: a tenth of a second that a start need not pay for a page harvested daily

    kinds = {"jsonld": ("json-ld", "application/ld+json"), "ttl": ("turtle", "text/turtle")}
    if fmt not in kinds:
        raise NotFound()
    config = current_app.config
    publisher = dcat.Publisher(config["OPERATOR_NAME"], config["OPERATOR_EMAIL"], config["DCAT_PUBLISHER_URL"],
                               config["DCAT_CONTRIBUTOR_ID"])
    projects = current_store()
    graph = dcat.catalogue(absolute_url("public.index").rstrip("/"), publisher, config["DATA_LICENCE"],
                           config["DATA_LICENCE_URL"], projects.last_change(),
                           [(row["id"], row["kept_id"]) for row in projects.replacements()])
    return _stored(graph.serialize(format=kinds[fmt][0]), kinds[fmt][1])


def _collection(collection_id: str) -> dict:
    title, description = ogc.COLLECTIONS[collection_id]
    return {
        "id": collection_id, "title": _(title), "description": _(description), "itemType": "feature",
        "crs": [ogc.CRS84],
        "extent": {"spatial": {"bbox": [_extent()], "crs": ogc.CRS84}},
        "links": [
            {"href": absolute_url("ogc.collection", collection_id=collection_id), "rel": "self",
             "type": ogc.JSON_TYPE, "title": _(title)},
            {"href": absolute_url("ogc.items", collection_id=collection_id), "rel": "items",
             "type": ogc.GEOJSON, "title": _(title)},
            {"href": absolute_url("ogc.items", collection_id=collection_id, f="html"), "rel": "items",
             "type": "text/html", "title": _(title)},
            {"href": current_app.config["DATA_LICENCE_URL"] if collection_id == "projekte"
             else BOUNDARIES_LICENCE_URL, "rel": "license", "type": "text/html",
             "title": current_app.config["DATA_LICENCE"] if collection_id == "projekte" else BOUNDARIES},
        ],
    }


def _extent() -> list[float]:
    """Niedersachsen's bounding box, once per process (every page of features names it)."""
    kept = current_app.extensions.get("atlas_ogc_extent")
    if kept is None:
        kept = [round(float(v), 4) for v in current_services().regions.kreise.total_bounds]
        current_app.extensions["atlas_ogc_extent"] = kept
    return list(kept)


def _boundary_features(collection_id: str, bbox) -> list[dict]:
    """The Kreise or ArL districts as features, made once per process; a bbox picks those it touches."""
    regions = current_services().regions
    frame, key = (regions.kreise_karte, "rs") if collection_id == "kreise" else (regions.arl, "arl")
    kept = current_app.extensions.setdefault("atlas_boundary_features", {})
    if collection_id not in kept:
        kept[collection_id] = ogc.boundary_features(frame, key)
    if not bbox:
        return kept[collection_id]
    touched = set(frame.cx[bbox[0]:bbox[2], bbox[1]:bbox[3]][key])
    return [f for f in kept[collection_id] if f["id"] in touched]


def _item_links(collection_id: str) -> Callable[[int | str], str]:
    """The HTML page of each feature of a collection, as url_for writes it: a project's by its number, joined into
    an address built once (a page of the HTML list links a hundred; url_for was a fifth of making it), a district's
    by url_for (its key is text)."""
    if collection_id == "projekte":
        return numbered_links("ogc.item", "feature_id", collection_id=collection_id, f="html")
    return lambda feature_id: url_for("ogc.item", collection_id=collection_id, feature_id=feature_id, f="html")


def _properties_text(properties: dict) -> Markup:
    """A feature's properties as its row of the HTML list shows them: "key: value; …", the name and the empty ones
    left out, a list's items joined by ", ". What a loop in the template wrote, value by value through Jinja's tests,
    filters and escaping (three quarters of the page); here the row's text is escaped once, as a whole, which is
    the same: escaping replaces character by character, and the separators hold none it replaces. A feature's
    values are JSON's (text, numbers, true/false, lists – a project's as tuples –, objects: they are written as
    GeoJSON too), none of them markup of its own."""
    shown = []
    for key, value in properties.items():
        if type(value) is str:  # most values: the test below for text alone, a quarter of the list's time (stop 56)
            if value and key != "name":
                shown.append(f"{key}: {value}")
            continue
        if key == "name" or value in _LEFT_OUT:
            continue
        if isinstance(value, list | tuple | dict):  # Jinja's "sequence and not string", for JSON's values
            value = ", ".join(map(str, value))
        shown.append(f"{key}: {value}")
    return escape("; ".join(shown))


# as `value not in ("", None, [])` compared in the template: False, 0 and {} are shown; and an empty tuple as the
# empty list it stands for (a project's lists are tuples: atlas.ogc)
_LEFT_OUT = ("", None, [], ())


def _known(collection_id: str) -> None:
    if collection_id not in ogc.COLLECTIONS:
        raise NotFound(_("Den Datensatz „%(value)s“ gibt es nicht. Es gibt: %(allowed)s.",
                         value=clean_text(collection_id)[:40], allowed=", ".join(ogc.COLLECTIONS)))


def _asked_format() -> str:
    """ "html" or "json", by `?f=` or else the Accept header; "" for an `f` the API does not know."""
    asked = request.args["f"] if "f" in request.args else None
    if asked:
        return asked if asked in ("json", "html") else ""
    return _accepted_format(request.headers.get("Accept", ""))


@per_header
def _accepted_format(accept: str) -> str:
    """ "html" or "json" by an Accept header, as werkzeug's request.accept_mimetypes matches it, kept per header
    (atlas.web.per_header): parsed anew it cost 15–50 µs of every page of the API (a browser's header 50, a GIS
    client's `*/*` 15; stop 56)."""
    best = parse_accept_header(accept, MIMEAccept).best_match(["application/json", ogc.GEOJSON, "text/html"])
    return "html" if best == "text/html" else "json"


def _wants_html() -> bool:
    asked = _asked_format()
    if not asked:
        raise BadRequest(_("„f“ ist json oder html, nicht „%(value)s“.", value=clean_text(request.args["f"])[:20]))
    return asked == "html"


def _answer(document: dict, template: str, mimetype: str = ogc.JSON_TYPE, **context):
    if _wants_html():
        body = render_template(template, document=document, **context)
        return _stored(body, "text/html")
    return _json(document, mimetype)


def _json(document: dict, mimetype: str):
    return _stored(_json_text(document), mimetype)


def _json_text(document: dict) -> bytes:
    return jsontext.dumps_utf8(document)


def _stored(body: str | bytes, mimetype: str):
    """An answer made for this request and not kept: compressed at the levels of such (the API's pages of projects
    are kept: items)."""
    return _responded(prepare(body, mimetype, SENT_LEVELS))


def _responded(page):
    return respond(page, max_age=MAX_AGE, vary=("Accept", "Accept-Language"))


def _link(endpoint: str, rel: str, kind: str, title: str, **params) -> dict:
    return {"href": absolute_url(endpoint, **params), "rel": rel, "type": kind, "title": title}


def _project_url(project_id: int) -> str:
    return absolute_url("public.project", project_id=project_id)
