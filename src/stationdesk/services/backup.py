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
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from stationdesk.services.check import CheckReport, check_connection
from stationdesk.store.engine import BUSY_TIMEOUT_MS, Database
from stationdesk.store.errors import StoreError
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

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class BackupResult:
    path: Path
    verified: Verified
    bytes: int
    seconds: float


_log = logging.getLogger("stationdesk.backup")  # one line per backup, for the admin's log file

def _store_error(path: Path, exc: sqlite3.Error, doing: str) -> StoreError:
    text = str(exc)
    if "full" in text or "disk I/O" in text:
        return StoreError(f"{path}: 磁盘已满或无法写入, {doing}未完成, 原数据库未受影响 (disk full or I/O error: {text})")
    return StoreError(f"{path}: {doing}失败 ({text})")


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        p.unlink(missing_ok=True)


def verify(path: Path) -> Verified:
    """Open ``path`` read-only and check it as `stationdesk check` checks a live database."""
    path = Path(path)
    result = Verified(path)
    if not path.is_file():
        result.problems.append(f"{path}: 文件不存在 (no such file)")
        return result
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        result.problems.append(f"{path}: 无法打开 ({exc})")
        return result
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"alembic_version", "meta", "orders", "order_event", "outbox"} <= names:
            result.problems.append(f"{path}: 不是 stationdesk 数据库 (not a station database)")
            return result
        result.revision = (conn.execute("SELECT version_num FROM alembic_version").fetchone() or (None,))[0]
        result.station = (conn.execute("SELECT value FROM meta WHERE key = 'station_code'").fetchone() or (None,))[0]
        report: CheckReport = check_connection(conn)
        result.problems.extend(report.problems)
        result.orders, result.events = report.orders, report.events
    except sqlite3.DatabaseError as exc:
        result.problems.append(f"{path}: 文件已损坏或不是数据库 ({exc})")
    finally:
        conn.close()
    return result


def backup(db: Database, dest: Path) -> BackupResult:
    """Copy the live database to ``dest`` (which must not exist yet), verified."""
    dest = Path(dest).expanduser().absolute()
    if dest == db.path.absolute():
        raise StoreError(f"{dest}: 不能备份到数据库自身 (that is the live database)")
    if dest.exists():
        raise StoreError(f"{dest}: 文件已存在, 备份不会覆盖它 (choose another name)")
    if not dest.parent.is_dir():
        raise StoreError(f"{dest.parent}: 目录不存在 (no such directory)")
    partial = dest.with_name(dest.name + ".partial")
    _remove(partial)
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
        _remove(partial)
        raise _store_error(dest, exc, "备份") from exc
    except OSError as exc:
        _remove(partial)
        raise StoreError(f"{dest}: 备份写入失败, 原数据库未受影响 ({exc.strerror or exc})") from exc
    checked = verify(partial)
    if not checked.ok:
        _remove(partial)
        raise StoreError(f"{dest}: 备份校验未通过, 未保留 (the copy failed its check): {'; '.join(checked.problems[:3])}")
    partial.rename(dest)
    checked.path = dest
    result = BackupResult(dest, checked, dest.stat().st_size, time.perf_counter() - started)
    _log.info("backup %s: %d orders, %d bytes, %.1f s, verified", dest, checked.orders, result.bytes, result.seconds)
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
        raise StoreError(f"{source}: 备份校验未通过, 未恢复 (backup failed its check): {'; '.join(checked.problems[:3])}")
    if checked.revision not in known_revisions():
        raise StoreError(f"{source}: 备份的数据库版本 {checked.revision} 比本程序新 ({SCHEMA_HEAD}); upgrade stationdesk first")
    saved: Path | None = None
    if db_path.exists():
        current = verify(db_path)
        if current.station and checked.station != current.station and not other_station:
            raise StoreError(
                f"{source}: 这是网点 {checked.station} 的备份, 当前数据库属于网点 {current.station}, 未恢复 "
                "(pass --other-station if that is intended)"
            )
        saved = db_path.with_name(f"{db_path.stem}.before-restore-{now:%Y%m%d-%H%M%S}{db_path.suffix}")
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
        raise _store_error(db_path, exc, "恢复") from exc
    return checked, saved


def daily(db: Database, folder: Path, station: str, today: date, keep_days: int) -> tuple[BackupResult | None, list[Path]]:
    """Today's backup in ``folder`` unless there is one, and backups older than ``keep_days`` removed.

    Returns the new backup (None when today's existed) and the files removed.
    """
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"station-{station}-{today.isoformat()}.db"
    made = None if target.exists() else backup(db, target)
    removed = []
    oldest = today - timedelta(days=keep_days - 1)
    for p in sorted(folder.iterdir()):
        m = DAILY_NAME.match(p.name)
        if m and m["code"] == station and date.fromisoformat(m["day"]) < oldest:
            p.unlink()
            removed.append(p)
    return made, removed
