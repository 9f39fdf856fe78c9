"""The accounts' audit chain: every change of an operator's account is an event chained like the
orders' (domain/chain.py), and every operator row must be what its last event says.

A row changed with plain sqlite3 (a clerk made admin, a password hash swapped, an account added)
no longer matches; a rewritten and re-hashed account history is caught by head office, which
holds a copy of the chain. Sign-in bookkeeping (failed attempts, the lockout) is not an account
change and is not chained.
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Any

from sqlalchemy import Connection

from stationdesk.domain.chain import GENESIS, account_content, link
from stationdesk.domain.words import Words
from stationdesk.store.values import to_db
from stationdesk.store.reads import driver as sqlite_driver

COLUMNS = ("id", "name", "action", "by", "at", "role", "disabled", "secret", "chain")


def secret_of(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()


def record(conn: Connection, name: str, action: str, by: str, now: Any) -> None:
    """Chain the account's state as it is now in this transaction (call after changing the row)."""
    driver = sqlite_driver(conn)
    row = driver.execute("SELECT role, disabled, password_hash FROM operator WHERE name = ?", (name,)).fetchone()
    last = driver.execute("SELECT id, chain FROM account_event ORDER BY id DESC LIMIT 1").fetchone()
    event_id, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
    stamp = now if isinstance(now, str) else to_db(now)
    values = (event_id, name, action, by, stamp, row[0], bool(row[1]), secret_of(row[2]))
    driver.execute(f"INSERT INTO account_event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                   (*values, link(previous, account_content(*values))))


def verify(conn: sqlite3.Connection) -> str | None:
    """The first account event or operator row that no longer fits, named; None when all hold."""
    try:
        rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM account_event ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return None  # a file from before accounts were chained
    previous, last = GENESIS, {}
    for expected, row in enumerate(rows, start=1):
        if row[0] != expected:
            return Words("accounts.event_missing", n=expected, before=row[0], name=row[1])
        computed = link(previous, account_content(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7]))
        if computed != row[8]:
            return Words("accounts.event_edited", n=row[0], name=row[1], action=row[2])
        previous, last[row[1]] = computed, row
    for name, role, disabled, password_hash in conn.execute(
            "SELECT name, role, disabled, password_hash FROM operator ORDER BY name").fetchall():
        event = last.get(name)
        if event is None:
            return Words("accounts.no_record", name=name)
        if (role, bool(disabled), secret_of(password_hash)) != (event[5], bool(event[6]), event[7]):
            what = "role" if role != event[5] else "disabled" if bool(disabled) != bool(event[6]) else "password"
            return Words("accounts.differs", name=name, what=Words(f"accounts.{what}"), event=event[0])
    return None
