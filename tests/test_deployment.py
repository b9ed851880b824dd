"""The documented deployment (deploy/compose.yaml, docs/operating.md) read as Docker Compose reads it: every app
container would start with its settings, nothing secret has a default, only the proxy is reachable from outside,
the schema is migrated once before any app server, and the jobs beside them are real commands. (Pulling the
images needs the internet; tests/test_app_servers.py runs the same set-up – two gunicorn servers, one PostgreSQL,
one Redis – for real.)"""

from __future__ import annotations

import re
import secrets
import shlex
from pathlib import Path

import pytest
import yaml

from atlas.secret_key import secret_key
from atlas.setting_checks import check_settings
from atlas.settings import load

pytestmark = pytest.mark.once

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
SECRETS = ("POSTGRES_PASSWORD", "ATLAS_SECRET_KEY", "ATLAS_MAIL_URL")
OPERATOR = {"ATLAS_DOMAIN": "atlas.niedersachsen.de", "POSTGRES_PASSWORD": secrets.token_hex(16),
            "ATLAS_SECRET_KEY": secrets.token_hex(32), "ATLAS_MAIL_URL": "smtp+starttls://atlas:geheim@mail.example:587",
            "ATLAS_MAIL_FROM": "Gemeinsame Sache <atlas@atlas.niedersachsen.de>"}
VARIABLE = re.compile(r"\$\{(\w+)(?:(:\?|:-)([^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def interpolated(value: str, environ: dict[str, str]) -> str:
    """A value as Compose fills it in: ${NAME:?message} fails without NAME, ${NAME:-default} falls back."""
    def fill(match):
        name, kind, rest = match.groups()
        if environ.get(name):
            return environ[name]
        if kind == ":-":
            return rest
        raise KeyError(f"{name}: {rest}")

    return VARIABLE.sub(fill, value)


@pytest.mark.parametrize("service", ["migrate", "app", "jobs"])
def test_each_atlas_container_starts_with_the_settings_compose_gives_it(compose, service, tmp_path):
    given = compose["services"][service]["environment"]
    environ = {name: interpolated(str(value), OPERATOR) for name, value in given.items()}
    config = load(tmp_path, environ=environ)  # an unknown ATLAS_* name or a value of the wrong kind would raise
    assert check_settings(config) == [], "no warning about an unsafe setting"
    assert secret_key(config["SECRET_KEY"], tmp_path) == OPERATOR["ATLAS_SECRET_KEY"]
    assert config["DATABASE_URL"].startswith("postgresql+psycopg://atlas:") and config["DATABASE_URL"].endswith(
        "@db:5432/atlas")
    assert config["BASE_URL"] == "https://atlas.niedersachsen.de"
    assert config["TRUSTED_HOSTS"] == ["atlas.niedersachsen.de"]
    assert config["RATELIMIT_STORAGE_URI"].startswith("redis://redis:")
    assert config["PAGE_CACHE_URI"].startswith("redis://redis:")
    assert config["PROXY_COUNT"] == 1 and config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]


@pytest.mark.parametrize("missing", SECRETS + ("ATLAS_DOMAIN",))
def test_nothing_secret_has_a_default(compose, missing):
    without = {name: value for name, value in OPERATOR.items() if name != missing}
    for service in compose["services"].values():
        for value in (service.get("environment") or {}).values():
            if "${" + missing + ":?" in str(value):
                with pytest.raises(KeyError, match=missing):
                    interpolated(str(value), without)
    text = (DEPLOY / "compose.yaml").read_text()
    assert re.search(r"\$\{" + missing + r":\?", text), f"{missing} must stop compose when it is not set"
    assert not re.search(r"\$\{" + missing + r":-", text), f"{missing} has a default"
    example = dict(line.split("=", 1) for line in (DEPLOY / "atlas.env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    if missing in SECRETS:
        assert example[missing] == "", "the example names the secret without a value"


def test_only_the_proxy_is_reachable_and_the_images_are_official(compose):
    services = compose["services"]
    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    for name in ("redis", "proxy"):
        assert "/" not in services[name]["image"].split(":")[0], f"{name}: an official image"
    assert services["db"]["image"].split(":")[0] == "postgis/postgis", "the PostGIS project's own image"
    assert services["app"]["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert "image" in services["app"] and "deploy" not in services["app"], "scaled with --scale app=N"


def test_the_schema_is_migrated_once_before_any_app_server_starts(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == ["atlas", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in ("app", "jobs"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["depends_on"]["db"] == {"condition": "service_healthy"}
    assert services["app"]["healthcheck"]["test"][-1].count("/healthz") == 1


def test_the_image_serves_the_app_as_the_tests_start_it():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    command = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE).group(1)
    assert yaml.safe_load(command)[0] == "gunicorn" and yaml.safe_load(command)[-1] == "atlas:create_app()"
    assert "-c python:atlas.gunicorn_conf" in " ".join(yaml.safe_load(command)), "workers warm up as the tests' do"
    assert "[postgres,redis]" in dockerfile and "USER atlas" in dockerfile


def test_the_jobs_run_commands_the_atlas_has(app):
    runner = app.test_cli_runner()
    lines = [line.split("#")[0] for line in (DEPLOY / "jobs.sh").read_text().splitlines()]
    commands = [shlex.split(line.split("atlas ", 1)[1].split("||")[0]) for line in lines
                if re.search(r"\batlas [a-z]", line)]
    assert [c[0] for c in commands] == ["mail", "translate", "mail", "freshness"]
    for command in commands:
        result = runner.invoke(args=[*command, "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_the_proxy_forwards_to_every_app_server_that_is_healthy():
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert "dynamic a app 8000" in caddyfile and "health_uri /healthz" in caddyfile
    assert "{$ATLAS_DOMAIN}" in caddyfile


def test_the_health_check_of_an_app_container_passes_only_while_it_answers_for_the_public_host(compose, tmp_path):
    """The container's health check, run as Compose runs it, against an app with the compose file's host settings:
    it names the public host (ATLAS_TRUSTED_HOSTS refuses 127.0.0.1), and fails for any other."""
    import subprocess
    import sys

    from conftest import served
    from helpers import make_app

    service = compose["services"]["app"]
    environ = {name: interpolated(str(value), OPERATOR) for name, value in service["environment"].items()}
    config = load(tmp_path, environ=environ)
    app = make_app(tmp_path, TRUSTED_HOSTS=config["TRUSTED_HOSTS"], PROXY_COUNT=config["PROXY_COUNT"],
                   BASE_URL=config["BASE_URL"])
    check = service["healthcheck"]["test"]
    assert check[:3] == ["CMD", "python", "-c"]
    with served(app) as url:
        code = check[3].replace("http://127.0.0.1:8000", url)
        for host, passes in ((environ["PUBLIC_HOST"], True), ("127.0.0.1", False)):
            run = subprocess.run([sys.executable, "-c", code], env={"PUBLIC_HOST": host}, capture_output=True,
                                 text=True, timeout=60)
            assert (run.returncode == 0) == passes, (host, run.stderr[-2000:])
