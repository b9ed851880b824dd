"""The Land's open-data portal (GovData) harvests the atlas's catalogue: DCAT-AP.de as JSON-LD and Turtle."""

from __future__ import annotations

import pytest
from helpers import add_facts_projects, make_app
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

# rdflib's own JSON-LD parser still builds on its deprecated ConjunctiveGraph
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
DCATDE = "http://dcat-ap.de/def/dcatde/"
CONTRIBUTOR = "http://dcat-ap.de/def/contributors/beispiel"


@pytest.fixture(scope="module")
def catalogue_app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("dcat"), DCAT_CONTRIBUTOR_ID=CONTRIBUTOR)
    add_facts_projects(app)
    return app


def parsed(app, fmt: str) -> Graph:
    response = app.test_client().get(f"/ogc/dcat.{fmt}")
    assert response.status_code == 200
    return Graph().parse(data=response.get_data(as_text=True), format={"jsonld": "json-ld", "ttl": "turtle"}[fmt])


def test_json_ld_and_turtle_say_the_same(catalogue_app):
    assert isomorphic(parsed(catalogue_app, "jsonld"), parsed(catalogue_app, "ttl"))


def test_the_catalogue_has_what_dcat_ap_de_requires(catalogue_app):
    graph = parsed(catalogue_app, "jsonld")
    [catalogue] = graph.subjects(RDF.type, DCAT.Catalog)
    for required in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher):
        assert graph.value(catalogue, required) is not None, required
    publisher = graph.value(catalogue, DCTERMS.publisher)
    assert str(graph.value(publisher, FOAF.name)) == "Niedersächsische Staatskanzlei"
    datasets = set(graph.objects(catalogue, DCAT.dataset))
    assert {str(d).rsplit("/", 1)[1] for d in datasets} == {"projekte", "kreise", "arl"}
    for dataset in datasets:
        for required in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCAT.contactPoint,
                         DCTERMS.spatial, DCAT.distribution, URIRef(DCATDE + "contributorID")):
            assert graph.value(dataset, required) is not None, (dataset, required)
        assert str(graph.value(dataset, DCTERMS.spatial)).endswith("/stateKey/03")  # Niedersachsen
        for distribution in graph.objects(dataset, DCAT.distribution):
            assert graph.value(distribution, DCAT.accessURL) is not None
            licence = str(graph.value(distribution, DCTERMS.license))
            assert licence.startswith("http://dcat-ap.de/def/licenses/"), licence
            assert graph.value(distribution, DCTERMS.format) is not None


def test_the_projects_name_their_licence_modification_and_files_that_answer(catalogue_app):
    graph = parsed(catalogue_app, "ttl")
    base = catalogue_app.config["BASE_URL"]  # the catalogue names the atlas's own address, not the request's
    projekte = URIRef(f"{base}/ogc/collections/projekte")
    store = catalogue_app.extensions["atlas"].store
    assert graph.value(projekte, DCTERMS.modified).toPython() == store.last_change()
    client = catalogue_app.test_client()
    downloads = [str(u) for d in graph.objects(projekte, DCAT.distribution) for u in graph.objects(d, DCAT.downloadURL)]
    assert sorted(u.rsplit("/", 1)[1] for u in downloads) == ["ersetzte-projekte.csv", "ersetzte-projekte.json",
                                                              "projekte.csv", "projekte.geojson"]
    for url in downloads + [str(graph.value(d, DCAT.accessURL)) for d in graph.objects(projekte, DCAT.distribution)]:
        assert client.get(url.removeprefix(base)).status_code == 200, url
    licences = {str(graph.value(d, DCTERMS.license)) for d in graph.objects(projekte, DCAT.distribution)}
    assert licences == {"http://dcat-ap.de/def/licenses/cc-by/4.0"}
    kreise = URIRef(f"{base}/ogc/collections/kreise")
    assert {str(graph.value(d, DCTERMS.license)) for d in graph.objects(kreise, DCAT.distribution)} == {
        "http://dcat-ap.de/def/licenses/dl-by-de/2.0"}


def test_the_catalogues_own_address_leads_to_it(catalogue_app):
    """The catalogue names itself by an address (its statements' subject) that a harvester or a person can open."""
    graph = parsed(catalogue_app, "jsonld")
    [catalogue] = graph.subjects(RDF.type, DCAT.Catalog)
    path = str(catalogue).removeprefix(catalogue_app.config["BASE_URL"])
    client = catalogue_app.test_client()
    plain, turtle = client.get(path), client.get(path, headers={"Accept": "text/turtle"})
    assert (plain.status_code, plain.headers["Location"]) == (303, "/ogc/dcat.jsonld")
    assert (turtle.status_code, turtle.headers["Location"]) == (303, "/ogc/dcat.ttl")
    assert client.get(path, follow_redirects=True).status_code == 200


def test_a_project_leaving_the_open_data_moves_the_modification_date_on(tmp_path):
    """GovData harvests again when the catalogue's date moves on: a project archived (gone from the files) is a change
    too, and the date never goes back to that of the projects still published."""
    from datetime import UTC, datetime

    app = make_app(tmp_path / "dcat")
    add_facts_projects(app)
    store = app.extensions["atlas"].store

    def modified():
        graph = parsed(app, "ttl")
        return graph.value(URIRef(f"{app.config['BASE_URL']}/ogc/collections/projekte"), DCTERMS.modified).toPython()

    before = modified()
    newest = max(store.published().id)
    archived_at = datetime.now(UTC)
    store.set_status(int(newest), "archived", actor="test")
    after = modified()
    assert after > before and after >= archived_at.replace(microsecond=0)


def test_the_landing_page_of_the_api_links_the_catalogue(catalogue_app):
    links = catalogue_app.test_client().get("/ogc").get_json()["links"]
    assert {link["type"] for link in links if link["rel"] == "describedby"} == {"application/ld+json", "text/turtle"}
