"""An operator's mistake on the command line is one German line saying what to do, exit code 1, never a traceback:
through Click's runner and through the real `atlas` command of the venv."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ATLAS, SEED_CSV, cli_environment, kept
from servers import free_port

from atlas.cli import AtlasGroup
from atlas.migrate import head, upgrade

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once

NO_SCHEMA = "Die Datenbank hat noch kein Schema: zuerst `atlas db upgrade` ausführen."


def fresh_instance(tmp_path: Path, stack: ExitStack) -> dict[str, str]:
    """A new instance folder: its SQLite database has no schema yet (no `atlas db upgrade`). What a start makes from
    data/ is read from the run's cache folder: the mistakes here come after a first start, or before any."""
    return {**kept(), "ATLAS_INSTANCE_PATH": str(tmp_path / "instance"), "ATLAS_TILES": "none"}


def upgraded_instance(tmp_path: Path, stack: ExitStack) -> dict[str, str]:
    upgrade(f"sqlite:///{tmp_path / 'instance' / 'atlas.db'}")
    return fresh_instance(tmp_path, stack)


def schema_at(revision: str):
    """A database whose recorded schema revision is `revision` (an older one, or one this code does not know)."""
    def setup(tmp_path: Path, stack: ExitStack) -> dict[str, str]:
        env = upgraded_instance(tmp_path, stack)
        with sqlite3.connect(tmp_path / "instance" / "atlas.db") as db:
            db.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        return env
    return setup


def with_setting(**settings: str):
    def setup(tmp_path: Path, stack: ExitStack) -> dict[str, str]:
        return {**fresh_instance(tmp_path, stack), **{k: v.format(tmp=tmp_path) for k, v in settings.items()}}
    return setup


def not_a_database(tmp_path: Path, stack: ExitStack) -> dict[str, str]:
    (tmp_path / "notizen.db").write_text("Das ist keine Datenbank.\n")
    return with_setting(ATLAS_DATABASE_URL=f"sqlite:///{tmp_path / 'notizen.db'}")(tmp_path, stack)


def a_folder_for_the_database(tmp_path: Path, stack: ExitStack) -> dict[str, str]:
    """The instance folder's own database (no ATLAS_DATABASE_URL) is a folder: SQLite cannot open it."""
    (tmp_path / "instance" / "atlas.db").mkdir(parents=True)
    return fresh_instance(tmp_path, stack)


def no_database_server(tmp_path: Path, stack: ExitStack) -> dict[str, str]:
    url = f"postgresql+psycopg://atlas:geheim@127.0.0.1:{free_port()}/atlas"  # nothing listens there
    return with_setting(ATLAS_DATABASE_URL=url)(tmp_path, stack)


def instance_under_a_file(tmp_path: Path, stack: ExitStack) -> dict[str, str]:
    (tmp_path / "datei").write_text("")
    return {**fresh_instance(tmp_path, stack), "ATLAS_INSTANCE_PATH": str(tmp_path / "datei" / "instance")}


def busy_port(tmp_path: Path, stack: ExitStack) -> dict[str, str]:
    listener = stack.enter_context(socket.socket())
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return {**upgraded_instance(tmp_path, stack), "BUSY_PORT": str(listener.getsockname()[1])}


def damaged_database(tmp_path: Path, stack: ExitStack) -> dict[str, str]:
    """On the newest schema, but a table is gone: a fault no setting explains."""
    env = upgraded_instance(tmp_path, stack)
    with sqlite3.connect(tmp_path / "instance" / "atlas.db") as db:
        db.execute("DROP TABLE projects")
    return env


