"""Real servers for tests and benchmarks, started on loopback ports under /tmp and stopped again.

PostgreSQL from Debian's `postgresql` package (a throwaway cluster, trust authentication on 127.0.0.1 only) and
`redis-server` from Debian. Nothing here is a mock; nothing listens beyond the loopback interface.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on port {port} ended with code {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing answered on 127.0.0.1:{port} within {seconds} s")


def wait_or_kill(process: subprocess.Popen, seconds: float = 30) -> None:
    """Wait for a server asked to stop; kill it if it does not within `seconds`."""
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class PostgresServer:
    """A PostgreSQL cluster of its own in a temporary folder; databases are made from a migrated template."""

    def __init__(self):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql package")
        self.bin = Path(binaries[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
        self.port = free_port()
        self._as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_owner:  # PostgreSQL refuses to run as root; Debian's package made the postgres user
            shutil.chown(self.dir, "postgres")
        self.data = self.dir / "data"
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        self._log = open(self.dir / "postgres.log", "wb")  # noqa: SIM115 - open while the server runs
        self.process = subprocess.Popen(
            self._as_owner + [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port),
                              "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.dir}",
                              "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                              "-c", "max_connections=300"],
            stdout=subprocess.DEVNULL, stderr=self._log)
        wait_for_port(self.port, process=self.process)
        self._wait_until_ready()
        self._count = 0

    def _wait_until_ready(self, seconds: float = 30) -> None:
        """The port opens while the server still starts up ("the database system is starting up")."""
        import psycopg

        deadline = time.monotonic() + seconds
        while True:
            try:
                psycopg.connect(self.dsn()).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, template: str | None = None) -> str:
        """A new empty database (or a copy of `template`); returns its URL."""
        import psycopg

        self._count += 1
        name = f"atlas_{os.getpid()}_{self._count}"
        with psycopg.connect(self.dsn(), autocommit=True) as db:
            # a file copy (without fsync: see the server's settings) costs a third less than logging every page
            db.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""))
        return self.url(name)

    def trim_postgis(self, database: str) -> None:
        """A template's PostGIS keeps only the coordinate system the atlas uses (EPSG:4326): its 8,500 others were
        most of what each copy of the template copied (+110 ms a database)."""
        import psycopg

        with psycopg.connect(self.dsn(database), autocommit=True) as db:
            if db.execute("SELECT to_regclass('spatial_ref_sys')").fetchone()[0] is not None:
                db.execute("DELETE FROM spatial_ref_sys WHERE srid <> 4326")
                db.execute("VACUUM FULL spatial_ref_sys")

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.dsn(), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:  # SIGINT is PostgreSQL's fast shutdown; sent to the postmaster itself, not to runuser
            os.kill(int((self.data / "postmaster.pid").read_text().split()[0]), signal.SIGINT)
        except (OSError, ValueError):
            self.process.send_signal(signal.SIGINT)
        wait_or_kill(self.process)
        self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def dsn(self, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(self._as_owner + [str(self.bin / program), *args], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)


# What a copy of the template must still have to be handed out again: its tables, columns, constraints, indexes,
# functions, types, extensions and the database's own settings. A test that migrates down, drops a table or sets
# `ALTER DATABASE … SET` changes this, and its copy is dropped instead of reused.
SCHEMA_PRINT = """
SELECT md5(string_agg(part, '|' ORDER BY part)) FROM (
  SELECT concat_ws(' ', oid, relnamespace, relname, relkind, relnatts, relfilenode <> 0) FROM pg_class
   WHERE relnamespace::regnamespace::text NOT LIKE 'pg\\_%' AND relnamespace <> 'information_schema'::regnamespace
  UNION ALL SELECT concat_ws(' ', a.attrelid, a.attname, a.atttypid, a.attnotnull, a.atthasdef, a.attnum)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
   WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL SELECT concat_ws(' ', adrelid, adnum, md5(adbin::text)) FROM pg_attrdef
  UNION ALL SELECT concat_ws(' ', oid, conname, contype, conkey, confkey) FROM pg_constraint
   WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT concat_ws(' ', indexrelid, indrelid, indkey, indisunique) FROM pg_index
  UNION ALL SELECT concat_ws(' ', oid, tgrelid, tgname) FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT concat_ws(' ', oid, proname, pronargs) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
  UNION ALL SELECT concat_ws(' ', oid, typname) FROM pg_type WHERE typnamespace = 'public'::regnamespace
  UNION ALL SELECT concat_ws(' ', enumtypid, enumlabel) FROM pg_enum
  UNION ALL SELECT concat_ws(' ', extname, extversion) FROM pg_extension
  UNION ALL SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%temp\\_%'
  UNION ALL SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting
   WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
) AS schema(part)
"""


class DatabasePool:
    """Copies of a migrated template database for one test process, handed out and taken back.

    A copy taken back is reset to the template's rows and handed out again (a few ms of the server's CPU), instead of
    being dropped and copied anew: a copy and a drop cost the server 0.1–0.4 s of CPU, more as the cluster churns
    through files, and the PostgreSQL run of the suite makes over a thousand. A copy whose schema or settings a test
    changed (SCHEMA_PRINT) is dropped and never handed out again. The pool keeps one idle connection per copy (outside
    any transaction, holding no lock) so that a reset finds the server's caches for that database warm.
    """

    def __init__(self, server: PostgresServer, template: str):
        import psycopg

        self.server, self.template = server, template
        self.idle: list[str] = []  # names of copies reset and ready
        self.out: set[str] = set()  # names of copies handed out
        self.handed = 0
        self.connections: dict[str, psycopg.Connection] = {}
        with psycopg.connect(server.dsn(template), autocommit=True) as db:
            self.schema = db.execute(SCHEMA_PRINT).fetchone()[0]
            tables = [name for (name,) in db.execute(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
            # the template's rows (the schema version, the Kreise's shapes, meta) as COPY writes them
            self.rows: dict[str, bytes] = {}
            for table in tables:
                if db.execute(f"SELECT EXISTS (SELECT FROM {table})").fetchone()[0]:
                    with db.cursor().copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
                        self.rows[table] = b"".join(bytes(block) for block in copy)
            self.empty = [table for table in tables if table not in self.rows]
            self.sequences = "SELECT " + ", ".join(
                f"setval('{name}', {value}, {called})" for name, value, called in db.execute(
                    "SELECT quote_ident(sequencename), coalesce(last_value, start_value), last_value IS NOT NULL "
                    "FROM pg_sequences WHERE schemaname = 'public'"))
        # the prints of the tables the template has rows in: each one's row count and the transactions that wrote
        # them (a copy keeps the template's)
        self.prints = "SELECT " + ", ".join(
            f"(SELECT (count(*), coalesce(sum(xmin::text::bigint), 0)) FROM {table})" for table in self.rows)
        self.baseline: dict[str, tuple] = {}  # per copy: the prints of the template's rows in it

    def take(self) -> str:
        """The URL of a database with the template's schema and rows, nobody else's. Each URL handed out is new (its
        `application_name` counts), as a new database's was: what an app keeps in the cache folder by its database's
        URL (the published copy, atlas.published) is never read by the next test on the same copy."""
        if self.idle:
            name = self.idle.pop()
        else:
            name = self.server.create_database(self.template).rsplit("/", 1)[1]
            self.baseline[name] = self._connection(name).execute(self.prints).fetchone()
        self.out.add(name)
        self.handed += 1
        return f"{self.server.url(name)}?application_name=test-{self.handed}"

    def owns(self, url: str) -> bool:
        return url.startswith(self.server.url("")) and self.name_of(url) in self.out

    @staticmethod
    def name_of(url: str) -> str:
        return url.rsplit("/", 1)[1].split("?", 1)[0]

    def give_back(self, url: str) -> None:
        """Reset a copy a test is done with, its other connections ended as DROP DATABASE … WITH (FORCE) ends them;
        or drop it when its schema changed."""
        name = self.name_of(url)
        self.out.discard(name)
        db = self._connection(name)
        db.execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "  # waits until they are gone
                   "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        if db.execute(SCHEMA_PRINT).fetchone()[0] != self.schema:
            self.connections.pop(name).close()
            self.baseline.pop(name)
            self.server.drop_database(self.server.url(name))
            return
        with db.transaction():
            db.execute("SET LOCAL session_replication_role = replica")  # no foreign key checks while emptying
            prints = db.execute(self.prints).fetchone()
            changed = [table for table, now, then in zip(self.rows, prints, self.baseline[name], strict=True)
                       if now != then]
            db.execute("; ".join([f"DELETE FROM {table}" for table in self.empty + changed] + [self.sequences]))
            for table in changed:
                with db.cursor().copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(self.rows[table])
            if changed:
                self.baseline[name] = db.execute(self.prints).fetchone()
        self.idle.append(name)

    def close(self) -> None:
        """End the pool's own connections (before its server stops)."""
        for db in self.connections.values():
            db.close()
        self.connections.clear()

    def _connection(self, name: str):
        """The pool's own connection to a copy; made again when the server ended it (a test restarting it)."""
        import psycopg

        db = self.connections.get(name)
        if db is not None:
            if alive(db):
                return db
            db.close()
        db = self.connections[name] = psycopg.connect(self.server.dsn(name), autocommit=True)
        return db


