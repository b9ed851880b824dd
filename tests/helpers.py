"""What a browser does with a form, for tests that use Flask's client: read its fields, send them back."""

from __future__ import annotations

from bs4 import BeautifulSoup


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
