"""The items of the near search's and the search's lists are kept per version and language (atlas.web.items): what
a publication changes shows at once, and each language gets its own words."""

from __future__ import annotations

from bs4 import BeautifulSoup


def items(response) -> list[str]:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [" ".join(li.get_text(" ").split()) for li in page.select("#treffer li")]


def distances(response) -> dict[str, str]:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return {li.select_one("a").get_text(): li.select_one(".entfernung").get_text() for li in page.select("#treffer li")}


def test_an_edit_shows_in_the_kept_items_at_once(client, services):
    near = {"ort": "Hemmingen", "umkreis": "50"}
    before = items(client.get("/in-der-naehe", query_string=near))
    found = items(client.get("/suche", query_string={"q": "Netzwerk"}))
    project_id = next(row["id"] for row in services.store.rows() if row["name"] == "Hemminger Netzwerk für Flüchtlinge")
    assert any("Hemminger Netzwerk für Flüchtlinge" in item for item in before)
    assert any("Hemminger Netzwerk für Flüchtlinge" in item for item in found)
    with services.store.change(project_id) as unit:
        unit.write({"name": "Hemminger Netzwerk <b>neu</b>", "traeger": "Neuer Träger e. V."}, "edited")

    after = items(client.get("/in-der-naehe", query_string=near))
    assert any("Hemminger Netzwerk <b>neu</b>" in item and "Neuer Träger e. V." in item for item in after)
    assert not any("für Flüchtlinge" in item for item in after)
    assert len(after) == len(before)
    searched = items(client.get("/suche", query_string={"q": "Netzwerk"}))
    assert any("Hemminger Netzwerk <b>neu</b>" in item for item in searched)


def test_each_language_gets_its_own_words_and_every_distance_is_its_own(client):
    near = {"ort": "Hemmingen", "umkreis": "50"}
    german = items(client.get("/in-der-naehe", query_string=near))
    english = items(client.get("/in-der-naehe", query_string={**near, "lang": "en"}))
    assert any("Sprache" in item for item in german) and not any("Language" in item for item in german)
    assert any("Language" in item for item in english)
    # the same projects seen from another place: their kept items, each with the distance from there
    here = distances(client.get("/in-der-naehe", query_string=near))
    there = distances(client.get("/in-der-naehe", query_string={"ort": "Hildesheim", "umkreis": "50"}))
    both = set(here) & set(there)
    assert both and all(here[name] != there[name] for name in both)


def test_a_template_reads_a_projects_keys_as_jinja_does(app):
    """The pages' environment reads a dict's keys without trying the attribute first (atlas.web.templating): every
    expression gives what Jinja's own environment gives, for keys, missing keys, dict's own methods and others."""
    from jinja2 import Environment

    expressions = ["{{ p.name }}", "{{ p.missing is defined }}", "{{ p.missing }}", "{{ p.items is callable }}",
                   "{{ p.get('name') }}", "{{ p.keys()|list }}", "{{ p.__class__.__name__ }}", "{{ p.fields|join }}",
                   "{{ p.name.upper() }}", "{{ p['items'] }}", "{{ p.km is defined }}"]
    projects = [{"name": "Sprachcafé <b>", "items": "ein Schlüssel wie dict.items", "fields": ("a", "b")},
                {}, type("Sub", (dict,), {"km": 3.5})(name="Unterklasse"), [1, 2], "Text", None]
    jinjas = Environment(autoescape=True)
    assert type(app.jinja_env).__name__ == "Templates"

    def outcome(environment, expression, project) -> str:
        try:
            return environment.from_string(expression).render(p=project)
        except Exception as error:  # noqa: BLE001 - the same error is the same outcome
            return f"{type(error).__name__}: {error}"

    for expression in expressions:
        for project in projects:
            assert outcome(app.jinja_env, expression, project) == outcome(jinjas, expression, project), expression


def test_an_import_of_macros_sees_the_globals_as_jinjas_own_chain_does(app):
    """A template's globals answer keys() as a set (atlas.web.templating.Globals): the keys of Jinja's ChainMap,
    live – a global the page has and the imported template lacks still reaches the import's macros, and one given
    to the environment after the templates were loaded is seen."""
    from collections import ChainMap

    from atlas.web.templating import Globals

    environment = app.jinja_env
    partials = environment.get_template("_partials.html")
    assert isinstance(partials.globals, Globals)
    assert set(partials.globals.keys()) == set(ChainMap(*partials.globals.maps).keys())
    environment.globals["late_global"] = "spät"
    try:
        assert "late_global" in partials.globals.keys()
        page = environment.from_string('{% from "_partials.html" import notices_block %}{{ own }} '
                                       '{{ notices_block(["<b>Hinweis</b>"]) }}', globals={"own": "eigen"})
        with app.test_request_context("/"):
            written = page.render()
        assert written.startswith("eigen ") and "&lt;b&gt;Hinweis&lt;/b&gt;" in written
    finally:
        del environment.globals["late_global"]


