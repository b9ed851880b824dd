"""Nobody can forge an office session: the signing key is never one that others know."""

from __future__ import annotations

import stat

import pytest
from flask.sessions import SecureCookieSessionInterface
from helpers import create_account, make_app

from atlas import create_app
from atlas.secret_key import UnsafeSecretKey

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once


def test_a_random_key_is_made_once_readable_only_by_the_owner(tmp_path):
    first = create_app({"INSTANCE_PATH": str(tmp_path), "TILES": "none"})
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 64
    again = create_app({"INSTANCE_PATH": str(tmp_path), "TILES": "none"})
    assert again.config["SECRET_KEY"] == first.config["SECRET_KEY"], "reused, so sessions survive a restart"
    other = create_app({"INSTANCE_PATH": str(tmp_path / "anderswo"), "TILES": "none"})
    assert other.config["SECRET_KEY"] != first.config["SECRET_KEY"]


def test_the_environment_overrides_the_key(tmp_path, monkeypatch):
    key = "9f8e3c1a7b6d5e4f0a2b8c9d1e3f5a7b6c8d0e2f"  # random, as secrets.token_hex makes them
    monkeypatch.setenv("ATLAS_SECRET_KEY", key)
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"] == key
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(("key", "message"), [
    ("dev-only-change-me", "öffentlich bekannter Beispielwert"),
    ("changeme", "öffentlich bekannter Beispielwert"),
    ("kurz", "zu kurz: 4 Bytes"),
    ("x" * 31, "zu kurz: 31 Bytes"),
])
def test_a_known_or_short_key_is_refused_at_start(tmp_path, monkeypatch, key, message):
    monkeypatch.setenv("ATLAS_SECRET_KEY", key)
    with pytest.raises(UnsafeSecretKey, match=message):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_a_key_file_others_can_read_is_refused(tmp_path):
    create_app({"INSTANCE_PATH": str(tmp_path), "TILES": "none"})
    (tmp_path / "secret_key").chmod(0o644)
    with pytest.raises(UnsafeSecretKey, match="chmod 600"):
        create_app({"INSTANCE_PATH": str(tmp_path), "TILES": "none"})


def test_a_cookie_signed_with_the_old_default_key_opens_nothing(tmp_path):
    app = make_app(tmp_path)
    create_account(app, "land@ml.example", "--admin")
    forger = make_app(tmp_path / "forger")
    forger.secret_key = "dev-only-change-me"  # what wave 1 signed with, as anyone could read in its code
    for user_id in ("1", "_", "x" * 43):
        serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
        cookie = serializer.dumps({"_user_id": user_id, "_fresh": True})
        client = app.test_client()
        client.set_cookie("session", cookie)
        assert client.get("/amt/export.csv").status_code == 302, "sent to the login page"
        assert client.get("/amt/").headers["Location"].startswith("/amt/anmelden")


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("TILES", "google", "ATLAS_TILES muss einer von basemap, osm, none sein"),
    ("GEOCODER", "<script>", "ATLAS_GEOCODER muss einer von offline, nominatim sein"),
    ("PROXY_COUNT", "-1", "ATLAS_PROXY_COUNT ist mindestens 0"),
    ("PROXY_COUNT", "eins", "ATLAS_PROXY_COUNT ist eine ganze Zahl"),
])
def test_settings_that_cannot_work_stop_the_start_with_a_german_message(tmp_path, setting, value, message):
    with pytest.raises(ValueError, match=message):
        create_app({"INSTANCE_PATH": str(tmp_path), setting: value})
