"""`atlas translate`: machine translation of project texts from the command line – for cron where `atlas serve`
does not run it (gunicorn), to see the engines' monthly use, and to queue what was published before an engine was
configured."""

from __future__ import annotations

import sys

import click

from atlas.cli_app import services, with_app


@click.group()
def translate() -> None:
    """Maschinelle Übersetzung der Projekttexte: ausführen, Stand zeigen, nachholen."""


def _machine():
    return services().machine


@translate.command("run")
@with_app
def translate_run() -> None:
    """Übersetzt einmal alle fälligen Texte (für cron, wenn nicht `atlas serve` es laufend tut)."""
    machine = _machine()
    if not machine.engines:
        click.echo("Keine Übersetzungsmaschine eingerichtet (ATLAS_TRANSLATE_URL oder ATLAS_DEEPL_KEY).")
        return
    result = machine.run()
    click.echo(f"{result.translated} übersetzt, {result.retry} später erneut, {result.waiting_for_budget} warten auf "
               f"das nächste Monatsbudget, {result.failed} aufgegeben, {result.dropped} erledigt.")
    sys.exit(1 if result.retry or result.failed else 0)


@translate.command("status")
@with_app
def translate_status() -> None:
    """Zeigt die Maschinen mit dem Verbrauch dieses Monats, die wartenden und die gescheiterten Übersetzungen."""
    from atlas.present import local_time

    status = _machine().status()
    if not status["engines"]:
        click.echo("Keine Übersetzungsmaschine eingerichtet (ATLAS_TRANSLATE_URL oder ATLAS_DEEPL_KEY).")
    for engine in status["engines"]:
        click.echo(f"{engine['label']}: {engine['used']} von {engine['budget']} Zeichen im {status['month']}")
    click.echo(f"{status['waiting']} wartend, {status['failed']} gescheitert.")
    for job in status["jobs"]:
        state = (f"aufgegeben {local_time(job['failed_at'])}" if job["failed_at"]
                 else f"nächster Versuch {local_time(job['next_try_at'])}")
        click.echo(f"  #{job['project_id']} {job['field']} → {job['language']}: {job['attempts']} Versuch(e), "
                   f"{state} – {job['last_error']}")


@translate.command("queue")
@with_app
def translate_queue() -> None:
    """Stellt die Texte aller veröffentlichten Projekte in die Warteschlange, denen eine aktuelle Übersetzung fehlt."""
    store = services().store
    if not store.machine_languages:
        raise click.ClickException("Keine Übersetzungsmaschine eingerichtet (ATLAS_TRANSLATE_URL oder "
                                   "ATLAS_DEEPL_KEY).")
    click.echo(f"{_machine().queue_published(store.machine_languages)} Übersetzung(en) in der Warteschlange.")


@translate.command("retry")
@with_app
def translate_retry() -> None:
    """Versucht gescheiterte Übersetzungen erneut (etwa nach einer geänderten Einstellung)."""
    click.echo(f"{_machine().retry_failed()} Übersetzung(en) wieder fällig.")
