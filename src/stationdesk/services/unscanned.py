"""网点未揽收查询: orders handled in the menus (accepted or pickup-confirmed) with no pickup scan.

A missed scan (漏扫) leaves the parcel invisible to the network and turns into a late pickup and
a fine, so the station runs this every day before the shift ends and does the 补扫描. Oldest
orders first, each with the time left (or overdue) against the 16-hour pickup rule. The query is
store.unscanned's, the same for this report, the desk's list and its count, and the alert's reminder.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stationdesk.domain.errors import InvalidInput
from stationdesk.domain.roles import Operator, Permission
from stationdesk.services.context import Desk
from stationdesk.services.views import unscanned_row
from stationdesk.store.unscanned import UNSCANNED_SQL as UNSCANNED_SQL  # re-exported: the screens and the violations read them here
from stationdesk.store.unscanned import UnscannedQuery as UnscannedQuery
from stationdesk.store.unscanned import count as count
from stationdesk.store.unscanned import last_page as last_page
from stationdesk.store.unscanned import page as page
from stationdesk.store.unscanned import stream as stream


# (key, heading, width in cells for the table format). Exports use the same keys and headings.
REPORT_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("order_time", "下单时间", 16), ("logistics_no", "物流号", 18), ("waybill_no", "运单号", 15),
    ("status_label", "状态", 8), ("time_left", "剩余", 9), ("overdue", "超时", 4),
    ("channel_label", "线上/线下", 9), ("source", "数据来源", 10), ("business_type_label", "业务类型", 10),
    ("pickup_deadline", "揽收时限", 16), ("minutes_left", "剩余分钟", 8), ("minutes_overdue", "超时分钟", 8),
    ("sender_name", "寄件人", 8), ("sender_phone", "电话", 11), ("sender_district", "区县", 8),
    ("sender_address", "地址", 24),
)


def unscanned_report(desk: Desk, q: UnscannedQuery, *, reveal_to: Operator | None = None) -> Iterator[dict[str, Any]]:
    """The report's rows, streamed: a read transaction stays open until the caller has them all.

    With ``reveal_to`` the phones are shown in full: that operator needs the full-phones
    permission, and every order of the report is written to the access log before a row is given.
    """
    if reveal_to is not None:
        reveal_to.require(Permission.FULL_PHONES)
        if not reveal_to.name:
            raise InvalidInput("err.full_phones_operator")
        now = desk.now()
        with desk.db.read() as conn:
            rows = list(stream(conn, q))  # a day's unscanned orders: a handful
        from stationdesk.services.operators import record_access  # a write: only when phones are shown

        record_access(desk, reveal_to.name, [r["id"] for r in rows], "phone")
        return iter([unscanned_row(row, now, desk.config.tz, full_phone=True) for row in rows])
    return _masked_report(desk, q)


def _masked_report(desk: Desk, q: UnscannedQuery) -> Iterator[dict[str, Any]]:
    now, tz = desk.now(), desk.config.tz
    with desk.db.read() as conn:
        for row in stream(conn, q):
            yield unscanned_row(row, now, tz)


def unscanned_count(desk: Desk, q: UnscannedQuery) -> int:
    with desk.db.read() as conn:
        return count(conn, q)
