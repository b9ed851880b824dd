"""The offices' duplicate finder: pairs of a district's projects with (nearly) the same name or Träger within a few
km – pending, published and from sources alike –, „kein Duplikat“ remembered, on a page per district and on each
project's page."""

from __future__ import annotations

import pytest
from helpers import csrf_token, html
from team_setup import ANNA, BRAUNSCHWEIG, LAND, page_form, team_fixture  # noqa: F401

from atlas.duplicates import find_pairs, pairs_with
from atlas.likeness import likeness, same_name

LAMSPRINGE = (51.9603, 10.0115)


def project(project_id: int, name: str, traeger: str = "", lat: float = LAMSPRINGE[0], lon: float = LAMSPRINGE[1]):
    return {"id": project_id, "name": name, "traeger": traeger, "lat": lat, "lon": lon}


def pair_ids(pairs) -> list[tuple[int, int]]:
    return [pair.ids for pair in pairs]


def test_similar_names_nearby_are_a_pair_and_one_word_is_not():
    rows = [project(1, "Sprachcafé Lamspringe"), project(2, "Sprachcafe Lamspringe!"), project(3, "Sprachcafé"),
            project(4, "Fahrradwerkstatt")]
    [pair] = find_pairs(rows, set())
    assert pair.ids == (1, 2) and pair.name >= 90 and pair.traeger == 0 and pair.km == 0


def test_the_same_traeger_is_a_pair_where_one_names_words_are_in_the_others():
    rows = [project(1, "Sprachcafé", "Caritas Hildesheim"), project(2, "Sprachcafé der Caritas am Markt",
                                                                    "Caritas  Hildesheim"),
            project(3, "Frauentreff", "Caritas Hildesheim"), project(4, "Sprachkurs", ""),
            project(5, "Sprachkurs am Abend", ""), project(6, "!!!", "?"), project(7, "???", "?")]
    [pair] = find_pairs(rows, set())
    assert pair.ids == (1, 2) and pair.traeger == 100 and pair.name == 0
    # one Träger's other projects nearby are not its duplicates (in the real data: 43 such pairs, none alike)
    assert find_pairs([project(1, "Sprachbrücke der Willkommensinitiative", "Willkommensinitiative Lüneburg"),
                       project(2, "Hausaufgabenhilfe der Willkommensinitiative", "Willkommensinitiative Lüneburg")],
                      set()) == []


def test_pairs_farther_apart_than_the_radius_are_not_shown_and_near_ones_across_cells_are():
    # 0.027° of latitude is about 3.0 km: the second is just inside, the third just outside
    rows = [project(1, "Sprachcafé"), project(2, "Sprachcafé", lat=LAMSPRINGE[0] + 0.0265),
            project(3, "Sprachcafé", lat=LAMSPRINGE[0] - 0.0275)]
    assert pair_ids(find_pairs(rows, set())) == [(1, 2)]
    # wherever the grid's cells begin, two projects 2.9 km apart in longitude are found
    for shift in [i * 0.007 for i in range(8)]:
        near = [project(7, "Tafel", lon=10.0 + shift), project(8, "Tafel", lon=10.0 + shift + 0.0422)]
        assert pair_ids(find_pairs(near, set())) == [(7, 8)], shift


def test_pairs_marked_distinct_are_left_out_and_the_nearest_most_alike_come_first():
    rows = [project(1, "Sprachcafé Lamspringe"), project(2, "Sprachcafe Lamspringe"),
            project(3, "Sprachcafé Lamspringe", lat=LAMSPRINGE[0] + 0.01), project(4, "Tafel", "Caritas"),
            project(5, "Tafel Lamspringe", "Caritas")]
    assert pair_ids(find_pairs(rows, set())) == [(1, 3), (1, 2), (2, 3), (4, 5)]
    assert pair_ids(find_pairs(rows, {(1, 3), (2, 3)})) == [(1, 2), (4, 5)]
    assert pair_ids(pairs_with(rows[1], rows, set())) == [(1, 2), (2, 3)]


def test_the_finder_uses_the_submissions_rule():
    assert same_name("Sprachcafé Lamspringe", "Sprachcafe Lamspringe!")
    assert not same_name("Sprachcafé Lamspringe", "Sprachcafé")
    assert likeness("", "") == 0 and likeness("!!", "??") == 0 and not same_name("!!", "??")


def test_the_district_page_lists_its_pairs_pending_and_from_sources_alike(team):
    anna = team.client(ANNA)
    page = html(anna.get("/amt/dubletten"))
    [pair] = page.select("#dubletten li[id^=paar-]")
    assert pair["id"] == f"paar-{team.source}-{team.submission}"
    text = pair.get_text(" ", strip=True)
    assert "Veröffentlicht, aus Quellen, Lamspringe" in text and "Eingereicht, Lamspringe" in text
    assert "ähnlicher Name" in text
    assert page.select_one("#dubletten-zahl").get_text(strip=True) == "1 mögliches Duplikat"
    assert "Frauentreff" not in page.get_text(), "two projects of one Träger („Verein“) with other names are no pair"
    assert "Salzgitter" not in page.get_text(), "another district's projects are not compared"