CASES = [  # (what, args, setup, the line says)
    ("import without schema", ["import", SEED_CSV], fresh_instance, NO_SCHEMA),
    ("seed without schema", ["seed"], fresh_instance, NO_SCHEMA),
    ("export without schema", ["export"], fresh_instance, NO_SCHEMA),
    ("freshness without schema", ["freshness"], fresh_instance, NO_SCHEMA),
    ("mail status without schema", ["mail", "status"], fresh_instance, NO_SCHEMA),
    ("create-user without schema", ["create-user", "buero@arl.example", "--arl", "leine-weser", "--password",
                                    "ein-langes-passwort-1"], fresh_instance, NO_SCHEMA),
    ("set-password without schema", ["set-password", "buero@arl.example", "--password", "ein-langes-passwort-1"],
     fresh_instance, NO_SCHEMA),
    ("serve without schema", ["serve", "--port", "1"], fresh_instance, NO_SCHEMA),
    ("an older schema", ["export"], schema_at("0005"),
     f"Die Datenbank ist auf Stand 0005, dieses Programm braucht {head()}: zuerst `atlas db upgrade` ausführen."),
    ("a schema of a newer version", ["export"], schema_at("0999"),
     "Die Datenbank ist auf Stand 0999, den dieses Programm nicht kennt (von einer neueren Version?)"),
    ("postgres:// is no dialect", ["seed"], with_setting(ATLAS_DATABASE_URL="postgres://atlas:geheim@localhost/a"),
     "ATLAS_DATABASE_URL ist keine Adresse"),
    ("no folder for SQLite", ["seed"], with_setting(ATLAS_DATABASE_URL="sqlite:///{tmp}/fehlt/atlas.db"),
     "lässt sich nicht öffnen (unable to open database file): ATLAS_DATABASE_URL prüfen"),
    ("not a database", ["export"], not_a_database, "lässt sich nicht öffnen (file is not a database)"),
    # serve, freshness and mail check the database before the pages load: the same lines, naming the same address
    ("not a database, serving", ["serve", "--port", "1"], not_a_database,
     "lässt sich nicht öffnen (file is not a database)"),
    ("the instance's database a folder, serving", ["serve", "--port", "1"], a_folder_for_the_database,
     "/instance/atlas.db lässt sich nicht öffnen"),
    ("the instance's database a folder, mails", ["mail", "status"], a_folder_for_the_database,
     "/instance/atlas.db lässt sich nicht öffnen"),
    ("no database server", ["seed"], no_database_server, "ist nicht erreichbar"),
    ("a refused setting", ["seed"], with_setting(ATLAS_TILES="bunt"), "ATLAS_TILES muss einer von"),
    ("a refused setting, asked for help", ["--help"], with_setting(ATLAS_TILES="bunt"), "ATLAS_TILES muss einer von"),
    ("a known secret key", ["export"], with_setting(ATLAS_SECRET_KEY="test"), "ATLAS_SECRET_KEY ist"),
    ("a broken log level", ["seed"], with_setting(ATLAS_LOG_LEVEL="laut"), "ATLAS_LOG_LEVEL muss"),
    ("rate limits stored nowhere", ["seed"], with_setting(ATLAS_RATELIMIT_STORAGE_URI="irgendwo://"),
     "ATLAS_RATELIMIT_STORAGE_URI geht so nicht"),
    ("an unusable instance folder", ["seed"], instance_under_a_file, "ATLAS_INSTANCE_PATH auf einen Ordner setzen"),
    ("a data folder without boundaries", ["export"], with_setting(ATLAS_DATA_DIR="{tmp}"),
     "enthält kein regions/ und kein gazetteer/: den Ordner data/ des Atlas angeben"),
    ("a busy port", ["serve", "--port", "{BUSY_PORT}"], busy_port, "mit --port einen freien Port wählen"),
    ("a damaged database", ["seed"], damaged_database, "Unerwarteter Fehler (OperationalError"),
]


def run_in_runner(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    import os

    unset = {name: None for name in os.environ if name.startswith("ATLAS_") and name not in env}
    result = CliRunner().invoke(AtlasGroup(), args, env={**unset, **env})
    return result.exit_code, result.stdout, result.stderr


def run_as_process(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    done = subprocess.run(ATLAS + args, env=cli_environment(**env), capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("run", [run_in_runner, run_as_process], ids=["runner", "process"])
@pytest.mark.parametrize(("args", "setup", "says"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_mistake_is_one_german_line_and_exit_code_1(tmp_path, run, args, setup, says):
    with ExitStack() as stack:
        env = setup(tmp_path, stack)
        code, out, err = run([arg.format(**env) for arg in args], {k: v for k, v in env.items() if k != "BUSY_PORT"})
    assert code == 1, out + err
    assert "Traceback" not in out + err
    assert len(err.splitlines()) == 1 and says in err, err
    assert "geheim" not in err, "never the database password"


def test_an_unexpected_fault_leaves_its_traceback_in_the_instance_folder(tmp_path):
    with ExitStack() as stack:
        env = damaged_database(tmp_path, stack)
    code, _, err = run_as_process(["seed"], env)
    log = tmp_path / "instance" / "errors.log"
    assert code == 1 and err.strip().endswith(f"die Einzelheiten stehen in {log}."), err
    assert "Traceback" in log.read_text() and "no such table: projects" in log.read_text()


def test_a_usage_error_stays_clicks_own(tmp_path):
    """A mistyped option shows the usage, as every Click program does (exit code 2)."""
    code, _, err = run_as_process(["seed", "--gibts-nicht"], fresh_instance(tmp_path, ExitStack()))
    assert code == 2 and "Usage:" in err and "Traceback" not in err


@pytest.mark.parametrize("args", [["export"], ["seed"], ["import", SEED_CSV],
                                  ["create-user", "buero@arl.example", "--arl", "leine-weser", "--password",
                                   "ein-langes-passwort-1"],
                                  ["set-password", "buero@arl.example", "--password", "ein-langes-passwort-1"],
                                  # these need the pages too (mails, the site): the database is checked before
                                  ["serve", "--port", "5999"], ["freshness"], ["mail", "status"]],
                         ids=lambda args: " ".join(args[:2]) if args[0] == "mail" else args[0])
def test_a_database_without_schema_is_told_before_the_boundaries_and_pandas_load(tmp_path, args):
    """The store's database is opened and checked (atlas.store.opening) with SQLAlchemy alone: the operator reads the
    line at once, not after the store's modules and the Kreise's boundaries are loaded for nothing."""
    asks = ("import sys\nfrom atlas.cli import main\ntry:\n    main()\nexcept SystemExit as end:\n"
            "    print(end.code, *sorted(m for m in ('pandas', 'geopandas', 'atlas.regions', 'atlas.store.core')"
            " if m in sys.modules))")
    env = cli_environment(**fresh_instance(tmp_path, ExitStack()))
    done = subprocess.run([sys.executable, "-c", asks, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.stderr.strip() == NO_SCHEMA, done.stderr
    assert done.stdout.split() == ["1"], "nothing heavy loaded: " + done.stdout
