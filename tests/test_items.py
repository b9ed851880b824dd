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
