"""Station credentials at head office: issue, rotate, revoke, list, and who a token belongs to.

A token is 256 random bits, shown once when issued; head office stores only its SHA-256, so a copy
of head office's database does not let anyone sync as a station. A station has at most one live
token: issuing a new one (rotate) revokes the old one in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update

from stationdesk.domain.errors import DomainError
from stationdesk.domain.words import Refusal, Words
from stationdesk.sync.hq_schema import load_directory
from stationdesk.sync.hq_tables import HQ_REVIEW, HQ_STATION_TOKENS

PREFIX = "sdt_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


@dataclass(frozen=True)
class TokenInfo:
    station_code: str
    issued_at: datetime
    revoked_at: datetime | None
    revoked_why: str | None
    last_used_at: datetime | None


def issue(engine: Engine, code: str, now: datetime, *, replace: bool) -> str:
    """A new token for station ``code``; with ``replace`` the live one is revoked (rotate), without
    it a station that has one is refused (add)."""
    code = code.strip()
    token = PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        if load_directory(conn).find(code) is None:
            raise DomainError("hq.unknown_station", code=code)
        live = conn.execute(select(HQ_STATION_TOKENS.c.id).where(
            HQ_STATION_TOKENS.c.station_code == code, HQ_STATION_TOKENS.c.revoked_at.is_(None)).with_for_update()).all()
        if live and not replace:
            raise DomainError("hq.live_token", code=code)
        if not live and replace:
            raise DomainError("hq.no_live_token", code=code)
        conn.execute(update(HQ_STATION_TOKENS).where(HQ_STATION_TOKENS.c.station_code == code,
                                                     HQ_STATION_TOKENS.c.revoked_at.is_(None))
                     .values(revoked_at=now, revoked_why="rotate"))
        conn.execute(HQ_STATION_TOKENS.insert().values(station_code=code, token_hash=token_hash(token), issued_at=now))
    return token


def revoke(engine: Engine, code: str, now: datetime) -> int:
    """Revoke the station's live token; the station can no longer sync until a new one is issued."""
    with engine.begin() as conn:
        n = conn.execute(update(HQ_STATION_TOKENS).where(HQ_STATION_TOKENS.c.station_code == code.strip(),
                                                         HQ_STATION_TOKENS.c.revoked_at.is_(None))
                         .values(revoked_at=now, revoked_why="revoke")).rowcount
    if not n:
        raise DomainError("hq.nothing_to_revoke", code=code)
    return n


def listing(engine: Engine) -> list[TokenInfo]:
    with engine.connect() as conn:
        rows = conn.execute(select(HQ_STATION_TOKENS).order_by(HQ_STATION_TOKENS.c.station_code,
                                                               HQ_STATION_TOKENS.c.id)).mappings().all()
    return [TokenInfo(r["station_code"], r["issued_at"], r["revoked_at"], r["revoked_why"], r["last_used_at"])
            for r in rows]


class Unknown(Refusal):
    """No live token matches: the message says whether it was revoked (never the token itself)."""


def station_of(engine: Engine, token: str) -> str:
    """The station a presented token belongs to, from the token alone."""
    h = token_hash(token)
    with engine.connect() as conn:
        row = conn.execute(select(HQ_STATION_TOKENS.c.station_code, HQ_STATION_TOKENS.c.revoked_at)
                           .where(HQ_STATION_TOKENS.c.token_hash == h)).first()
    if row is None:
        raise Unknown(Words("hq.token_unknown"))
    if row.revoked_at is not None:
        raise Unknown(Words("hq.token_revoked", station=row.station_code))
    station: str = row.station_code
    return station


def review(engine: Engine, station_code: str | None, kind: str, message: str, now: datetime,
           event_id: int | None = None) -> None:
    """Put an occurrence on head office's review list (its own transaction: kept when the request was refused)."""
    with engine.begin() as conn:
        conn.execute(HQ_REVIEW.insert().values(station_code=station_code, kind=kind, message=message[:2000],
                                               event_id=event_id, created_at=now))


def reviews(engine: Engine, station_code: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    """The review list, newest first."""
    stmt = select(HQ_REVIEW).order_by(HQ_REVIEW.c.id.desc()).limit(limit)
    if station_code:
        stmt = stmt.where(HQ_REVIEW.c.station_code == station_code)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]