def test_an_admin_sees_every_district_or_one_and_an_unknown_district_is_refused(team):
    from helpers import submit

    submit(team.app, name="Sprachcafe Salzgitter", ort="Salzgitter", email="")
    land = team.client(LAND)
    everything = html(land.get("/amt/dubletten"))
    assert len(everything.select("#dubletten li[id^=paar-]")) == 2
    braunschweig = html(land.get("/amt/dubletten?amt=braunschweig"))
    assert [p.get_text(" ", strip=True).split(" (")[0] for p in braunschweig.select("#dubletten li")] == [
        f"GS-{team.salzgitter:06d} Sprachcafé Salzgitter"]
    assert land.get("/amt/dubletten?amt=<script>").status_code == 400
    assert team.client(ANNA).get("/amt/dubletten?amt=braunschweig").status_code == 400


def test_not_a_duplicate_is_remembered_and_noted_in_both_histories(team):
    anna = team.client(ANNA)
    form = html(anna.get("/amt/dubletten")).select_one(f"#paar-{team.source}-{team.submission} form")
    data = {node["name"]: node["value"] for node in form.select("input")}
    answer = anna.post("/amt/dubletten/kein-duplikat", data=data)
    assert answer.status_code == 302 and answer.headers["Location"] == "/amt/dubletten"
    page = html(anna.get("/amt/dubletten"))
    assert page.select("#dubletten li[id^=paar-]") == []
    assert page.select_one("#dubletten li").get_text() == "Keine möglichen Duplikate."
    assert team.store.distinct() == {(team.source, team.submission)}
    history = html(anna.get(f"/amt/projekt/{team.submission}")).select_one("#verlauf").get_text(" ", strip=True)
    assert f"{ANNA} · Kein Duplikat von: GS-{team.source:06d}" in history
    again = anna.post("/amt/dubletten/kein-duplikat", data=data)  # a second click changes nothing
    assert again.status_code == 302 and team.store.distinct() == {(team.source, team.submission)}
    assert [c["action"] for c in team.store.history(team.source)].count("distinct") == 1


def test_the_project_page_shows_its_likely_duplicates_and_marks_one_distinct(team):
    anna = team.client(ANNA)
    page = html(anna.get(f"/amt/projekt/{team.submission}"))
    [item] = page.select("#duplikat-liste li")
    assert item["id"] == f"duplikat-{team.source}"
    assert item.select_one("a")["href"] == f"/amt/projekt/{team.source}"
    assert item.select_one("a.button")["href"] == f"/amt/projekt/{team.submission}/zusammenfuehren?mit={team.source}"
    data = {node["name"]: node["value"] for node in item.select("form input")}
    answer = anna.post("/amt/dubletten/kein-duplikat", data=data)
    assert answer.headers["Location"] == f"/amt/projekt/{team.submission}"
    assert html(anna.get(f"/amt/projekt/{team.submission}")).select("#duplikat-liste li") == []
    assert "Keine ähnlichen Einträge in der Nähe." in html(anna.get(f"/amt/projekt/{team.source}")).select_one(
        "#duplikate").get_text()


def test_a_stale_comparison_marks_nothing(team):
    anna = team.client(ANNA)
    item = html(anna.get(f"/amt/projekt/{team.submission}")).select_one(f"#duplikat-{team.source}")
    data = {node["name"]: node["value"] for node in item.select("form input")}
    approve = page_form(anna, f"/amt/projekt/{team.submission}", "freigeben")
    anna.post(f"/amt/projekt/{team.submission}/freigeben", data=approve)
    answer = anna.post("/amt/dubletten/kein-duplikat", data=data)
    assert answer.status_code == 302
    flashes = html(anna.get(answer.headers["Location"])).select(".notice[role=status]")
    assert any("wurde geändert, seit Sie sie verglichen haben" in p.get_text() for p in flashes)
    assert team.store.distinct() == set()


@pytest.mark.parametrize("fields", [
    {"erster": "1", "zweiter": "1"}, {"erster": "<script>", "zweiter": "2"}, {"erster": "1"},
    {"erster": "1", "zweiter": "2", "stand-1": "x", "stand-2": "1"}, {"erster": "1", "zweiter": "2"},
    {"erster": "9" * 30, "zweiter": "2"},
])
def test_hostile_distinct_forms_mark_nothing(team, fields):
    anna = team.client(ANNA)
    answer = anna.post("/amt/dubletten/kein-duplikat", data=dict(fields, csrf_token=csrf_token(anna.get("/amt/"))))
    assert answer.status_code in (400, 404)
    assert team.store.distinct() == set()


def test_another_district_cannot_mark_a_pair(team):
    braunschweig = team.client(BRAUNSCHWEIG)
    data = {"csrf_token": csrf_token(braunschweig.get("/amt/")), "erster": str(team.source),
            "zweiter": str(team.submission), f"stand-{team.source}": "1", f"stand-{team.submission}": "1"}
    assert braunschweig.post("/amt/dubletten/kein-duplikat", data=data).status_code == 403
    assert team.store.distinct() == set()
    page = html(braunschweig.get("/amt/dubletten"))
    assert "Lamspringe" not in page.get_text()
