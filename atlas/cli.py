"""The `atlas` command: `atlas locate`, `atlas serve`, and the data commands."""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import sys

import click
from flask import current_app, has_app_context
from flask.cli import FlaskGroup, ScriptInfo

from atlas.cli_accounts import create_user_command, reset_2fa_command, set_password_command
from atlas.cli_app import services, with_app
from atlas.cli_errors import one_line_errors
from atlas.districts import ARLS
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import german
from atlas.labels import PENDING, PUBLISHED
from atlas.places import INVALID, Result
from atlas.settings import DEFAULT_BASE_URL, PREFIX, SETTINGS, documentation, shown

# The database, the accounts, the import and Alembic are imported by the commands that use them: `atlas locate`
# answers from the gazetteer alone, without making the web app (see AtlasGroup).


def lookup_services():
    """The app's services inside the app (the tests' runner, `flask`); else only what a lookup needs, from the
    settings, without the web app, its extensions and the database."""
    if has_app_context():
        return current_app.extensions["atlas"]
    from atlas.services import Services
    from atlas.setting_checks import check_settings
    from atlas.settings import instance_folder, load

    config = load(instance_folder(None))
    check_settings(config)  # a refused value is one line (AtlasGroup); warnings are for the server's log
    return Services(config)


@click.command()
@click.argument("query", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Eine JSON-Zeile statt Text ausgeben.")
def locate(query: tuple[str, ...], as_json: bool) -> None:
    """Zeigt, wo QUERY liegt: Punkt, Genauigkeit, Landkreis und ArL."""
    text = " ".join(query)
    geocoder = lookup_services().geocoder
    try:
        result = geocoder.geocode(text)
    except Exception as error:  # the promise is "never a traceback", whatever the input
        (current_app.logger if has_app_context() else logging.getLogger("atlas")).exception(
            "locate failed for %r", text)
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
@click.option("--skip-existing", is_flag=True,
              help="Zeilen auslassen, deren Projekt (gleicher Name, Träger und Ort) schon im Atlas steht – etwa beim "
                   "Import einer neueren Fassung einer Datei. Ohne diese Angabe wird dann nichts importiert.")
@with_app
def import_(file: str, status: str, skip_existing: bool) -> None:
    """Importiert Projekte aus einer CSV-Datei: alle oder keines."""
    from tqdm import tqdm

    from atlas.collector import fewer_collections
    from atlas.transfer import import_csv

    s = services()
    with fewer_collections():
        report = import_csv(file, s.store, s.geocoder, status, skip_existing=skip_existing,
                            progress=lambda rows: tqdm(rows, desc="Geokodieren", unit="Zeile", file=sys.stderr))
    for note in report.notes:
        click.echo(note, err=True)
    if report.skipped:
        shown = ", ".join(map(str, report.skipped[:20])) + (" …" if len(report.skipped) > 20 else "")
        click.echo(f"{len(report.skipped)} Zeile(n) übersprungen, ihr Projekt steht schon im Atlas: Zeile {shown}",
                   err=True)
    if not report.ok:
        for line, reason in report.errors:
            click.echo(f"Zeile {line}: {reason}" if line else reason, err=True)
        click.echo("Nichts importiert." if report.errors[0][0] == 0 else
                   f"Nichts importiert: {len(report.errors)} fehlerhafte Zeile(n).", err=True)
        sys.exit(1)
    click.echo(f"{len(report.ids)} Projekte importiert ({status}).")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "geojson"]), default="csv", show_default=True)
@click.option("--arl", type=click.Choice(list(ARLS)), help="Nur dieser Amtsbezirk.")
@click.option("--hf", multiple=True, type=click.Choice(list(HANDLUNGSFELDER)), help="Nur diese Handlungsfelder.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Datei (Standard: stdout).")
@with_app
def export(fmt: str, arl: str | None, hf: tuple[str, ...], output) -> None:
    """Exportiert die veröffentlichten Projekte als CSV oder GeoJSON."""
    from atlas.transfer import export_csv, export_geojson

    rows = services().store.rows(status=PUBLISHED, arl=arl, hf=list(hf))
    output.write(export_csv(rows) if fmt == "csv" else export_geojson(rows))


@click.command("seed")
@with_app
def seed() -> None:
    """Lädt data/projects.csv (die Projekte aus öffentlichen Quellen) in eine leere Datenbank, als veröffentlicht;
    sonst nichts (auch nicht zweimal)."""
    from atlas.collector import fewer_collections
    from atlas.transfer import import_csv

    s = services()
    with fewer_collections():
        report = import_csv(current_app.config["SEED_CSV"], s.store, s.geocoder, PUBLISHED, into_empty=True)
    if not report.ok:
        raise click.ClickException("; ".join(f"Zeile {line}: {reason}" for line, reason in report.errors))
    if report.ids:
        click.echo(f"{len(report.ids)} Projekte aus {current_app.config['SEED_CSV']} geladen.")
    else:
        click.echo(f"Die Datenbank enthält schon {s.store.count()} Projekte; {current_app.config['SEED_CSV']} "
                   "nicht geladen.")


