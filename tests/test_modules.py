"""The browser code is native ES modules (static/js/), one per concern: served as JavaScript under one version of
all of them and kept a year; they import each other by relative URLs, which the browser resolves under that
version, so a changed module never meets an old one from the browser's cache."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from helpers import html

from atlas.web.assets import version_of
from atlas.web.prepared import YEAR

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once
MODULES = Path(__file__).resolve().parent.parent / "static" / "js"
ENTRIES = ("main.js", "maps.js")  # what pages load: every page, and the pages with a map
IMPORTED = re.compile(r"""^(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^import\s*["']([^"']+)["']""", re.M)


def imports(name: str) -> list[str]:
    return [a or b for a, b in IMPORTED.findall((MODULES / name).read_text(encoding="utf-8"))]


def reached_from(entry: str) -> set[str]:
    """The modules `entry` imports, directly or through others."""
    reached, todo = set(), [entry]
    while todo:
        for wanted in imports(todo.pop()):
            name = wanted.removeprefix("./")
            if name not in reached:
                reached.add(name)
                todo.append(name)
    return reached - {entry}


def test_every_module_is_javascript_under_the_version_of_all_of_them_and_kept_a_year(client):
    page = html(client.get("/"))
    entries = [script["src"] for script in page.select("script[type=module][src^='/js/']")]
    assert sorted(src.rsplit("/", 1)[1] for src in entries) == sorted(ENTRIES)
    prefix = entries[0].rsplit("/", 1)[0]
    assert re.fullmatch(r"/js/[0-9a-f]{20}", prefix) and all(src.startswith(prefix + "/") for src in entries)
    for path in sorted(MODULES.glob("*.js")):
        response = client.get(f"{prefix}/{path.name}", headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, path.name
        assert response.mimetype == "text/javascript", "a module runs only if sent as JavaScript"
        assert response.cache_control.max_age == YEAR and response.cache_control.immutable, path.name
        assert response.headers["Content-Encoding"] == "gzip"
    older = client.get(f"/js/{'0' * 20}/map.js")  # a page from before a change asks under the old version
    assert older.status_code == 200 and older.cache_control.no_cache and not older.cache_control.max_age
    assert older.get_data() == (MODULES / "map.js").read_bytes()
    assert client.get(f"{prefix}/gibt-es-nicht.js").status_code == 404
    assert client.get(f"{prefix}/../../pyproject.toml").status_code == 404


def test_a_page_without_a_map_loads_only_the_code_of_every_page(client):
    page = html(client.get("/impressum"))
    scripts = [script["src"].rsplit("/", 1)[1] for script in page.select("script[src]")]
    assert scripts == ["main.js"] and page.select_one("script[src$='/main.js']")["type"] == "module"
    assert preloaded(page) == reached_from("main.js")


def test_a_page_names_every_module_it_needs_at_once(client):
    """The browser fetches them together (modulepreload), not one import after the other."""
    page = html(client.get("/"))
    assert preloaded(page) == reached_from("maps.js") | reached_from("main.js")
    assert {"columns.js", "text.js"} <= preloaded(page), "imports of imports, and the words of every page"


def preloaded(page) -> set[str]:
    links = page.select("link[rel=modulepreload]")
    assert all(re.fullmatch(r"/js/[0-9a-f]{20}/\w+\.js", link["href"]) for link in links)
    return {link["href"].rsplit("/", 1)[1] for link in links}


def test_modules_import_each_other_by_relative_urls_and_each_is_reached_from_an_entry():
    reached, todo = set(), list(ENTRIES)
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        for wanted in imports(name):
            assert wanted.startswith("./") and wanted.endswith(".js"), f"{name} imports {wanted}: not under the version"
            assert (MODULES / wanted).is_file(), f"{name} imports {wanted}, which is not there"
            todo.append(wanted.removeprefix("./"))
    assert reached == {path.name for path in MODULES.glob("*.js")}, "a module that no page loads"


def test_a_changed_or_added_module_changes_the_version_of_all():
    files = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:20] for path in MODULES.glob("*.js")}
    version = version_of(files)
    assert version == version_of(dict(reversed(files.items()))), "the same files, the same version"
    assert version_of({**files, "map.js": "0" * 20}) != version
    assert version_of({**files, "neu.js": files["map.js"]}) != version
    assert version_of({k: v for k, v in files.items() if k != "near.js"}) != version
