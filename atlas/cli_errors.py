"""What `atlas …` says when a command cannot do its work: one German line naming what to do, exit code 1.

A missing schema, a database that cannot be opened, a refused setting or an unusable instance folder is something
the operator can fix, so the line says how. Anything else is a fault of the program: its traceback goes into a log
file for the operator, and the line names that file. A traceback is never what the person at the terminal sees.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path

import click

from atlas.i18n import german
from atlas.secret_key import UnsafeSecretKey
from atlas.settings import SettingError

ERROR_LOG = "errors.log"
# Drivers that only an extra of the package installs: the module that is missing -> the extra that brings it
EXTRAS = {"psycopg": "postgres", "psycopg_binary": "postgres", "redis": "redis"}


@contextlib.contextmanager
def one_line_errors(app=None) -> Iterator[None]:
    """Turn an error into one line on stderr and exit code 1. `app`: the Flask app once it is made (the database
    its settings name, its instance folder for the log); None while it is being made."""
    try:
        yield
    except (click.exceptions.Exit, click.Abort, click.UsageError):
        raise  # click's own ways out: exit codes, Ctrl-C, usage errors with their usage line
    except click.ClickException as error:  # a command's own refusal, already in German
        click.echo(one_line(error.format_message()), err=True)
        raise click.exceptions.Exit(error.exit_code) from None
    except Exception as error:
        message = explain(error, app.config if app else {})
        if message is None:
            log = log_unexpected(error, app.instance_path if app else None)
            message = german("Unerwarteter Fehler (%(error)s); die Einzelheiten stehen in %(log)s.",
                        error=f"{type(error).__name__}: {first_line(error)}", log=log)
        click.echo(one_line(message), err=True)
        raise click.exceptions.Exit(1) from None


def explain(error: Exception, settings: Mapping) -> str | None:
    """The line for an error the operator can fix, or None for a fault of the program."""
    # asked only when something went wrong: a command that works (`atlas locate`) never imports these
    from limits.errors import ConfigurationError as LimiterSettingError
    from sqlalchemy.exc import ArgumentError, DBAPIError

    from atlas.migrate import SchemaNotCurrent
    from atlas.setting_checks import rate_limit_storage_refused

    if isinstance(error, SettingError | SchemaNotCurrent | UnsafeSecretKey):
        return str(error)  # their messages say what to do
    url = settings.get("DATABASE_URL") or os.environ.get("ATLAS_DATABASE_URL", "")
    if isinstance(error, ArgumentError):  # also an unknown dialect such as postgres://
        return german("ATLAS_DATABASE_URL ist keine Adresse, unter der der Atlas eine Datenbank öffnen kann "
                      "(%(url)s): sqlite:///PFAD/atlas.db oder postgresql+psycopg://NUTZER@HOST/DATENBANK angeben.",
                      url=shown(url))
    if isinstance(error, ModuleNotFoundError) and error.name in EXTRAS:
        return german("Das Python-Paket %(module)s fehlt, das diese Einstellung braucht: "
                      "`pip install 'atlas[%(extra)s]'` ausführen (im Checkout: `make test` oder "
                      "`.venv/bin/pip install -e '.[%(extra)s]'`).", module=error.name, extra=EXTRAS[error.name])
    if isinstance(error, DBAPIError) and error.statement is None:  # connecting failed, before any statement
        if url.startswith("sqlite"):
            return german("Die SQLite-Datenbank %(url)s lässt sich nicht öffnen (%(reason)s): ATLAS_DATABASE_URL "
                          "prüfen – sie muss eine SQLite-Datei in einem beschreibbaren Ordner nennen.",
                          url=shown(url), reason=driver_reason(error))
        return german("Die Datenbank %(url)s ist nicht erreichbar (%(reason)s): ATLAS_DATABASE_URL prüfen und ob der "
                      "Datenbank-Server läuft.", url=shown(url), reason=driver_reason(error))
    if isinstance(error, LimiterSettingError):  # the rate limiter's storage
        return str(rate_limit_storage_refused(first_line(error)))
    if isinstance(error, OSError) and error.filename:
        return german("%(path)s ist nicht nutzbar (%(reason)s): den Pfad und die Rechte prüfen.",
                      path=error.filename, reason=error.strerror or first_line(error))
    return None


def log_unexpected(error: Exception, folder: str | None) -> Path:
    """Append the traceback to errors.log in the instance folder (else a new file in the temporary folder)."""
    report = (f"{datetime.datetime.now().astimezone().isoformat(timespec='seconds')} {' '.join(sys.argv)}\n"
              + "".join(traceback.format_exception(error)) + "\n")
    if folder:
        path = Path(folder) / ERROR_LOG
        try:
            with open(path, "a", encoding="utf-8") as log:
                log.write(report)
            return path
        except OSError:
            pass
    handle, name = tempfile.mkstemp(prefix="atlas-error-", suffix=".log")
    with os.fdopen(handle, "w", encoding="utf-8") as log:
        log.write(report)
    return Path(name)


def shown(url: str) -> str:
    """The database URL without its password; nothing of a URL too broken to tell the password apart."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # any URL SQLAlchemy cannot read
        return "…"


def driver_reason(error) -> str:
    """What the database driver said (a DBAPIError's original error)."""
    return first_line(error.orig if error.orig is not None else error)


def first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0].strip() if lines else type(error).__name__


def one_line(message: str) -> str:
    return " ".join(message.split())
