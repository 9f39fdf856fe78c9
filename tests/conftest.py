"""Shared fixtures: a real SQLite file per test, a clock the test moves by hand, feed files."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from stationdesk.bootstrap import open_desk
from stationdesk.services.context import Desk
from stationdesk.services.passwords import Argon2Hasher, HashCost
from stationdesk.services.setup import init_database

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai


# argon2 at its lowest cost: a test hashes in microseconds. tests/services/test_passwords.py checks
# (marked production_hasher) that a desk opened as people open it gets the full cost.
CHEAP_HASHER_COST = (1, 8, 1)


def cheap_hasher() -> Argon2Hasher:
    """The hasher a test hands open_desk (or a command, as click's context object)."""
    return Argon2Hasher(HashCost(*CHEAP_HASHER_COST))


@pytest.fixture
def hasher() -> Argon2Hasher:
    return cheap_hasher()


@pytest.fixture(autouse=True)
def _own_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the machine's user config or writes into its data dir (daily backups, demo)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


class ManualClock:
    """A clock for tests: it only moves when told to."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "station.db"
    init_database(path, "HZ001")
    return path


@pytest.fixture
def desk(db_path: Path, tmp_path: Path, clock: ManualClock, hasher: Argon2Hasher) -> Desk:
    d = open_desk(db_path, tmp_path / "no-config.toml", clock=clock, hasher=hasher)
    yield d
    d.db.dispose()


def feed_row(n: int, **over: Any) -> dict[str, Any]:
    """A valid feed row for order number ``n``; keyword arguments override fields."""
    row = {
        "logistics_no": f"LP{n:08d}", "source": "淘宝", "channel": "线上", "business_type": "我要寄快递",
        "order_time": (T0 - timedelta(minutes=5)).astimezone().isoformat(), "sender_name": "张三",
        "sender_phone": "13812345678", "sender_province": "浙江省", "sender_city": "杭州市",
        "sender_district": "西湖区", "sender_address": "文三路100号", "note": "", "goods": "文件",
        "waybill_no": "", "dispatch_time": "", "dispatch_operator": "", "cancelled": "",
    }
    row.update(over)
    return row


def write_csv(path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def import_rows(desk: Desk, tmp_path: Path):
    """Import feed rows into the test desk; returns the ImportReport."""
    from stationdesk.services.feed_import import import_feed

    counter = iter(range(10_000))

    def run(rows: list[dict[str, Any]]):
        path = write_csv(tmp_path / f"feed{next(counter)}.csv", rows)
        return import_feed(desk, path)

    return run


def snapshot_db(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, to prove a refused action changed nothing."""
    import sqlite3

    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        con.close()
