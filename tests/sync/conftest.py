"""A real PostgreSQL for the sync tests: started by the test run on 127.0.0.1, stopped after it.

initdb refuses to run as root, so as root the server runs as the postgres user in a temp dir it
owns. If it cannot start, every test that needs it FAILS with the reason: a sync test never skips.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from stationdesk.bootstrap import open_desk
from stationdesk.services.setup import init_database, parse_directory, shipped_directory_text
from tests.conftest import ManualClock, cheap_hasher


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    pytest.fail("PostgreSQL is not installed: no initdb in /usr/lib/postgresql/*/bin or on PATH "
                "(install the postgresql package: the sync tests need a real server)", pytrace=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PGServer:
    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.base = Path(tempfile.mkdtemp(prefix="stationdesk-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.base, "postgres", "postgres")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)

    def _fail(self, what: str, proc: subprocess.CompletedProcess) -> None:
        log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        pytest.fail(f"PostgreSQL could not start ({what}, exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{log}",
                    pytrace=False)

    def start(self) -> None:
        proc = self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                         "--no-locale", "--no-sync")
        if proc.returncode != 0:
            self._fail("initdb", proc)
        # listen on 127.0.0.1 only; the socket in our own dir; durability off: a test server
        opts = (f"-h 127.0.0.1 -p {self.port} -k {self.base} -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c max_connections=60")
        proc = self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.log), "-w", "-t", "60", "start")
        if proc.returncode != 0:
            self._fail("pg_ctl start", proc)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    server = PGServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


_names = itertools.count()


@pytest.fixture
def hq_url(pg_server: PGServer) -> str:
    """A fresh, empty database on the test server for one test."""
    return new_database(pg_server)


HQ_TABLES = ("hq_feed", "hq_conflict", "hq_op", "hq_event", "hq_order", "hq_push_cursor", "hq_chain", "hq_account_chain",
             "hq_review", "hq_station_token", "hq_violation", "hq_audit_week", "hq_notice", "hq_appeal",
             "hq_audit_message", "hq_suspicion")


def stationdesk_command() -> str:
    found = Path(sys.executable).parent / "stationdesk"
    if not found.exists():
        pytest.fail(f"the stationdesk command is not installed beside {sys.executable}", pytrace=False)
    return str(found)


class HQService:
    """`stationdesk hq serve` in its own process on 127.0.0.1, on its own database of the test server."""

    def __init__(self, db_url: str, workers: int = 1, pool: int = 5) -> None:
        self.db_url, self.pool = db_url, pool
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.mkstemp(prefix="stationdesk-hq-", suffix=".log")[1])
        self.workers = workers
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        import httpx

        env = {**os.environ, "STATIONDESK_HQ_URL": self.db_url}
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [stationdesk_command(), "hq", "serve", "--bind", f"127.0.0.1:{self.port}", "--workers",
                 str(self.workers), "--pool", str(self.pool)], env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)  # waiting for another process to listen: there is no clock to advance
        self.stop()
        pytest.fail(f"`stationdesk hq serve` did not start on {self.url}:\n{self.log.read_text(errors='replace')[-3000:]}",
                    pytrace=False)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def new_database(pg_server: PGServer) -> str:
    import psycopg

    name = f"hq_{os.getpid()}_{next(_names)}"
    with psycopg.connect(f"host=127.0.0.1 port={pg_server.port} user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return f"{pg_server.url}/{name}"


def prepared_hq(url: str):  # noqa: ANN201
    from stationdesk.sync import hq_schema

    engine = hq_schema.connect(url)
    hq_schema.upgrade(engine)
    hq_schema.store_directory(engine, parse_directory(shipped_directory_text(), "data/stations.csv"))
    return engine


@pytest.fixture(scope="session")
def hq_service(pg_server: PGServer):
    """One `hq serve` process for the whole test run (per test process), on one database."""
    url = new_database(pg_server)
    engine = prepared_hq(url)
    service = HQService(url)
    service.start()
    try:
        yield service, engine
    finally:
        service.stop()
        engine.dispose()


class HQ:
    """Head office for one test: the service's URL, its database (emptied before the test), and
    stations' tokens issued on demand."""

    def __init__(self, url: str, engine, log: Path | None = None) -> None:  # noqa: ANN001
        self.url, self.engine, self.log = url, engine, log
        self.tokens: dict[str, str] = {}
        self._lock = threading.Lock()  # stations syncing in threads ask for their token at once

    def token(self, code: str) -> str:
        from datetime import UTC, datetime

        from stationdesk.sync import hq_credentials

        with self._lock:
            if code not in self.tokens:
                self.tokens[code] = hq_credentials.issue(self.engine, code, datetime.now(UTC), replace=False)
            return self.tokens[code]

    def link(self, code: str, token: str | None = None, **kw):  # noqa: ANN003, ANN201
        from stationdesk.sync.client import HeadOffice

        return HeadOffice(self.url, token or self.token(code), **kw)


@pytest.fixture
def office(hq_service) -> HQ:  # noqa: ANN001
    service, engine = hq_service
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {', '.join(HQ_TABLES)} RESTART IDENTITY CASCADE")
        conn.exec_driver_sql("UPDATE hq_feed_counter SET last_position = 0")
    return HQ(service.url, engine, service.log)


@pytest.fixture
def hq_engine(office: HQ):
    """Head office's database behind the test's service (its own tools' direct access)."""
    return office.engine


@pytest.fixture
def station_factory(tmp_path: Path, clock: ManualClock):
    """Open station desks by code on their own files, all on the test clock; closed after the test."""
    desks = []

    def make(code: str):
        path = tmp_path / f"{code}.db"
        init_database(path, code)
        desk = open_desk(path, tmp_path / "no-config.toml", clock=clock, hasher=cheap_hasher())
        desks.append(desk)
        return desk

    yield make
    for d in desks:
        d.db.dispose()
