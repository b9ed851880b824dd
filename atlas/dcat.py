"""The open-data catalogue in DCAT-AP.de (the German profile of DCAT-AP that GovData harvests), built with rdflib
and written as JSON-LD or Turtle: the datasets (projects, Kreise, ArL districts) and their distributions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from atlas.districts import BOUNDARIES, BOUNDARIES_LICENCE

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
FILETYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
LICENCES = {  # DCAT-AP.de's licence vocabulary
    "CC BY 4.0": "http://dcat-ap.de/def/licenses/cc-by/4.0",
    "dl-de/by-2-0": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
    "CC0 1.0": "http://dcat-ap.de/def/licenses/cc-zero",
}
NIEDERSACHSEN = URIRef("http://dcat-ap.de/def/politicalGeocoding/stateKey/03")
STATE_LEVEL = URIRef("http://dcat-ap.de/def/politicalGeocodingLevel/state")


@dataclass(frozen=True)
class Publisher:
    name: str
    email: str
    homepage: str
    contributor_id: str = ""  # the ID GovData gave the data provider (dcatde:contributorID)


def catalogue(base: str, publisher: Publisher, licence: str, licence_url: str, modified: datetime | None,
              replaced: list[tuple[int, int]] = ()) -> Graph:
    """The catalogue of the atlas at `base` (its absolute root URL, without a trailing slash); `replaced` are the
    (merged id, kept id) of records an office merged: each merged project's page dct:isReplacedBy the kept one's."""
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("dcatde", DCATDE)
    graph.bind("foaf", FOAF)
    graph.bind("vcard", VCARD)
    agent = URIRef(publisher.homepage or base)
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(publisher.name, lang="de")))
    contact = BNode()
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(publisher.name, lang="de")))
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{publisher.email}")))
    root = URIRef(f"{base}/ogc/dcat")
    graph.add((root, RDF.type, DCAT.Catalog))
    graph.add((root, DCTERMS.title, Literal("Gemeinsame Sache – Projektatlas „Niedersachsen packt an“", lang="de")))
    graph.add((root, DCTERMS.description, Literal(
        "Offene Daten des Projektatlas des Bündnisses „Niedersachsen packt an“: Initiativen für Geflüchtete in "
        "Niedersachsen, ihre Landkreise und die Ämter für regionale Landesentwicklung.", lang="de")))
    graph.add((root, DCTERMS.publisher, agent))
    graph.add((root, FOAF.homepage, URIRef(f"{base}/")))
    graph.add((root, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/DEU")))
    project_licence = URIRef(LICENCES.get(licence, licence_url))
    boundary_licence = URIRef(LICENCES[BOUNDARIES_LICENCE])
    datasets = [
        ("projekte", "Initiativen für Geflüchtete in Niedersachsen",
         "Die veröffentlichten Projekte des Projektatlas: Name, Träger, Beschreibung, Handlungsfelder, Lage (auf "
         "Wunsch auf etwa 1 km gerundet), Landkreis, zuständiges Amt für regionale Landesentwicklung, "
         "Angebotssprachen, Zielgruppe, Kosten, Zeiten, Barrierefreiheit und öffentlicher Kontakt. Projekte, die aus "
         "öffentlichen Quellen zusammengetragen wurden, nennen die Quelle (quelle, eine Webadresse) und deren Stand "
         "(quelle_stand: Jahr, Monat oder Tag); bestaetigt sagt, ob der Träger oder das Amt die Angaben bestätigt "
         "hat (eingereichte Projekte sind es von sich aus). Führt ein Amt zwei Einträge eines Projekts zusammen, "
         "nennt der bleibende die Nummern der ersetzten (ersetzt), deren Adressen auf ihn weiterleiten; die "
         "Liste der ersetzten Nummern gibt es als eigene Datei.",
         project_licence, f"Gemeinsame Sache – Projektatlas „Niedersachsen packt an“, {licence}",
         [("GeoJSON", "application/geo+json", FILETYPE.GEOJSON, f"{base}/daten/projekte.geojson"),
          ("CSV", "text/csv", FILETYPE.CSV, f"{base}/daten/projekte.csv"),
          # merged duplicates: which once published id is replaced by which (atlas.replacements)
          ("ersetzte Nummern, JSON", "application/json", FILETYPE.JSON, f"{base}/daten/ersetzte-projekte.json"),
          ("ersetzte Nummern, CSV", "text/csv", FILETYPE.CSV, f"{base}/daten/ersetzte-projekte.csv")]),
        ("kreise", "Landkreise und kreisfreie Städte Niedersachsens",
         "Die 45 Kreise mit Regionalschlüssel und zuständigem Amt für regionale Landesentwicklung (vereinfachte "
         "Grenzen nach VG250).", boundary_licence, BOUNDARIES, []),
        ("arl", "Amtsbezirke der Ämter für regionale Landesentwicklung",
         "Die vier Amtsbezirke Braunschweig, Leine-Weser, Lüneburg und Weser-Ems (aus den Kreisgrenzen nach VG250).",
         boundary_licence, BOUNDARIES, []),
    ]
    for slug, title, description, licence_uri, attribution, files in datasets:
        dataset = URIRef(f"{base}/ogc/collections/{slug}")
        graph.add((root, DCAT.dataset, dataset))
        graph.add((dataset, RDF.type, DCAT.Dataset))
        graph.add((dataset, DCTERMS.title, Literal(title, lang="de")))
        graph.add((dataset, DCTERMS.description, Literal(description, lang="de")))
        graph.add((dataset, DCTERMS.publisher, agent))
        graph.add((dataset, DCAT.contactPoint, contact))
        graph.add((dataset, DCAT.theme, THEME.SOCI if slug == "projekte" else THEME.REGI))
        graph.add((dataset, DCAT.keyword, Literal("Geflüchtete" if slug == "projekte" else "Verwaltungsgrenzen",
                                                  lang="de")))
        graph.add((dataset, DCTERMS.spatial, NIEDERSACHSEN))
        graph.add((dataset, DCATDE.politicalGeocodingLevelURI, STATE_LEVEL))
        graph.add((dataset, DCATDE.politicalGeocodingURI, NIEDERSACHSEN))
        graph.add((dataset, DCAT.landingPage, URIRef(f"{base}/")))
        if publisher.contributor_id:
            graph.add((dataset, DCATDE.contributorID, URIRef(publisher.contributor_id)))
        if modified and slug == "projekte":
            graph.add((dataset, DCTERMS.modified, Literal(modified.isoformat(), datatype=XSD.dateTime)))
        api = [("OGC API – Features", "application/geo+json", FILETYPE.GEOJSON,
                f"{base}/ogc/collections/{slug}/items")]
        for label, media, file_type, url in files + api:
            distribution = URIRef(url)
            graph.add((dataset, DCAT.distribution, distribution))
            graph.add((distribution, RDF.type, DCAT.Distribution))
            graph.add((distribution, DCTERMS.title, Literal(f"{title} ({label})", lang="de")))
            graph.add((distribution, DCAT.accessURL, URIRef(url)))
            if label != "OGC API – Features":
                graph.add((distribution, DCAT.downloadURL, URIRef(url)))
            else:
                graph.add((distribution, DCTERMS.conformsTo,
                           URIRef("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core")))
            graph.add((distribution, DCAT.mediaType,
                       URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
            graph.add((distribution, DCTERMS.format, file_type))
            graph.add((distribution, DCTERMS.license, licence_uri))
            graph.add((distribution, DCATDE.licenseAttributionByText, Literal(attribution, lang="de")))
            if modified and slug == "projekte":
                graph.add((distribution, DCTERMS.modified, Literal(modified.isoformat(), datatype=XSD.dateTime)))
    for merged_id, kept_id in replaced:
        graph.add((URIRef(f"{base}/projekt/{merged_id}"), DCTERMS.isReplacedBy, URIRef(f"{base}/projekt/{kept_id}")))
    return graph
