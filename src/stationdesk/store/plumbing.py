"""The small things every caller of a station database needs, written once: IN-list chunks, the
meta table, the next id of a table, the clock's type, and when the planner's statistics are due.

The standard library only: the light commands' reads (store/reads.py) use it and must not load
SQLAlchemy. A connection here is a sqlite3 connection or a SQLAlchemy one; statements run on the
driver connection beneath it, inside its transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

T = TypeVar("T")

IN_LIST_LIMIT = 900  # values per IN (...) list, well under SQLite's bound-parameter limit

# Below this many orders any plan is fast; above it the planner needs statistics (ANALYZE).
STATS_WORTH_IT = 10_000

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The only clock of the running app: actions cannot be backdated."""
    return datetime.now(UTC)


def driver(conn: Any) -> sqlite3.Connection:
    """The sqlite3 connection of ``conn``: itself, or the one beneath a SQLAlchemy connection."""
    if isinstance(conn, sqlite3.Connection):
        return conn
    found = conn.connection.driver_connection
    if not isinstance(found, sqlite3.Connection):  # the station's store is SQLite, and only SQLite
        raise TypeError(f"not a sqlite3 connection: {type(found).__name__}")
    return found


def in_chunks(items: Sequence[T], size: int = IN_LIST_LIMIT) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``: one IN (...) list each."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def read_meta(conn: Any, key: str) -> str | None:
    """The value the meta table holds under ``key``, or None."""
    row = driver(conn).execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def write_meta(conn: Any, key: str, value: str) -> None:
    """Set ``key`` in the meta table (in the caller's write transaction)."""
    driver(conn).execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                         (key, value))


def next_id(conn: Any, table: str, column: str = "id") -> int:
    """The value ``column`` of the next row of ``table`` gets: one past the highest. Safe to hand out
    in a write transaction, where the writer holds the lock (BEGIN IMMEDIATE)."""
    row = driver(conn).execute(f"SELECT max({column}) FROM {table}").fetchone()
    return int(row[0] or 0) + 1


def needs_statistics(has_statistics: bool, orders: int, added: int = 0) -> bool:
    """Whether the planner's statistics should be (re)built: a sizeable file without any, or
    ``added`` new orders that changed its shape (a quarter or more of what was there)."""
    if orders < STATS_WORTH_IT:
        return False
    return not has_statistics or added * 4 >= orders - added