@click.group("db")
def db() -> None:
    """Das Schema der Datenbank."""


@db.command("upgrade")
@with_app
def db_upgrade() -> None:
    """Legt das Schema an oder bringt es auf den neuesten Stand (Alembic-Migrationen)."""
    from atlas.migrate import upgrade

    before, after = upgrade(current_app.config["DATABASE_URL"])
    click.echo(f"Datenbank auf Stand {after}." if before != after else f"Datenbank ist schon auf Stand {after}.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@with_app
def serve(host: str, port: int, threads: int) -> None:
    """Startet den Server (waitress) auf einer Datenbank, die `atlas db upgrade` vorbereitet hat."""
    from waitress.server import create_server

    from atlas.background import Background
    from atlas.serving import quiet_connections
    from atlas.setting_checks import for_the_public
    from atlas.warming import warm_up_in_background

    app = current_app._get_current_object()
    if for_the_public(app.config, host) and app.config["BASE_URL"] == DEFAULT_BASE_URL:
        raise click.ClickException(german("ATLAS_BASE_URL fehlt: Auf %(host)s ist der Atlas für andere erreichbar und "
                                          "braucht seine öffentliche Adresse, etwa ATLAS_BASE_URL=https://atlas."
                                          "niedersachsen.de.", host=host))
    s = services()
    s.store  # noqa: B018 - refuse to start on an old schema, with the command that helps
    refuse_busy_port(host, port)
    listeners = {}
    server = create_server(app, map=listeners, host=host, port=port, threads=threads, ident="atlas",
                           **behind_proxy(app.config))
    quiet_connections(listeners)
    quiet_queue_warnings()
    # listening already: what the first requests need is made meanwhile (a request that needs it first waits)
    warm_up_in_background(s)
    Background(app).start()
    if not current_app.config["MAIL_URL"]:
        click.echo(f"Mails (ohne ATLAS_MAIL_URL) liegen als .eml-Dateien in {current_app.config['MAIL_DIR']}")
    click.echo(f"Gemeinsame Sache läuft auf http://{host}:{port}/")
    server.run()


@click.group()
def mail() -> None:
    """Die Mails des Atlas: senden, Stand zeigen, fällige Zusammenfassungen erzeugen."""


@mail.command("send")
@with_app
def mail_send() -> None:
    """Sendet einmal alle fälligen Mails (für cron, wenn nicht `atlas serve` sie laufend sendet)."""
    from atlas.mail_texts import deliver

    result = deliver(current_app._get_current_object())
    services().outbox.purge()
    click.echo(f"{result.sent} gesendet, {result.retry} später erneut, {result.failed} aufgegeben.")
    sys.exit(1 if result.retry or result.failed else 0)


@mail.command("status")
@with_app
def mail_status() -> None:
    """Zeigt, welche Mails warten und welche nicht zugestellt werden konnten."""
    from atlas.present import local_time

    status = services().outbox.status()
    click.echo(f"{status['waiting']} wartend, {status['sent']} gesendet, {status['failed']} fehlgeschlagen.")
    for row in status["open"]:
        state = (f"aufgegeben {local_time(row['failed_at'])}" if row["failed_at"]
                 else f"nächster Versuch {local_time(row['next_try_at'])}")
        click.echo(f"  #{row['id']} {row['kind']} an {row['recipient']}: {row['attempts']} Versuch(e), {state}"
                   + (f" – {row['last_error']}" if row["last_error"] else ""))


@mail.command("digest")
@with_app
def mail_digest() -> None:
    """Erzeugt die fälligen Zusammenfassungen (Umkreis-Benachrichtigungen, Tagesübersicht der Ämter) und sendet."""
    from atlas.alerts import send_digests
    from atlas.mail_texts import deliver

    queued = send_digests(services().store)
    result = deliver(current_app._get_current_object())
    click.echo(f"{queued} Zusammenfassung(en) erzeugt; {result.sent} Mail(s) gesendet.")


@click.command("freshness")
@with_app
def freshness_command() -> None:
    """Fragt bei Projekten nach, die seit ATLAS_FRESHNESS_DAYS nicht bestätigt wurden (für cron, täglich)."""
    from atlas.freshness import run
    from atlas.mail_texts import deliver

    cycle = run(services().store, current_app.config["FRESHNESS_DAYS"])
    result = deliver(current_app._get_current_object())
    click.echo(f"{cycle.asked} Projekt(e) gefragt, {cycle.unconfirmed} nicht bestätigt (davon {cycle.for_office} "
               f"ohne E-Mail-Adresse, für das Amt); {result.sent} Mail(s) gesendet.")


@click.command("settings")
@click.option("--markdown", is_flag=True, help="Die Tabelle für docs/operating.md ausgeben.")
@with_app
def settings_command(markdown: bool) -> None:
    """Nennt jede Einstellung mit ihrem Wert (Geheimes nur als gesetzt), woher er kommt, und was sie bedeutet."""
    if markdown:
        click.echo(documentation())
        return
    for setting in SETTINGS:
        source = german("Umgebung") if PREFIX + setting.name in os.environ else german("Vorgabe")
        click.echo(f"{PREFIX}{setting.name} = {shown(setting, current_app.config[setting.name])}  ({source})")
        click.echo(f"    {setting.help}")


def refuse_busy_port(host: str, port: int) -> None:
    """A port that another program listens on (or that is not ours to take), as a message: waitress would raise
    from the middle of making its server, and leave that half-made server's socket open."""
    try:
        family, kind, protocol, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                                    flags=socket.AI_PASSIVE)[0]
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress: a closed port is free
            probe.bind(address)
    except OSError as error:
        raise click.ClickException(german("%(host)s:%(port)s ist nicht nutzbar (%(reason)s): mit --port einen freien "
                                          "Port wählen (oder mit --host eine Adresse dieses Rechners).", host=host,
                                          port=port, reason=error.strerror)) from None


