"""The OpenAPI 3.0 document of /ogc (OGC API – Features, Part 1), linked from its landing page as service-desc."""

from __future__ import annotations

from atlas import ogc
from atlas.districts import ARLS, BOUNDARIES
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import _
from atlas.store.query import DEFAULT_LIMIT

LINK = {"type": "object", "required": ["href"], "properties": {
    "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"}, "title": {"type": "string"}}}
LINKS = {"type": "array", "items": {"$ref": "#/components/schemas/link"}}
FEATURE = {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
    "type": {"type": "string", "enum": ["Feature"]}, "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    "geometry": {"type": "object"}, "properties": {"type": "object"}, "links": LINKS}}
COLLECTION = {"type": "object", "required": ["id", "links"], "properties": {
    "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
    "links": LINKS, "extent": {"type": "object"}, "itemType": {"type": "string"},
    "crs": {"type": "array", "items": {"type": "string"}}}}


def openapi_document(base: str, licence: str) -> dict:
    """The whole API: paths, parameters, answers; `base` is the absolute URL of /ogc, `licence` the data's."""
    return {
        "openapi": "3.0.3",
        "info": {"title": _("Gemeinsame Sache – Projektatlas Niedersachsen packt an"), "version": "1.0.0",
                 "description": _("Offene Daten des Projektatlas: Initiativen für Geflüchtete in Niedersachsen, "
                                  "Landkreise und Amtsbezirke."),
                 "license": {"name": f"{licence} (Projekte); Grenzen: {BOUNDARIES}"}},
        "servers": [{"url": base}],
        "paths": {
            "/": _get("landing", _("Einstiegsseite mit Verweisen"), {"$ref": "#/components/schemas/landing"}),
            "/conformance": _get("conformance", _("Erfüllte Konformitätsklassen"),
                                 {"type": "object", "required": ["conformsTo"], "properties": {
                                     "conformsTo": {"type": "array", "items": {"type": "string"}}}}),
            "/collections": _get("collections", _("Die Datensätze"), {
                "type": "object", "required": ["collections", "links"], "properties": {
                    "links": LINKS, "collections": {"type": "array", "items": COLLECTION}}}),
            "/collections/{collectionId}": _get("collection", _("Ein Datensatz"), COLLECTION, [_COLLECTION_ID],
                                                missing=True),
            "/collections/{collectionId}/items": _get(
                "items", _("Objekte eines Datensatzes, seitenweise"), {
                    "type": "object", "required": ["type", "features"], "properties": {
                        "type": {"type": "string", "enum": ["FeatureCollection"]},
                        "features": {"type": "array", "items": FEATURE}, "links": LINKS,
                        "numberMatched": {"type": "integer", "minimum": 0},
                        "numberReturned": {"type": "integer", "minimum": 0}}},
                [_COLLECTION_ID, *_ITEM_PARAMETERS], geo=True, missing=True),
            "/collections/{collectionId}/items/{featureId}": _get(
                "item", _("Ein Objekt"), FEATURE,
                [_COLLECTION_ID, {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}],
                geo=True, missing=True),
            "/openapi": {"get": {"operationId": "openapi", "summary": _("Dieses Dokument"), "responses": {
                "200": {"description": "OpenAPI 3.0", "content": {ogc.OPENAPI_TYPE: {"schema": {"type": "object"}}}}}}},
        },
        "components": {"schemas": {
            "link": LINK,
            "landing": {"type": "object", "required": ["links"], "properties": {
                "title": {"type": "string"}, "description": {"type": "string"}, "links": LINKS}},
            "problem": {"type": "object", "properties": {"code": {"type": "string"},
                                                         "description": {"type": "string"}}},
        }},
    }


_COLLECTION_ID = {"name": "collectionId", "in": "path", "required": True,
                  "schema": {"type": "string", "enum": list(ogc.COLLECTIONS)}}
_F = {"name": "f", "in": "query", "required": False, "schema": {"type": "string", "enum": ["json", "html"]}}
_ITEM_PARAMETERS = [
    {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": ogc.MAX_LIMIT, "default": DEFAULT_LIMIT}},
    {"name": "offset", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 0, "maximum": ogc.MAX_OFFSET, "default": 0}},
    {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
     "schema": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}},
    {"name": "datetime", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "hf", "in": "query", "required": False, "style": "form", "explode": False,
     "schema": {"type": "array", "items": {"type": "string", "enum": list(HANDLUNGSFELDER)}}},
    {"name": "arl", "in": "query", "required": False, "schema": {"type": "string", "enum": list(ARLS)}},
    {"name": "kreis", "in": "query", "required": False, "schema": {"type": "string", "pattern": "^03[0-9]{3}$"}},
]


def _get(operation: str, summary: str, schema: dict, parameters: list | None = None, geo: bool = False,
         missing: bool = False) -> dict:
    content = {("application/geo+json" if geo else "application/json"): {"schema": schema},
               "text/html": {"schema": {"type": "string"}}}
    responses = {"200": {"description": summary, "content": content}}
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/problem"}},
               "text/html": {"schema": {"type": "string"}}}
    if missing:
        responses["404"] = {"description": _("Nicht vorhanden"), "content": problem}
    responses["400"] = {"description": _("Ungültiger Parameter"), "content": problem}
    responses["429"] = {"description": _("Zu viele Anfragen"), "content": {"text/html": {"schema": {"type": "string"}}}}
    return {"get": {"operationId": operation, "summary": summary, "parameters": [*(parameters or []), _F],
                    "responses": responses}}
