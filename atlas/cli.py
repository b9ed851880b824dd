"""The `atlas` command: `atlas locate`, `atlas serve`, and the data commands."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from tqdm import tqdm

from atlas.accounts import create_user
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.places import INVALID, Result
from atlas.regions import ARLS
from atlas.store import PENDING, PUBLISHED
from atlas.transfer import export_csv, export_geojson, import_csv


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


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--status", type=click.Choice([PUBLISHED, PENDING]), default=PUBLISHED, show_default=True,
              help="Status der importierten Projekte.")
@with_appcontext
def import_(file: str, status: str) -> None:
    """Importiert Projekte aus einer CSV-Datei: alle oder keines."""
    s = services()
    report = import_csv(file, s.store, s.geocoder, status,
                        progress=lambda rows: tqdm(rows, desc="Geokodieren", unit="Zeile", file=sys.stderr))
    if not report.ok:
        for line, reason in report.errors:
            click.echo(f"Zeile {line}: {reason}", err=True)
        click.echo(f"Nichts importiert: {len(report.errors)} fehlerhafte Zeile(n).", err=True)
        sys.exit(1)
    click.echo(f"{len(report.ids)} Projekte importiert ({status}).")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "geojson"]), default="csv", show_default=True)
@click.option("--arl", type=click.Choice(list(ARLS)), help="Nur dieser Amtsbezirk.")
@click.option("--hf", multiple=True, type=click.Choice(list(HANDLUNGSFELDER)), help="Nur diese Handlungsfelder.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Datei (Standard: stdout).")
@with_appcontext
def export(fmt: str, arl: str | None, hf: tuple[str, ...], output) -> None:
    """Exportiert die veröffentlichten Projekte als CSV oder GeoJSON."""
    rows = services().store.rows(status=PUBLISHED, arl=arl, hf=list(hf))
    output.write(export_csv(rows) if fmt == "csv" else export_geojson(rows))


@click.command("seed")
@with_appcontext
def seed() -> None:
    """Lädt data/projects.csv in eine leere Datenbank, als veröffentlicht."""
    click.echo(load_seed())


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@with_appcontext
def serve(host: str, port: int, threads: int) -> None:
    """Lädt bei leerer Datenbank die Beispieldaten und startet den Produktionsserver (waitress)."""
    from waitress import serve as waitress_serve

    click.echo(load_seed())
    s = services()
    s.geocoder  # noqa: B018 - build the gazetteer before the first request, not during it
    click.echo(f"Gemeinsame Sache läuft auf http://{host}:{port}/")
    waitress_serve(current_app._get_current_object(), host=host, port=port, threads=threads, ident="atlas")


def load_seed() -> str:
    s = services()
    if s.store.count():
        return f"Datenbank enthält {s.store.count()} Projekte; Beispieldaten nicht geladen."
    report = import_csv(current_app.config["SEED_CSV"], s.store, s.geocoder, PUBLISHED)
    if not report.ok:
        raise click.ClickException("; ".join(f"Zeile {line}: {reason}" for line, reason in report.errors))
    return f"{len(report.ids)} Projekte aus {current_app.config['SEED_CSV']} geladen."


@click.command("create-user")
@click.argument("email")
@click.option("--arl", type=click.Choice(list(ARLS)), help="Das Amt, dessen Bezirk das Konto moderiert.")
@click.option("--admin", is_flag=True, help="Ein Konto, das alle Bezirke sieht.")
@click.password_option("--password", prompt="Passwort", confirmation_prompt="Passwort wiederholen",
                       help="Ohne Angabe: zweimal abgefragt, oder eine Zeile von stdin.")
@with_appcontext
def create_user_command(email: str, arl: str | None, admin: bool, password: str) -> None:
    """Legt ein Konto für ein Amt (--arl SLUG) oder für die Landesebene (--admin) an."""
    try:
        user = create_user(services().store, email, password, arl=arl, admin=admin)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Konto {user.email} angelegt ({user.district}).")


commands = [locate, import_, export, seed, serve, create_user_command]


def main() -> None:
    from atlas import create_app

    FlaskGroup(create_app=create_app, add_default_commands=False, load_dotenv=False,
               help="Gemeinsame Sache – Projektatlas „Niedersachsen packt an“.")()
