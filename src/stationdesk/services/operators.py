"""Operators' accounts: add, change a password, disable, list, and sign in with the lockout.

Passwords are kept only as argon2 hashes, hashed and checked outside the write transaction (a
hash takes tens of milliseconds; the write lock is held for the row update only). No password
or hash is ever logged, printed or put in a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from stationdesk.domain.errors import DomainError, InvalidInput
from stationdesk.domain.roles import (
    WRONG_LOGIN, LoginRefused, LoginState, Operator, Permission, Role, check_new_password, parse_role, require,
)
from stationdesk.domain.text import clean_text
from stationdesk.services.context import Desk
from stationdesk.store import account_chain
from stationdesk.store.tables import ACCESS_LOG, OPERATORS

MAX_NAME = 40


@dataclass(frozen=True)
class Account:
    """An operator's account as a person may see it (never the hash)."""

    name: str
    role: Role
    disabled: bool
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime

    @property
    def operator(self) -> Operator:
        return Operator(self.name, self.role)


def _account(row: Any) -> Account:
    return Account(row.name, Role(row.role), bool(row.disabled), row.failed_attempts, row.locked_until, row.created_at)


def clean_name(name: str) -> str:
    """The display name as stored and recorded on events; refuses an empty or overlong one."""
    cleaned = clean_text(name or "")
    if not cleaned:
        raise InvalidInput("err.name_required")
    if len(cleaned) > MAX_NAME:
        raise InvalidInput("err.name_too_long", limit=MAX_NAME)
    return cleaned


def _hash(desk: Desk, password: str) -> str:
    check_new_password(password)
    return desk.hasher.hash(password)


def accounts_exist(desk: Desk) -> bool:
    """Whether any account exists; with none the station is in open mode (no sign-in)."""
    with desk.db.read() as conn:
        return conn.execute(select(OPERATORS.c.name).limit(1)).first() is not None


def _row(conn: Connection, name: str) -> Any:
    return conn.execute(select(OPERATORS).where(OPERATORS.c.name == name)).first()


def _require_admin(conn: Connection, by: Operator) -> None:
    """``by`` must be a signed-in, enabled account whose stored role allows user management."""
    row = _row(conn, by.name) if by.role is not None else None
    if row is None or row.disabled:
        raise LoginRefused("err.admin_sign_in")
    require(Role(row.role), Permission.USERS)


def add_user(desk: Desk, name: str, role: Role | str, password: str, *, by: Operator) -> Account:
    """Add an account. The first one must be an admin (anyone may add it: the station was open);
    after that only an admin adds accounts."""
    name = clean_name(name)
    role = role if isinstance(role, Role) else parse_role(role)
    hashed = _hash(desk, password)
    with desk.db.write() as conn:
        now = desk.now()
        count = conn.execute(select(func.count()).select_from(OPERATORS)).scalar_one()
        if count == 0:
            if role is not Role.ADMIN:
                raise DomainError("err.first_admin")
        else:
            _require_admin(conn, by)
        if _row(conn, name) is not None:
            raise DomainError("err.account_exists", name=name)
        conn.execute(OPERATORS.insert().values(
            name=name, role=role.value, password_hash=hashed, disabled=False, failed_attempts=0,
            locked_until=None, created_at=now, updated_at=now,
        ))
        account_chain.record(conn, name, "add", by.name or name, now)
        return _account(_row(conn, name))


def set_password(desk: Desk, name: str, new_password: str, *, by: Operator, old_password: str | None = None) -> None:
    """Set a password. Anyone changes their own with the old one; an admin sets anyone's (which
    also lifts a lockout)."""
    name = clean_name(name)
    hashed = _hash(desk, new_password)
    own = by.name == name and by.role is not None
    if own:
        with desk.db.read() as conn:
            row = _row(conn, name)
        if row is None or old_password is None or not desk.hasher.verify(row.password_hash, old_password):
            raise LoginRefused("err.old_password")
    with desk.db.write() as conn:
        if not own:
            _require_admin(conn, by)
        if _row(conn, name) is None:
            raise DomainError("err.no_account", name=name)
        now = desk.now()
        conn.execute(OPERATORS.update().where(OPERATORS.c.name == name).values(
            password_hash=hashed, failed_attempts=0, locked_until=None, updated_at=now,
        ))
        account_chain.record(conn, name, "set_password", by.name, now)


