"""`atlas locate QUERY [--json]`: one answer, never a traceback."""

from __future__ import annotations

import json

import pytest


def locate(runner, *args):
    return runner.invoke(args=["locate", *args])


def test_locate_prints_kreis_and_arl(runner):
    result = locate(runner, "Meppen")
    assert result.exit_code == 0, result.output
    assert "Landkreis Emsland" in result.output
    assert "Amt für regionale Landesentwicklung Weser-Ems" in result.output


def test_locate_reads_a_river_in_brackets_as_part_of_the_name_not_as_a_gemeinde(runner):
    result = locate(runner, "Stade (Elbe)")
    assert result.exit_code == 0, result.output
    assert "Landkreis Stade" in result.output and "Wolfenbüttel" not in result.output


def test_locate_json_has_the_documented_shape(runner):
    result = locate(runner, "--json", "30169")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "ok"
    assert {"lat", "lon", "precision", "source", "kreis", "arl", "message", "candidates"} <= data.keys()
    assert data["kreis"] == {"rs": "03241", "name": "Region Hannover"}
    assert data["arl"] == {"slug": "leine-weser", "name": "Amt für regionale Landesentwicklung Leine-Weser"}
    assert data["precision"] == "postcode"


def test_locate_json_lists_candidates_when_ambiguous(runner):
    result = locate(runner, "--json", "Asendorf")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["status"] == "ambiguous"
    assert {c["kreis"]["rs"] for c in data["candidates"]} == {"03251", "03353"}
    assert all(c["arl"]["slug"] for c in data["candidates"])


@pytest.mark.parametrize(("query", "status"), [
    ("", "invalid"), ("Qwxzrtplk", "not_found"), ("123", "invalid"), ("123456789", "invalid"),
    ("<b>Hannover</b>", "invalid"), ("'; DROP TABLE projects; --", "invalid"), ("\x00\x01", "invalid"),
    ("ü" * 500, "invalid"), ("München", "ok"),
])
def test_locate_never_shows_a_traceback(runner, query, status):
    result = locate(runner, "--json", query)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    data = json.loads(result.output)
    assert data["status"] == status
    assert data["message"]
    assert result.exit_code == (0 if status == "ok" else 1)
