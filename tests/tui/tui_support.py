"""Helpers for the screen tests: waiting for workers, reading the database directly."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

SEED_AT = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 14:00 in the station's time zone
NOW = SEED_AT + timedelta(minutes=20)  # the desk clock: some waiting orders are overdue by now
SEED_ORDERS = 2000
SEED_VALUE = 7
OPERATOR = "张敏"


async def settle(pilot: Pilot, rounds: int = 100) -> None:
    """Wait until no worker runs and every message their results caused has been handled."""
    app = pilot.app
    quiet = 0
    for _ in range(rounds):
        await pilot.pause()
        pending = [w for w in app.workers if not w.is_finished]
        if pending:
            quiet = 0
            await asyncio.gather(*(w.wait() for w in pending), return_exceptions=True)
            continue
        quiet += 1
        if quiet >= 2:
            return
    raise AssertionError("workers did not settle")


def db_rows(path: Path, sql: str, *params: Any) -> list[sqlite3.Row]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def order(path: Path, order_id: int) -> sqlite3.Row:
    return db_rows(path, "SELECT * FROM orders WHERE id = ?", order_id)[0]


def events(path: Path, order_id: int) -> list[sqlite3.Row]:
    return db_rows(path, "SELECT * FROM order_event WHERE order_id = ? ORDER BY version", order_id)


def db_exec(path: Path, sql: str, *params: Any) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def line_text(widget: Any, y: int) -> str:
    """The text of one drawn line of a Line-API widget."""
    return widget.render_line(y).text


def message(app: Any) -> str:
    return app.message[0]