def disable(desk: Desk, name: str, *, by: Operator) -> None:
    """Disable an account (admin only). Its events keep its name; it can no longer sign in.
    The last enabled admin cannot be disabled: nobody could manage accounts after."""
    name = clean_name(name)
    with desk.db.write() as conn:
        _require_admin(conn, by)
        row = _row(conn, name)
        if row is None:
            raise DomainError("err.no_account", name=name)
        if row.role == Role.ADMIN.value and not row.disabled:
            admins = conn.execute(select(func.count()).select_from(OPERATORS).where(
                OPERATORS.c.role == Role.ADMIN.value, OPERATORS.c.disabled.is_(False))).scalar_one()
            if admins <= 1:
                raise DomainError("err.last_admin", name=name)
        now = desk.now()
        conn.execute(OPERATORS.update().where(OPERATORS.c.name == name).values(disabled=True, updated_at=now))
        account_chain.record(conn, name, "disable", by.name, now)


def list_users(desk: Desk) -> list[Account]:
    with desk.db.read() as conn:
        return [_account(r) for r in conn.execute(select(OPERATORS).order_by(OPERATORS.c.name))]


def authenticate(desk: Desk, name: str, password: str) -> Operator:
    """Sign in. An unknown name, a wrong password and a locked account are refused alike: the same
    message after the same work (one hash check), so the answer tells nobody which names exist or
    are locked. Each attempt is counted in one write transaction before its password is checked
    (taken as a failure until the password proves right), so parallel attempts cannot get past the
    fifth failure. Five in a row lock the account for 15 minutes; attempts while it is locked are
    refused without checking the password and do not extend the lock; a success resets the count."""
    name = clean_text(name or "")
    row = None
    with desk.db.write() as conn:
        now = desk.now()
        found = _row(conn, name) if name else None
        if found is not None and not LoginState(found.failed_attempts, found.locked_until).locked(now):
            state = LoginState(found.failed_attempts, found.locked_until).after_failure(now)
            conn.execute(OPERATORS.update().where(OPERATORS.c.name == name).values(
                failed_attempts=state.failed, locked_until=state.locked_until))
            row = found
    if row is None:
        desk.hasher.verify_nothing(password or "")
        raise LoginRefused(WRONG_LOGIN)
    if not desk.hasher.verify(row.password_hash, password or ""):
        raise LoginRefused(WRONG_LOGIN)  # already counted
    if row.disabled:
        raise LoginRefused("err.account_disabled", name=name)
    values: dict[str, Any] = {"failed_attempts": 0, "locked_until": None}
    if desk.hasher.needs_rehash(row.password_hash):
        values["password_hash"] = desk.hasher.hash(password)  # a weaker hash is brought to full cost
    with desk.db.write() as conn:
        conn.execute(OPERATORS.update().where(OPERATORS.c.name == name).values(**values))
        if "password_hash" in values:
            account_chain.record(conn, name, "rehash", name, desk.now())
    return Operator(row.name, Role(row.role))


def unlock_own(desk: Desk, name: str, password: str) -> None:
    """Lift the lock on one's own account with its right password (checked past the lock): the
    way back for a sole admin locked by, say, a scheduled job with a stale password. It needs the
    database file itself, which already holds the hash, so it gives nothing a guesser lacks."""
    name = clean_name(name)
    with desk.db.read() as conn:
        row = _row(conn, name)
    if row is None or not desk.hasher.verify(row.password_hash, password or ""):
        if row is None:
            desk.hasher.verify_nothing(password or "")
        raise LoginRefused(WRONG_LOGIN)
    with desk.db.write() as conn:
        conn.execute(OPERATORS.update().where(OPERATORS.c.name == name).values(
            failed_attempts=0, locked_until=None, updated_at=desk.now()))


def record_access(desk: Desk, operator: str, order_ids: Iterable[int], what: str) -> int:
    """Write one access_log row per order whose personal data ``operator`` is shown (``what``:
    "phone"). Written before the data is shown; returns how many rows."""
    with desk.db.write() as conn:
        now = desk.now()
        rows = [{"operator": operator, "at": now, "order_id": oid, "what": what} for oid in order_ids]
        if rows:
            conn.execute(ACCESS_LOG.insert(), rows)
    return len(rows)