def alive(connection) -> bool:
    """Whether the server still answers on this connection (it ends a connection when its database is reset)."""
    import psycopg

    try:
        connection.execute("SELECT")
    except psycopg.OperationalError:
        return False
    return True


class RedisServer:
    """redis-server on a loopback port, without persistence; `stop()` and `start()` again on the same port."""

    def __init__(self):
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server is not installed: `make test` installs Debian's redis-server package")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="atlas-redis-"))
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, process=self.process)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Gunicorn:
    """The atlas as the production command of docs/operating.md serves it: gunicorn with N worker processes."""

    def __init__(self, workers: int, env: dict[str, str], cwd: Path):
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = cwd / f"gunicorn-{self.port}.log"
        self._log = open(self.log, "wb")  # noqa: SIM115 - open while the server runs
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", "python:atlas.gunicorn_conf", "--workers", str(workers), "--bind",
             f"127.0.0.1:{self.port}", "atlas:create_app()"],
            env={**os.environ, **env}, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, seconds=60, process=self.process)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def warmed_up(self, workers: int, seconds: float = 120) -> list[str]:
        """Waits until `workers` workers have logged that they warmed up (atlas/gunicorn_conf.py); their lines."""
        deadline = time.monotonic() + seconds
        while True:
            lines = [line for line in self.output().splitlines() if "Worker warmed up in" in line]
            if len(lines) >= workers:
                return lines
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise TimeoutError(f"{len(lines)} of {workers} workers warmed up within {seconds} s:\n"
                                   + self.output()[-3000:])
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        wait_or_kill(self.process)
        self._log.close()


