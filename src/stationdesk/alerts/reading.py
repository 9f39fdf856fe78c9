"""What the alert job reads: the waiting counts, the most urgent waiting order and the orders
due soon. Two or three indexed statements on the waiting orders, never a query per order."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from stationdesk.alerts.rule import UrgentOrder, Waiting
from stationdesk.domain.sla import ACCEPT_LIMIT
from stationdesk.domain.text import clean_text
from stationdesk.store import reads

if TYPE_CHECKING:
    from stationdesk.store.engine import Database
    from stationdesk.store.reads import ReadOnlyFile

SOON_LIMIT = 1000  # due-soon orders read per check: more than a station receives in the window


def _urgent(conn: Any, *, after: datetime | None = None, before: datetime | None = None,
            limit: int) -> list[UrgentOrder]:
    # reads.ACCEPT_CLOCK_START is the SQL that waiting_counts uses too, so the counts and these
    # orders always agree on which are overdue and which are due soon.
    return [UrgentOrder(oid, clean_text(ref), order_time, clock_start + ACCEPT_LIMIT)
            for oid, ref, order_time, clock_start in reads.waiting_by_clock(conn, after=after, before=before,
                                                                             limit=limit)]


def read_waiting(conn: Any, now: datetime, warn: timedelta) -> Waiting:
    """The waiting orders at ``now``; "due soon" means a deadline in [now, now + warn)."""
    counts = reads.waiting_counts(conn, now, warn)
    if counts.waiting == 0:
        return Waiting(0, 0, 0)
    most = _urgent(conn, limit=1)
    soon: list[UrgentOrder] = []
    if counts.due_soon:
        soon = _urgent(conn, after=now - ACCEPT_LIMIT, before=now - ACCEPT_LIMIT + warn, limit=SOON_LIMIT)
    return Waiting(counts.waiting, counts.overdue, counts.due_soon, most[0] if most else None, tuple(soon))


def load_waiting(db: Database | ReadOnlyFile, now: datetime, warn: timedelta) -> Waiting:
    """read_waiting on one read connection of ``db`` (runs in a thread, off the screen's loop)."""
    with db.read() as conn:
        return read_waiting(conn, now, warn)


def load_most_urgent(db: Database) -> UrgentOrder | None:
    """The waiting order with the earliest accept deadline, for the jump to 网点接单."""
    with db.read() as conn:
        found = _urgent(conn, limit=1)
    return found[0] if found else None


def count_unscanned(db: Database) -> int:
    """Orders handled in the menus and not yet scanned: what 网点未揽收查询 lists, by its own query."""
    from stationdesk.store import unscanned

    with db.read() as conn:
        return unscanned.count(conn, unscanned.UnscannedQuery())


def load_near_complaints(db: Database, now: datetime, within: timedelta) -> list[tuple[int, str, datetime]]:
    """Open complaints whose 48-hour deadline is within ``within`` (or past): (id, logistics no., deadline)."""
    from sqlalchemy import select

    from stationdesk.store.tables import COMPLAINTS, ORDERS

    stmt = (select(COMPLAINTS.c.id, ORDERS.c.logistics_no, COMPLAINTS.c.deadline)
            .join(ORDERS, ORDERS.c.id == COMPLAINTS.c.order_id)
            .where(COMPLAINTS.c.closed_at.is_(None), COMPLAINTS.c.deadline <= now + within)
            .order_by(COMPLAINTS.c.deadline, COMPLAINTS.c.id))
    with db.read() as conn:
        return [(cid, clean_text(ref), deadline) for cid, ref, deadline in conn.execute(stmt)]
