"""The `atlas` command: `atlas locate`, `atlas serve`, and the data commands."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from atlas.places import INVALID, Result


def services():
    return current_app.extensions["atlas"]


@click.command()
@click.argument("query", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Eine JSON-Zeile statt Text ausgeben.")
@with_appcontext
def locate(query: tuple[str, ...], as_json: bool) -> None:
    """Zeigt, wo QUERY liegt: Punkt, Genauigkeit, Landkreis und ArL."""
    text = " ".join(query)
    try:
        result = services().geocoder.geocode(text)
    except Exception as error:  # the promise is "never a traceback", whatever the input
        current_app.logger.exception("locate failed for %r", text)
        result = Result(INVALID, f"Die Eingabe konnte nicht verarbeitet werden ({type(error).__name__}).")
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        click.echo(result.message)
        if result.place:
            p = result.place
            click.echo(f"  {p.lat:.5f}, {p.lon:.5f} · Genauigkeit: {p.precision} · Quelle: {p.source}")
        for c in result.candidates:
            click.echo(f"  - {c.name}: {c.where} ({c.lat:.5f}, {c.lon:.5f})")
    sys.exit(0 if result.ok else 1)


commands = [locate]


def main() -> None:
    from atlas import create_app

    FlaskGroup(create_app=create_app, add_default_commands=False, load_dotenv=False,
               help="Gemeinsame Sache – Projektatlas „Niedersachsen packt an“.")()