def test_a_text_shaped_like_the_distances_place_stays_text_and_each_item_has_one_distance(client, services):
    """A kept item holds a comment where its distance goes (atlas.web.items.DISTANCE); a project whose texts spell
    that comment out gets them shown as text, and no distance lands in them."""
    project_id = next(row["id"] for row in services.store.rows() if row["name"] == "Hemminger Netzwerk für Flüchtlinge")
    with services.store.change(project_id) as unit:
        unit.write({"name": "<!--entfernung--> Netzwerk", "traeger": "<!--entfernung-->"}, "edited")
    for _ in range(2):  # written, then kept
        response = client.get("/in-der-naehe", query_string={"ort": "Hemmingen", "umkreis": "50"})
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        listed = page.select("#treffer li")
        assert listed and all(len(li.select(".entfernung")) == 1 for li in listed)
        item = next(li for li in listed if "Netzwerk" in li.select_one("a").get_text())
        assert item.select_one("a").get_text() == "<!--entfernung--> Netzwerk"
        assert "<!--entfernung-->" in item.select_one("[data-slot=traeger]").get_text()
        assert "&lt;!--entfernung--&gt; Netzwerk" in response.get_data(as_text=True)


def test_an_items_parts_are_escaped_as_jinja_escapes_them():
    """atlas.web.list_item writes an item's parts as plain strings (escaped), made markup once: the same text as
    markupsafe's escape, for every payload and whatever the value."""
    from helpers import PAYLOADS
    from markupsafe import Markup, escape

    from atlas.web.list_item import _replaced, escaped

    for value in [*PAYLOADS, "a & b \"c\" 'd' <e> &amp;", "", "٪ عربي", None, 42, 3.5, Markup("<b>kept</b>")]:
        assert escaped(value) == str(escape(value)), value
        assert type(escaped(value)) is str
        if type(value) is str:  # the fallback where markupsafe has no escaping of a str to a str
            assert _replaced(value) == str(escape(value)), value


def test_a_lists_view_of_a_project_writes_the_item_its_full_view_writes(app):
    """atlas.present.listed_view leaves out the facts an item does not write: every item, with every fact, source
    and confirmation, is the same as from project_view, in each language."""
    from datetime import UTC, datetime
    from itertools import product

    from atlas.facts import LANGUAGE_BITS
    from atlas.present import listed_view, project_view
    from atlas.web.list_item import item_text

    bits = list(LANGUAGE_BITS.values())
    rows = [{"id": 7 + i, "name": "Café <b>", "traeger": "Träger & Co", "ort": "Hemmingen", "lat": 52.3, "lon": 9.7,
             "handlungsfelder": "sprache;arbeit", "sprachen_mask": spoken, "zg_mask": 3, "kosten": kosten,
             "zeiten": zeiten, "wann": "zeiten" if zeiten else "laufend", "barrierefrei": "ja", "kontakt": "a@b.de",
             "quelle": quelle, "quelle_stand": "2021-05" if quelle else None, "from_source": bool(quelle), "km": 3.25}
            for i, (spoken, kosten, zeiten, quelle) in enumerate(product(
                [0, bits[0], bits[0] | bits[3] | bits[-1]], ["kostenlos", "gebuehr", None],
                ["", "Mo-Fr 17:00-19:00; PH off", "Sa,Su 10:00-12:00"], [None, "https://example.org/liste"]))]
    for code in ("de", "ar", "en", "fa", "uk"):
        with app.test_request_context(f"/in-der-naehe?lang={code}", headers={"Accept-Language": code}):
            for row in rows:
                full, listed = project_view(row), listed_view(row)
                for view in (full, listed):
                    view["unconfirmed_since"] = datetime(2024, 3, 1, tzinfo=UTC)
                assert item_text(listed) == item_text(full), (code, row)


def test_the_items_link_their_projects_under_the_apps_root(seeded, client):
    """The sample address the items' links are built from is kept per root (atlas.web.list_item.Words): an app
    behind a path prefix links its projects under it, and the same app without one does not."""
    from atlas.web.fragments import kept_fragment
    from atlas.web.list_item import sample_address

    kept = {}
    for root in ("", "/atlas", "", "/atlas"):  # each root's address kept once, then found again
        with seeded.test_request_context("/suche", base_url=f"http://localhost{root}"):
            kept.setdefault(root, []).append(str(kept_fragment("project_address", (), sample_address,
                                                               "public.project", "project_id")))
    assert kept[""][0] == kept[""][1] and kept[""][0].startswith("/projekt/"), kept
    assert kept["/atlas"][0] == kept["/atlas"][1] and kept["/atlas"][0].startswith("/atlas/projekt/"), kept
    page = BeautifulSoup(client.get("/suche", query_string={"q": "Netzwerk"}, base_url="http://localhost/atlas")
                         .get_data(as_text=True), "html.parser")
    links = [a["href"] for a in page.select("#treffer li a.projekt-name")]
    assert links and all(href.startswith("/atlas/projekt/") for href in links), links
