"""Backups of the station database: online, consistent, verified, and kept for a number of days.

A backup is taken with SQLite's backup API from a read snapshot, so the desk keeps working while
it runs (WAL lets writers go on). The copy is written under a temporary name, checked (integrity
and the consistency rules of `check`) and only then given its name: a file with a backup's name
is always a complete, verified backup. A restore verifies first, keeps a copy of what it
replaces, and writes through SQLite so a terminal that has the database open sees the restored
state instead of a file swapped under it.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TextIO

from stationdesk.services.check import CheckReport, check_connection
from stationdesk.domain.words import Term, Words
from stationdesk.store.engine import BUSY_TIMEOUT_MS, Database
from stationdesk.store.errors import DAMAGED_ADVICE, StoreError
from stationdesk.store.migrations import SCHEMA_HEAD
from stationdesk.store.schema import known_revisions

DAILY_NAME = re.compile(r"^station-(?P<code>[A-Za-z0-9_-]+)-(?P<day>\d{4}-\d{2}-\d{2})\.db$")


@dataclass
class Verified:
    """What a backup file holds, and whether it can be trusted."""

    path: Path
    station: str | None = None
    revision: str | None = None
    orders: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)
    damaged_file: bool = False  # SQLite finds the file itself broken
    audit_problem: str | None = None
    damaged_chain: str | None = None  # set in a backup taken while the audit chain was broken

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class BackupResult:
    path: Path
    verified: Verified
    bytes: int
    seconds: float
    # A copy of a database whose records were changed outside stationdesk (audit chain broken, or
    # orders and events that disagree): kept, because a station without backups is worse, and marked.
    damaged_chain: str | None = None


DAMAGED_CHAIN_KEY = "backup.damaged_chain"


_log = logging.getLogger("stationdesk.backup")  # one line per backup, for the admin's log file

def _store_error(path: Path, exc: sqlite3.Error, doing: Term) -> StoreError:
    text = str(exc)
    if "full" in text or "disk I/O" in text:
        return StoreError("err.backup_disk_full", path=path, doing=doing, why=text)
    return StoreError("err.backup_failed", path=path, doing=doing, why=text)


BACKING_UP, RESTORING = Term("备份", "the backup"), Term("恢复", "the restore")


PARTIAL = ".partial"


def _remove(path: Path, *, keep_claim: bool = False) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        p.unlink(missing_ok=True)
    if not keep_claim:
        Path(f"{path}.lock").unlink(missing_ok=True)


class _Claim:
    """An exclusive claim on a backup being written (a lock beside its ``.partial`` file, held while it is
    written). The kernel lets go of it when the process dies, so a ``.partial`` left by a killed backup is
    known for a leftover by the next run, while one that another terminal is writing is left alone."""

    def __init__(self, partial: Path) -> None:
        self.lock_path = Path(f"{partial}.lock")
        self._fh: TextIO | None = None

    def __enter__(self) -> bool:
        try:
            import fcntl
        except ImportError:  # not POSIX: no claim to take; a leftover is removed when its name is reused
            return True
        self._fh = fh = open(self.lock_path, "a")  # held until __exit__
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            self._fh = None
            return False
        return True

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self.lock_path.unlink(missing_ok=True)
            self._fh.close()


def remove_leftovers(folder: Path) -> list[Path]:
    """``.partial`` files in ``folder`` left by a backup that was killed (no process holds their
    claim): removed, with their journals. Returns what was removed."""
    removed = []
    for p in sorted(folder.glob(f"*{PARTIAL}")):
        with _Claim(p) as claimed:
            if claimed:
                _remove(p, keep_claim=True)
                removed.append(p)
    for lock in folder.glob(f"*{PARTIAL}.lock"):
        if not Path(str(lock).removesuffix(".lock")).exists():
            with _Claim(Path(str(lock).removesuffix(".lock"))) as claimed:
                if claimed:
                    lock.unlink(missing_ok=True)
    return removed


def verify(path: Path) -> Verified:
    """Open ``path`` read-only and check it as `stationdesk check` checks a live database."""
    path = Path(path)
    result = Verified(path)
    if not path.is_file():
        result.problems.append(Words("backup.no_file", path=path))
        return result
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        result.problems.append(Words("backup.cannot_open", path=path, why=str(exc)))
        return result
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"alembic_version", "meta", "orders", "order_event", "outbox"} <= names:
            result.problems.append(Words("backup.not_station_db", path=path))
            return result
        result.revision = (conn.execute("SELECT version_num FROM alembic_version").fetchone() or (None,))[0]
        result.station = (conn.execute("SELECT value FROM meta WHERE key = 'station_code'").fetchone() or (None,))[0]
        result.damaged_chain = (conn.execute("SELECT value FROM meta WHERE key = ?", (DAMAGED_CHAIN_KEY,)).fetchone()
                                or (None,))[0]
        report: CheckReport = check_connection(conn)
        result.problems.extend(report.problems)
        result.orders, result.events = report.orders, report.events
        result.damaged_file, result.audit_problem = report.damaged_file, report.audit_problem
    except sqlite3.DatabaseError as exc:
        result.problems.append(f"{path}: 文件已损坏或不是数据库 ({exc})")
        result.damaged_file = True
    finally:
        conn.close()
    return result


def backup(db: Database, dest: Path) -> BackupResult:
    """Copy the live database to ``dest`` (which must not exist yet), verified."""
    dest = Path(dest).expanduser().absolute()
    if dest == db.path.absolute():
        raise StoreError("err.backup_onto_itself", path=dest)
    if dest.exists():
        raise StoreError("err.backup_exists", path=dest)
    if not dest.parent.is_dir():
        raise StoreError("err.no_folder", path=dest.parent)
    partial = dest.with_name(dest.name + PARTIAL)
    with _Claim(partial) as claimed:
        if not claimed:
            raise StoreError("err.backup_claimed", path=dest)
        return _backup(db, dest, partial)


def _backup(db: Database, dest: Path, partial: Path) -> BackupResult:
    _remove(partial, keep_claim=True)
    started = time.perf_counter()
    try:
        src = sqlite3.connect(db.path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            out = sqlite3.connect(partial)
            try:
                src.backup(out)  # all pages in one step: one consistent snapshot
                out.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
                out.commit()
            finally:
                out.close()
        finally:
            src.close()
        with open(partial, "rb+") as fh:
            os.fsync(fh.fileno())
    except sqlite3.Error as exc:
        _remove(partial, keep_claim=True)
        raise _store_error(dest, exc, BACKING_UP) from exc
    except OSError as exc:
        _remove(partial, keep_claim=True)
        raise StoreError("err.backup_write", path=dest, why=exc.strerror or exc) from exc
    checked = verify(partial)
    damaged_chain = None
    if not checked.ok:
        if checked.damaged_file or checked.station is None:
            _remove(partial, keep_claim=True)
            raise StoreError("err.backup_check", path=dest, problems="; ".join(checked.problems[:3]),
                             advice=DAMAGED_ADVICE)
        # records changed outside stationdesk: the copy is kept, marked, and the damage remembered
        damaged_chain = checked.audit_problem or "; ".join(checked.problems[:3])
        out = sqlite3.connect(partial)
        try:
            out.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (DAMAGED_CHAIN_KEY, damaged_chain))
            out.commit()
        finally:
            out.close()
        checked.damaged_chain = damaged_chain
        from stationdesk.services.damage import record_audit_damage

        record_audit_damage(db, damaged_chain, datetime.now().astimezone())
    partial.rename(dest)
    checked.path = dest
    result = BackupResult(dest, checked, dest.stat().st_size, time.perf_counter() - started, damaged_chain)
    _log.info("backup %s: %d orders, %d bytes, %.1f s, verified%s", dest, checked.orders, result.bytes, result.seconds,
              " (a copy of a damaged audit chain)" if damaged_chain else "")
    return result


def restore(db_path: Path, source: Path, *, now: datetime, other_station: bool = False) -> tuple[Verified, Path | None]:
    """Replace the database at ``db_path`` with the backup ``source``, after verifying it.

    The current database, if there is one, is first backed up beside itself; its path is
    returned with what was restored. A backup of another station is refused unless
    ``other_station`` says that is intended.
    """
    source = Path(source).expanduser().absolute()
    db_path = Path(db_path).expanduser().absolute()
    checked = verify(source)
    if not checked.ok:
        raise StoreError("err.restore_check", path=source, problems="; ".join(checked.problems[:3]))
    if checked.revision not in known_revisions():
        raise StoreError("err.newer_schema", path=source, rev=checked.revision, head=SCHEMA_HEAD)
    saved: Path | None = None
    if db_path.exists():
        current = verify(db_path)
        if current.station and checked.station != current.station and not other_station:
            raise StoreError("err.restore_other_station", path=source, theirs=checked.station, ours=current.station)
        saved = db_path.with_name(f"{db_path.stem}.before-restore-{now:%Y%m%d-%H%M%S}{db_path.suffix}")
        if current.damaged_file or current.station is None:
            _set_aside(db_path, saved)  # too broken to copy through SQLite: kept as it is, for whoever looks into it
        else:
            live = Database(db_path)
            try:
                backup(live, saved)
            finally:
                live.dispose()
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                src.backup(dst)  # through SQLite's locks: open terminals see the restored state
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise _store_error(db_path, exc, RESTORING) from exc
    return checked, saved


def _set_aside(db_path: Path, saved: Path) -> None:
    """Move a damaged database (with its WAL) to ``saved``; the restore then writes a new file."""
    try:
        for suffix in ("", "-wal", "-shm", "-journal"):
            part = Path(f"{db_path}{suffix}")
            if part.exists():
                shutil.copy2(part, Path(f"{saved}{suffix}"))
        for suffix in ("-wal", "-shm", "-journal", ""):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError("err.restore_set_aside", path=db_path, why=exc.strerror or exc) from exc


def daily(db: Database, folder: Path, station: str, today: date, keep_days: int,
          warnings: list[str] | None = None) -> tuple[BackupResult | None, list[Path]]:
    """Today's backup in ``folder`` unless there is one, and backups older than ``keep_days`` removed.

    Returns the new backup (None when today's existed) and the files removed. Files left by a killed
    backup are removed first; a file named like a backup whose date cannot be read is left alone and
    named in ``warnings``.
    """
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    removed = remove_leftovers(folder)
    target = folder / f"station-{station}-{today.isoformat()}.db"
    made = None if target.exists() else backup(db, target)
    oldest = today - timedelta(days=keep_days - 1)
    for p in sorted(folder.iterdir()):
        m = DAILY_NAME.match(p.name)
        if not m or m["code"] != station:
            continue
        try:
            day = date.fromisoformat(m["day"])
        except ValueError:
            if warnings is not None:
                warnings.append(Words("warn.backup_name", path=p))
            continue
        if day < oldest and p.is_file():
            p.unlink()
            removed.append(p)
    return made, removed
