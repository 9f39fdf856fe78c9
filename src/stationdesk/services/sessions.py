"""登录时段: who was signed in at the desk and when, and the working-hour minutes with no one signed in.

The log-in hours of the service standard (08:00-20:00, 新疆 10:00-21:00) are hours the desk must
be manned. The running desk records a session from sign-in to sign-out and marks it alive every
minute, so a desk that stopped without signing out (a crash, a power cut) counts to its last sign
of life, not to the end of the day.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from stationdesk.domain.hours import day_window, unattended_minutes
from stationdesk.services.context import Desk
from stationdesk.store.rows import inserted_id
from stationdesk.store.tables import DESK_SESSIONS

REPORT_COLUMNS = (("date", "日期", 10), ("hours", "登录时间", 11), ("working_minutes", "工作分钟", 8),
                  ("unattended_minutes", "无人登录分钟", 12), ("sessions", "登录次数", 8))


def start_session(desk: Desk, operator: str) -> int:
    with desk.db.write() as conn:
        now = desk.now()
        return inserted_id(conn.execute(DESK_SESSIONS.insert().values(
            operator=operator, started_at=now, last_seen_at=now)))


def touch_session(desk: Desk, session_id: int) -> None:
    """Still signed in (called every minute by the running desk)."""
    with desk.db.write() as conn:
        conn.execute(DESK_SESSIONS.update().where(DESK_SESSIONS.c.id == session_id, DESK_SESSIONS.c.ended_at.is_(None))
                     .values(last_seen_at=desk.now()))


def end_session(desk: Desk, session_id: int) -> None:
    with desk.db.write() as conn:
        now = desk.now()
        conn.execute(DESK_SESSIONS.update().where(DESK_SESSIONS.c.id == session_id, DESK_SESSIONS.c.ended_at.is_(None))
                     .values(ended_at=now, last_seen_at=now))


def unattended_report(desk: Desk, first: date, last: date) -> list[dict[str, Any]]:
    """Per day from ``first`` to ``last``: the working minutes and those with no one signed in.
    A session still open counts to its last sign of life; today counts up to now."""
    tz, now = desk.config.tz, desk.now()
    hours = desk.config.hours_for(desk.station.province)
    lo, _ = day_window(first, hours, tz)
    _, hi = day_window(last, hours, tz)
    with desk.db.read() as conn:
        rows = conn.execute(select(DESK_SESSIONS.c.started_at, DESK_SESSIONS.c.last_seen_at, DESK_SESSIONS.c.ended_at)
                            .where(DESK_SESSIONS.c.started_at < hi)).all()
    spans = [(a, e or seen) for a, seen, e in rows if (e or seen) > lo]
    out = []
    day = first
    while day <= last:
        start, end = day_window(day, hours, tz)
        end_now = min(end, max(start, now))
        in_day = [(a, b) for a, b in spans if b > start and a < end]
        out.append({
            "date": day.isoformat(), "hours": f"{hours[0]:%H:%M}-{hours[1]:%H:%M}",
            "working_minutes": round((end_now - start).total_seconds() / 60),
            "unattended_minutes": round(unattended_minutes(day, hours, tz, in_day, now)),
            "sessions": len(in_day),
        })
        day += timedelta(days=1)
    return out
