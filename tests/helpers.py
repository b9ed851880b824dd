"""What a browser does with a form, for tests that use Flask's client: read its fields, send them back."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from atlas import create_app
from atlas.migrate import upgrade


def make_app(directory: Path, **settings):
    """An app on its own instance folder and database, its schema upgraded as `atlas db upgrade` does."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(directory / "instance"),
                      "DATABASE_URL": f"sqlite:///{directory / 'atlas.db'}",
                      "GEOCODE_CACHE": str(directory / "geocode-cache.sqlite"), "TILES": "none", **settings})
    upgrade(app.config["DATABASE_URL"])
    return app


def html(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def textarea(node) -> str:
    """A browser drops the newline that opens a textarea's content."""
    return node.get_text().removeprefix("\r\n").removeprefix("\n")


def form_values(page: BeautifulSoup, form: str) -> dict:
    """What the browser would send: every input and textarea of the form as the page shows it."""
    values: dict = {}
    for node in page.select(f"form#{form} input, form#{form} textarea"):
        kind = node.get("type")
        if kind in ("checkbox", "radio") and not node.has_attr("checked"):
            continue
        value = textarea(node) if node.name == "textarea" else node.get("value", "y" if kind == "checkbox" else "")
        if kind == "checkbox" and node["name"] == "handlungsfelder":
            values.setdefault(node["name"], []).append(value)
        else:
            values[node["name"]] = value
    return values


PASSWORD = "ein-langes-passwort"  # every test account's password


def csrf_token(response) -> str:
    return html(response).select_one("input[name=csrf_token]")["value"]


def create_account(app, email: str, *options: str) -> None:
    """An office account as the operator makes one: `atlas create-user EMAIL --arl SLUG` (or --admin)."""
    result = app.test_cli_runner().invoke(args=["create-user", email, *options], input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output


def login(client, email: str, password: str = PASSWORD):
    """Sign in through the login form, as a person does; returns the answer to the form."""
    page = client.get("/amt/anmelden")
    return client.post("/amt/anmelden", data={"email": email, "password": password, "csrf_token": csrf_token(page)})