class AtlasServe:
    """`atlas serve` as an operator starts it, on a free port; what it writes to stdout and stderr is kept apart."""

    def __init__(self, atlas: list[str], env: dict[str, str], cwd: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stdout, self.stderr = cwd / f"serve-{self.port}.out", cwd / f"serve-{self.port}.err"
        with open(self.stdout, "wb") as out, open(self.stderr, "wb") as err:
            self.process = subprocess.Popen(atlas + ["serve", "--port", str(self.port)], env=env, cwd=cwd,
                                            stdout=out, stderr=err)
        wait_for_port(self.port, seconds=60, process=self.process)

    def errors(self) -> str:
        return self.stderr.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        wait_or_kill(self.process)


class SmtpServer:
    """A real SMTP server (aiosmtpd) on a loopback port; it keeps what arrives, parsed. `stop()` and `start()`
    again on the same port stand for a mail server that goes down and comes back. Addresses in `refuse` get
    550 (a mailbox that does not exist), those in `refuse_for_now` 450 (greylisting, a busy mailbox), those in
    `no_relay` 554 5.7.1 (a server that will not relay for the atlas). With a
    `login` (user, password) it is a provider's submission server: it offers AUTH (on loopback without TLS), answers
    other credentials with 535 and a sender who did not log in with 530; `turned_away` counts the connections it
    refused so (smtplib tries each mechanism the server offers)."""

    def __init__(self, login: tuple[str, str] | None = None):
        self.port = free_port()
        self.messages: list = []
        self.refuse: set[str] = set()
        self.refuse_for_now: set[str] = set()
        self.no_relay: set[str] = set()  # 554 5.7.1: the server will not relay for the atlas (its settings)
        self.quit_answer = "221 Bye"  # some servers close with 421 even after taking the mail
        self.login = login
        self.turned_away = 0
        self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        logins = dict(authenticator=self._authenticate, auth_require_tls=False) if self.login else {}
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **logins)
        self.controller.start()

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        given = (auth_data.login.decode(errors="replace"), auth_data.password.decode(errors="replace"))
        if given != self.login:
            self.turn_away(session)
        return AuthResult(success=given == self.login, handled=False)  # aiosmtpd answers 535

    def turn_away(self, session) -> None:
        if not getattr(session, "turned_away", False):
            session.turned_away = True
            self.turned_away += 1

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.server.login and not session.authenticated:
            self.server.turn_away(session)
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        return self.server.quit_answer

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.server.refuse:
            return "550 5.1.1 Mailbox unavailable"
        if address in self.server.no_relay:
            return f"554 5.7.1 <{address}>: Relay access denied"
        if address in self.server.refuse_for_now:
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        message.raw = envelope.content  # as it came over the wire, headers unparsed
        message.envelope_to = list(envelope.rcpt_tos)  # RCPT TO: where the server would deliver it
        self.server.messages.append(message)
        return "250 Message accepted"


class LoopbackHttp:
    """A small HTTP server on a loopback address for what the tests stand in for (an online geocoder, another
    website): every GET is answered by `answer(path) -> (status, content type, body)`. `close()` stops it."""

    def __init__(self, answer, host: str = "127.0.0.1"):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, content_type, body = answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        # close() waits until the loop looks again: every 50 ms instead of the default half second, which every test
        # with a stand-in paid at its end (test_online.py: 0.50 s of each test's teardown)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