def quiet_queue_warnings() -> None:
    """waitress's warning of a queued request, once a minute instead of at every one (atlas.logs.OnceAWhile)."""
    from atlas.logs import OnceAWhile

    queue = logging.getLogger("waitress.queue")
    if not any(isinstance(f, OnceAWhile) for f in queue.filters):  # once per process, however often serve runs
        queue.addFilter(OnceAWhile())


def behind_proxy(config) -> dict:
    """waitress's options for ATLAS_PROXY_COUNT proxies in front: it takes X-Forwarded-For, -Proto, -Host and -Port
    from ATLAS_TRUSTED_PROXY only, and drops them from anyone else (so the client's address, HTTPS and the host
    reach the atlas as gunicorn with ProxyFix hands them over)."""
    hops = config["PROXY_COUNT"]
    if not hops:
        return {}
    return {"trusted_proxy": config["TRUSTED_PROXY"], "trusted_proxy_count": hops,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port"},
            "clear_untrusted_proxy_headers": True}


def _translate():
    from atlas.cli_translate import translate

    return translate


commands = [locate, import_, export, seed, db, serve, create_user_command, set_password_command, reset_2fa_command,
            mail, freshness_command, settings_command, _translate()]


# What needs no pages: these commands start with the settings and the services alone (`atlas.create_app(web=False)`);
# the others make the whole app (serving it, or writing mails with links to its pages).
WITHOUT_PAGES = frozenset({"db", "seed", "import", "export", "create-user", "set-password", "reset-2fa", "settings"})
# What works on the store: its database is opened and checked first (`store_first`), so a wrong one is told before
# the pages, the boundaries and the store's modules load (atlas.store.opening).
STORE_FIRST = frozenset({"seed", "import", "export", "create-user", "set-password", "serve", "mail", "freshness"})


class AtlasGroup(FlaskGroup):
    """The `atlas` command: its own commands, and an app that cannot be made (a refused setting, an unusable
    instance folder) as one German line, exit code 1, like the errors of the commands themselves (`with_app`).
    A command is found without making the app; the app it then needs is made with the pages or without."""

    def __init__(self):
        self.made: list = []  # the apps made for a command, whose connections `main` closes at the end
        super().__init__(create_app=functools.partial(self._create_app, web=False), add_default_commands=False,
                         load_dotenv=False, help="Gemeinsame Sache – Projektatlas „Niedersachsen packt an“.")
        self._loaded_plugin_commands = True  # other packages' Flask commands are not the atlas's
        for command in commands:
            self.add_command(command)

    def get_command(self, ctx: click.Context, name: str):
        command = self.commands.get(name)
        if command is not None:
            ctx.ensure_object(ScriptInfo).create_app = functools.partial(
                self._create_app, web=name not in WITHOUT_PAGES, store_first=name in STORE_FIRST)
        return command

    def invoke(self, ctx: click.Context):
        with one_line_errors():
            return super().invoke(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """For `atlas --help`: a refused setting is named here too, as one line."""
        with one_line_errors():
            ctx.ensure_object(ScriptInfo).load_app()
        return sorted(self.commands)

    def _create_app(self, web: bool, store_first: bool = False):
        app = _create_app(web, store_first)
        self.made.append(app)
        return app

    def close(self) -> None:
        """The database connections of the apps made for the command closed."""
        for app in self.made:
            app.extensions["atlas"].close()


def _create_app(web: bool, store_first: bool = False):
    """The app a command needs; with `store_first`, its store's database opened and checked before the pages load,
    a wrong one told as the command would tell it (with the database's address, the log of the instance folder)."""
    from atlas import create_app, serve_pages

    app = create_app(web=web and not store_first)
    if store_first:
        with one_line_errors(app):
            app.extensions["atlas"].store  # noqa: B018 - opened for its checks (atlas.store.opening)
        if web:
            serve_pages(app)
    return app


def main() -> None:
    """The venv's `atlas`: a command in a process of its own (the tests' runners call the group, not this)."""
    from atlas.collector import one_command

    group = AtlasGroup()
    with one_command(group.close):
        group()
