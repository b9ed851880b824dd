"""An import of many rows: every row stored with the columns' defaults, numbered in the file's order, findable by
the search, on the public pages at once – on PostgreSQL by COPY (atlas.copying), on SQLite by executemany."""

from __future__ import annotations

ROWS = 150  # beyond atlas.search_index.COPIED_FROM: the search documents too are copied on PostgreSQL


def test_many_rows_are_stored_whole_in_order_and_found(runner, services, client, tmp_path):
    path = tmp_path / "viele.csv"
    lines = ["name;traeger;beschreibung;handlungsfelder;ort;zeiten"]
    lines += [f"Lernwerkstatt Nummer {i};Verein {i % 7} e. V.;Offen für alle;sprache;Celle;"
              + ("Mo 10:00-12:00" if i % 10 == 0 else "") for i in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = runner.invoke(args=["import", str(path)])

    assert result.exit_code == 0, result.output
    assert f"{ROWS} Projekte importiert" in result.output
    rows = sorted((row for row in services.store.rows() if row["name"].startswith("Lernwerkstatt")),
                  key=lambda row: row["id"])
    assert [row["name"] for row in rows] == [f"Lernwerkstatt Nummer {i}" for i in range(ROWS)]
    assert [row["id"] for row in rows] == list(range(rows[0]["id"], rows[0]["id"] + ROWS))
    first = rows[0]
    assert (first["street"], first["website"], first["language"], first["row_version"], first["kreis_name"]) == (
        "", "", "de", 1, "Celle")
    assert rows[10]["zeiten"] == "Mo 10:00-12:00" and rows[11]["zeiten"] == ""
    found = services.searcher.search("Lernwerkstatt")
    assert found.total == ROWS
    assert services.searcher.search("Nummer 149").ids == [rows[149]["id"]]
    page = client.get("/suche", query_string={"q": "Lernwerkstatt"})
    assert page.status_code == 200 and f"{ROWS} Projekte gefunden" in page.get_data(as_text=True)
    # a new project after the import takes the next number
    more = tmp_path / "eins.csv"
    more.write_text("name;handlungsfelder;ort\nNoch eins;sprache;Celle\n", encoding="utf-8")
    assert runner.invoke(args=["import", str(more)]).exit_code == 0
    assert max(row["id"] for row in services.store.rows()) == rows[-1]["id"] + 1
