"""An operator sets the atlas up through ATLAS_* variables: each is read once, as its kind; a typo or a value of the
wrong kind stops the start with one line naming the fix; `atlas settings` shows what is in force, secrets hidden;
the documentation's table is the settings table itself."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import make_app

from atlas.cli import AtlasGroup
from atlas.mapdata import TILES
from atlas.settings import BY_NAME, SETTINGS, SettingError, documentation, load

pytestmark = pytest.mark.once  # no database: the same on either backend

DOCS = Path(__file__).resolve().parent.parent / "docs" / "operating.md"


def settings_from(tmp_path, **variables) -> dict:
    return load(tmp_path, environ={f"ATLAS_{name}": value for name, value in variables.items()})


def test_each_value_is_read_once_as_its_kind(tmp_path):
    config = settings_from(tmp_path, PROXY_COUNT="2", REQUIRE_2FA="yes", FORCE_HTTPS="0", NOMINATIM_TIMEOUT="2.5",
                           TRUSTED_HOSTS="atlas.niedersachsen.de, www.atlas.niedersachsen.de",
                           SECRET_KEY_FALLBACKS='["alt"]', SUBMIT_RATE_LIMIT="5 per minute")
    assert config["PROXY_COUNT"] == 2 and config["REQUIRE_2FA"] is True and config["FORCE_HTTPS"] is False
    assert config["NOMINATIM_TIMEOUT"] == 2.5 and config["SECRET_KEY_FALLBACKS"] == ["alt"]
    assert config["TRUSTED_HOSTS"] == ["atlas.niedersachsen.de", "www.atlas.niedersachsen.de"]
    assert settings_from(tmp_path, TRUSTED_HOSTS='["a.example"]')["TRUSTED_HOSTS"] == ["a.example"]
    assert config["SUBMIT_RATE_LIMIT"] == "5 per minute"


def test_without_variables_every_setting_has_its_default(tmp_path):
    config = load(tmp_path, environ={"PATH": "/usr/bin", "ATLAS_TEST_BACKEND": "sqlite"})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'atlas.db'}" and config["FRESHNESS_DAYS"] == 365
    assert {setting.name for setting in SETTINGS} <= set(config)


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("MAIL_UR", "smtp://mail:25", "ATLAS_MAIL_UR ist keine Einstellung des Atlas. Gemeint ist wohl ATLAS_MAIL_URL."),
    ("FRESHNES_DAYS", "30", "Gemeint ist wohl ATLAS_FRESHNESS_DAYS"),
    ("XYZ", "1", "ATLAS_XYZ ist keine Einstellung des Atlas. Alle Einstellungen nennt `atlas settings`."),
    ("FRESHNESS_DAYS", "ein Jahr", "ATLAS_FRESHNESS_DAYS ist eine ganze Zahl, nicht 'ein Jahr'."),
    ("FRESHNESS_DAYS", "0", "ATLAS_FRESHNESS_DAYS ist mindestens 1"),
    ("REQUIRE_2FA", "vielleicht", "ATLAS_REQUIRE_2FA ist 1 oder 0 (true oder false)"),
    ("TRUSTED_HOSTS", '["a", 1]', "ATLAS_TRUSTED_HOSTS ist eine Liste"),
    ("SEARCH_RATE_LIMIT", "10 per fortnight", "ATLAS_SEARCH_RATE_LIMIT ist ein Rate-Limit wie"),
    ("TILES", "google", "ATLAS_TILES muss einer von basemap, osm, none sein, nicht 'google'."),
    ("NOMINATIM_TIMEOUT", "<script>", "ATLAS_NOMINATIM_TIMEOUT ist eine Zahl, nicht '<script>'."),
])
def test_a_typo_or_a_value_of_the_wrong_kind_is_named_with_the_fix(tmp_path, variable, value, says):
    with pytest.raises(SettingError) as refused:
        settings_from(tmp_path, **{variable: value})
    assert says in str(refused.value)


def test_the_choices_are_what_the_atlas_knows():
    assert set(BY_NAME["TILES"].choices) == set(TILES)
    assert all(isinstance(logging.getLevelName(level), int) for level in BY_NAME["LOG_LEVEL"].choices)


def test_the_app_gets_typed_values_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_PAGE_CACHE_BYTES", "1000000")
    monkeypatch.setenv("ATLAS_MAIL_INTERVAL", "7")
    app = make_app(tmp_path)
    assert app.config["PAGE_CACHE_BYTES"] == 1_000_000 and app.config["MAIL_INTERVAL"] == 7.0


def run_settings(*args: str, **variables: str):
    unset = {name: None for name in os.environ if name.startswith("ATLAS_")}
    return CliRunner().invoke(AtlasGroup(), ["settings", *args],
                              env={**unset, **{f"ATLAS_{name}": value for name, value in variables.items()}})


def test_atlas_settings_shows_what_is_in_force_and_hides_secrets(tmp_path):
    result = run_settings(INSTANCE_PATH=str(tmp_path), FRESHNESS_DAYS="30",
                          MAIL_URL="smtp://atlas:geheim@mail.example:587",
                          SECRET_KEY="0123456789abcdefghijklmnopqrstuvwxyz")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "ATLAS_FRESHNESS_DAYS = 30  (Umgebung)" in lines and "ATLAS_LOG_LEVEL = INFO  (Vorgabe)" in lines
    assert "ATLAS_MAIL_URL = (verborgen)  (Umgebung)" in lines
    assert "geheim" not in result.output and "0123456789" not in result.output
    assert all(f"ATLAS_{setting.name} = " in result.output for setting in SETTINGS)


def test_atlas_settings_with_a_typo_says_which_setting_was_meant(tmp_path):
    result = run_settings(INSTANCE_PATH=str(tmp_path), LOG_LEVL="DEBUG")
    assert result.exit_code == 1
    assert "ATLAS_LOG_LEVL ist keine Einstellung des Atlas. Gemeint ist wohl ATLAS_LOG_LEVEL." in result.stderr


def test_the_documentation_lists_every_setting_as_the_table_says():
    page = DOCS.read_text(encoding="utf-8")
    start = page.index("<!-- settings: made by `atlas settings --markdown` -->\n")
    end = page.index("\n<!-- /settings -->")
    assert page[start:end].split("\n", 1)[1] == documentation(), "run `atlas settings --markdown` into the page"


def test_a_data_folder_without_the_gazetteer_is_refused_at_the_start_not_at_the_first_map(tmp_path):
    """The boundaries and the gazetteer are read when first needed: a start checks that ATLAS_DATA_DIR holds them."""
    from atlas import create_app

    data = tmp_path / "daten\n"  # a folder's name may hold a line break
    shutil.copytree(Path(__file__).resolve().parent.parent / "data" / "regions", data / "regions")
    with pytest.raises(SettingError, match=r"ATLAS_DATA_DIR \('.*daten\\n'\) enthält kein gazetteer/: ") as refused:
        create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "DATA_DIR": str(data)})
    assert "regions/ und kein" not in str(refused.value)
    assert "\n" not in str(refused.value), "one line, whatever the folder is called"
