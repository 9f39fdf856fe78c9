"""The core figures on a seeded station database, each beside raw sqlite3 doing the same work on the
same file in the same run:

    python benchmarks/bench_core.py [--orders N]

- lookup by waybill no.       recording.find in a read transaction     limit: within 2x raw
- a page of 50 by date range   queries.page at three points of a week   limit: within 2x raw
- batch accept of 1,000        accept.accept (update + event + outbox)  limit: under 250 ms
- import of 100k feed rows     feed_import.import_feed                  limit: 20,000 rows/s or more

The seeded database is built once and cached (benchmarks/build_db.py). Benchmarks that write
work on fresh copies of it, so every run starts from the same file. The verdict of each line
uses the median; p95 is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_db import ensure_db  # noqa: E402
from common import (  # noqa: E402
    CACHE_DIR, NO_CONFIG, Line, Timing, cache_path, connect_raw, copy_db, feed_rows, fmt_time, machine,
    make_importable, print_table, remove_db, size_label, write_feed,
)

make_importable()

from stationdesk.bootstrap import open_desk  # noqa: E402
from stationdesk.services.accept import accept  # noqa: E402
from stationdesk.services.context import Desk  # noqa: E402
from stationdesk.services.feed_import import import_feed  # noqa: E402
from stationdesk.services.recording import find  # noqa: E402
from stationdesk.store.queries import page  # noqa: E402
from stationdesk.store.values import UTC_FORMAT, Cursor, OrderFilter  # noqa: E402
from stationdesk.domain.sla import HQ_DISPATCH_PREFIX  # noqa: E402

RATIO_LIMIT = 2.0
ACCEPT_LIMIT_S = 0.250
IMPORT_LIMIT_ROWS_S = 20_000
ACCEPT_BATCH = 1_000
FIGURES = ("lookup", "page", "accept", "import")


def _open(path: Path) -> Desk:
    return open_desk(path, config_path=NO_CONFIG)


def _stored(t: datetime) -> str:
    """A time as the database stores it (UTC text); the raw side writes its parameters this way."""
    return t.astimezone(UTC).strftime(UTC_FORMAT)


def _time_ordered_id(now: datetime) -> str:
    """An op id for the raw side: a UUID in the version 7 layout (48-bit milliseconds, then random).

    Random uuid4 ids scatter inserts over the whole op_id index; time-ordered ones append. The raw
    side does the plain thing well, so the ratio shows what the product's own choices cost.
    """
    value = (int(now.timestamp() * 1000) & (1 << 48) - 1) << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76
    value = value & ~(0x3 << 62) | 0x2 << 62
    return str(uuid.UUID(int=value))


def _pair(product, raw, rounds: int) -> tuple[Timing, Timing]:  # noqa: ANN001
    """Time ``product()`` and ``raw()`` alternately, ``rounds`` times each; who goes first alternates too."""
    p, r = [], []
    for i in range(rounds):
        first, second = (product, raw) if i % 2 == 0 else (raw, product)
        a = _clock(first)
        b = _clock(second)
        p.append(a if first is product else b)
        r.append(b if first is product else a)
    return Timing(p), Timing(r)


def _clock(fn) -> float:  # noqa: ANN001
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _ratio_line(figure: str, p: Timing, r: Timing) -> Line:
    ratio = p.median / r.median
    return Line(figure, f"{fmt_time(p.median)} (p95 {fmt_time(p.p95)}) vs raw {fmt_time(r.median)} (p95 {fmt_time(r.p95)})",
                f"<= {RATIO_LIMIT:g}x raw", f"{ratio:.2f}x", ratio <= RATIO_LIMIT)


def _report(name: str, p: Timing, r: Timing) -> None:
    print(f"  {name:<34} product median {fmt_time(p.median):>9}  p95 {fmt_time(p.p95):>9}   "
          f"raw median {fmt_time(r.median):>9}  p95 {fmt_time(r.p95):>9}   x{p.median / r.median:.2f}  (n={p.n})")


# --- lookup by waybill number --------------------------------------------------------------------

def bench_lookup(path: Path, keys: int, passes: int) -> list[Line]:
    """recording.find(conn, waybill) in a read transaction vs the same two SELECTs on a sqlite3 connection."""
    print(f"\nlookup by waybill no.: {keys:,} numbers x {passes} passes")
    desk = _open(path)
    raw = connect_raw(path)
    try:
        numbers = _sample_waybills(raw, keys)

        def product(number: str):  # noqa: ANN202
            with desk.db.read() as conn:
                return find(conn, number)

        def raw_find(number: str):  # noqa: ANN202
            raw.execute("BEGIN")
            try:
                rows = raw.execute("SELECT * FROM orders WHERE logistics_no = ?", (number,)).fetchall()
                if not rows:
                    rows = raw.execute("SELECT * FROM orders WHERE waybill_no = ?", (number,)).fetchall()
            finally:
                raw.execute("COMMIT")
            if len(rows) != 1:
                raise LookupError(number)
            return rows[0]

        for number in numbers:  # warm up both, and check they find the same order
            if product(number)["id"] != raw_find(number)[0]:
                raise AssertionError(f"product and raw found different orders for {number}")
        p, r = [], []
        for pass_no in range(passes):
            for k, number in enumerate(numbers):
                # who goes first alternates from one number to the next
                if (k + pass_no) % 2 == 0:
                    p.append(_clock(lambda n=number: product(n)))
                    r.append(_clock(lambda n=number: raw_find(n)))
                else:
                    r.append(_clock(lambda n=number: raw_find(n)))
                    p.append(_clock(lambda n=number: product(n)))
        tp, tr = Timing(p), Timing(r)
        _report("find(waybill)", tp, tr)
        return [_ratio_line("lookup by waybill no.", tp, tr)]
    finally:
        raw.close()
        desk.db.dispose()


def _sample_waybills(raw: sqlite3.Connection, count: int) -> list[str]:
    """``count`` waybill numbers spread over the whole table, the same ones every run."""
    top = raw.execute("SELECT max(id) FROM orders").fetchone()[0]
    rng = random.Random(11)
    numbers: list[str] = []
    while len(numbers) < count:
        ids = [rng.randint(1, top) for _ in range(count)]
        marks = ",".join("?" * len(ids))
        numbers += [n for (n,) in raw.execute(f"SELECT waybill_no FROM orders WHERE id IN ({marks}) AND waybill_no IS NOT NULL", ids)]
    return numbers[:count]


# --- a page of 50 by date range ------------------------------------------------------------------

def bench_pages(path: Path, reps: int) -> list[Line]:
    """queries.page over one week of orders: the first page, a page deep in the week, and a page back from there."""
    desk = _open(path)
    raw = connect_raw(path)
    try:
        start, end = _a_full_week(raw, desk)
        s, e = _stored(start), _stored(end)
        in_range = raw.execute("SELECT count(*) FROM orders WHERE order_time >= ? AND order_time < ?", (s, e)).fetchone()[0]
        print(f"\npage of 50: {start:%Y-%m-%d} to {end:%Y-%m-%d} (station time, end exclusive), "
              f"{in_range:,} orders in range, {reps} repetitions per point")
        f = OrderFilter(start=start, end=end)

        def cursor_at(offset: int) -> Cursor:
            t, i = raw.execute("SELECT order_time, id FROM orders WHERE order_time >= ? AND order_time < ?"
                               " ORDER BY order_time, id LIMIT 1 OFFSET ?", (s, e, offset)).fetchone()
            return Cursor(datetime.strptime(t, UTC_FORMAT).replace(tzinfo=UTC), i)

        deep = cursor_at(int(in_range * 0.9))
        back = cursor_at(int(in_range * 0.5))
        ds, bs = _stored(deep.order_time), _stored(back.order_time)

        def product_page(flt: OrderFilter, **kw) -> list:  # noqa: ANN003
            with desk.db.read() as conn:
                return page(conn, flt, limit=50, **kw)

        points = [
            ("page of 50, first page",
             lambda: product_page(f),
             # the whole week, from its start
             ("SELECT * FROM orders WHERE order_time >= ? AND order_time < ?"
              " ORDER BY order_time, id LIMIT 50", (s, e), False)),
            ("page of 50, after a cursor at 90%",
             lambda: product_page(f, after=deep),
             # the week from the cursor on: the range's start is below the cursor, so the seek starts at the cursor
             ("SELECT * FROM orders WHERE order_time >= ? AND order_time < ?"
              " AND (order_time > ? OR (order_time = ? AND id > ?))"
              " ORDER BY order_time, id LIMIT 50", (ds, e, ds, ds, deep.id), False)),
            ("page of 50, before a cursor at 50%",
             lambda: product_page(f, before=back),
             # paging up: the week up to the cursor, newest first, shown oldest first
             ("SELECT * FROM orders WHERE order_time >= ? AND order_time <= ?"
              " AND (order_time < ? OR (order_time = ? AND id < ?))"
              " ORDER BY order_time DESC, id DESC LIMIT 50", (s, bs, bs, bs, back.id), True)),
        ]

        lines = []
        for name, product, (sql, params, reverse) in points:
            def raw_page(sql=sql, params=params, reverse=reverse) -> list:  # noqa: ANN001
                raw.execute("BEGIN")
                try:
                    rows = raw.execute(sql, params).fetchall()
                finally:
                    raw.execute("COMMIT")
                return rows[::-1] if reverse else rows

            got, want = [r["id"] for r in product()], [r[0] for r in raw_page()]
            if got != want or len(got) != 50:
                raise AssertionError(f"{name}: product and raw returned different pages")
            tp, tr = _pair(product, raw_page, reps)
            _report(name.removeprefix("page of 50, "), tp, tr)
            lines.append(_ratio_line(name, tp, tr))
        return lines
    finally:
        raw.close()
        desk.db.dispose()


def _a_full_week(raw: sqlite3.Connection, desk: Desk) -> tuple[datetime, datetime]:
    """The seven whole station-time days before the day of the newest order: a date filter a clerk would set."""
    newest = raw.execute("SELECT max(order_time) FROM orders").fetchone()[0]
    local = datetime.strptime(newest, UTC_FORMAT).replace(tzinfo=UTC).astimezone(desk.config.tz)
    end = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return end - timedelta(days=7), end


# --- batch accept of 1,000 -----------------------------------------------------------------------

def bench_accept(src: Path, work: Path, runs: int) -> list[Line]:
    """accept.accept of 1,000 waiting orders vs raw sqlite3 writing the same update, events and outbox ops.

    The waiting orders are real: a feed of fresh in-area orders is imported into a copy of the
    database first (not timed), so each order has its import event and outbox op and version 1,
    as a clerk's list of waiting orders would.
    """
    db = copy_db(src, work / "accept.db")
    desk = _open(db)
    raw = connect_raw(db)
    try:
        fresh = runs * 2 * ACCEPT_BATCH
        print(f"\nbatch accept of {ACCEPT_BATCH:,}: importing {fresh:,} fresh waiting orders into a copy (not timed)")
        feed = write_feed(work / "accept_feed.csv", feed_rows(fresh, tag="A", now=desk.now(), seed=3,
                                                              in_area_only=True, span_minutes=20))
        top = raw.execute("SELECT max(id) FROM orders").fetchone()[0]
        report = import_feed(desk, feed)
        if report.imported != fresh or report.rejected:
            raise AssertionError(f"setup import: {report.imported} imported, {report.rejected[:3]}")
        ids = [i for (i,) in raw.execute(
            "SELECT id FROM orders WHERE id > ? AND status = 'waiting' AND out_of_area = 0 ORDER BY id", (top,))]
        if len(ids) != fresh:
            raise AssertionError(f"expected {fresh} waiting orders, found {len(ids)}")
        blocks = [ids[i : i + ACCEPT_BATCH] for i in range(0, fresh, ACCEPT_BATCH)]
        counts_before = _counts(raw)
        p, r = [], []
        for run in range(runs):
            mine, theirs = blocks[2 * run], blocks[2 * run + 1]
            steps = [("p", mine), ("r", theirs)] if run % 2 == 0 else [("r", theirs), ("p", mine)]
            for who, block in steps:
                if who == "p":
                    p.append(_clock(lambda b=block: accept(desk, b, "bench")))
                else:
                    r.append(_clock(lambda b=block: _raw_accept(raw, b, "bench", desk.station.code, desk.now())))
        _check_accepted(raw, blocks, counts_before, runs)
        tp, tr = Timing(p), Timing(r)
        _report(f"accept {ACCEPT_BATCH:,}", tp, tr)
        return [Line(f"batch accept of {ACCEPT_BATCH:,}",
                     f"{fmt_time(tp.median)} (p95 {fmt_time(tp.p95)}) vs raw {fmt_time(tr.median)}",
                     f"< {ACCEPT_LIMIT_S * 1000:.0f} ms", f"{tp.median / tr.median:.2f}x", tp.median < ACCEPT_LIMIT_S)]
    finally:
        raw.close()
        desk.db.dispose()


def _raw_accept(raw: sqlite3.Connection, ids: list[int], operator: str, station: str, now: datetime) -> None:
    """What accept writes, by hand: read the orders, check them, update them, one event and one outbox op each."""
    stamp = _stored(now)
    raw.execute("BEGIN IMMEDIATE")
    try:
        marks = ",".join("?" * len(ids))
        rows = raw.execute(f"SELECT id, version, status, out_of_area, source, logistics_no FROM orders WHERE id IN ({marks})",
                           ids).fetchall()
        if len(rows) != len(ids) or any(st != "waiting" or out for _, _, st, out, _, _ in rows):
            raise AssertionError("raw accept: not every order is waiting and in area")
        next_event = (raw.execute("SELECT max(id) FROM order_event").fetchone()[0] or 0) + 1
        next_outbox = (raw.execute("SELECT max(id) FROM outbox").fetchone()[0] or 0) + 1
        next_seq = (raw.execute("SELECT max(seq) FROM outbox WHERE station_code = ?", (station,)).fetchone()[0] or 0) + 1
        updates, events, ops = [], [], []
        for k, (oid, version, status, _, source, logistics_no) in enumerate(rows):
            changes = {"accepted_at": [None, stamp], "status": [status, "accepted"]}
            details = json.dumps({"changes": changes}, ensure_ascii=False, sort_keys=True)
            payload = json.dumps({"action": "accept", "source": source, "logistics_no": logistics_no, "operator": operator,
                                  "at": stamp, "before_status": status, "after_status": "accepted",
                                  "base_version": version, "changes": changes}, ensure_ascii=False, sort_keys=True)
            updates.append(("accepted", stamp, version + 1, stamp, oid, version))
            events.append((next_event + k, oid, version + 1, "accept", operator, stamp, status, "accepted", details))
            ops.append((next_outbox + k, _time_ordered_id(now), station, next_seq + k, next_event + k, oid, version + 1,
                        "accept", payload, stamp))
        cur = raw.executemany("UPDATE orders SET status = ?, accepted_at = ?, version = ?, updated_at = ?"
                              " WHERE id = ? AND version = ?", updates)
        if cur.rowcount != len(updates):
            raise AssertionError("raw accept: an order changed meanwhile")
        raw.executemany("INSERT INTO order_event (id, order_id, version, action, operator, at, before_status,"
                        " after_status, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
        raw.executemany("INSERT INTO outbox (id, op_id, station_code, seq, event_id, order_id, order_version, action,"
                        " payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ops)
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise


def _counts(raw: sqlite3.Connection) -> tuple[int, int, int]:
    return tuple(raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("orders", "order_event", "outbox"))


def _check_accepted(raw: sqlite3.Connection, blocks: list[list[int]], before: tuple[int, int, int], runs: int) -> None:
    """Both sides did all their work: every order accepted at version 2, one event and one op per order."""
    used = [i for b in blocks[: 2 * runs] for i in b]
    marks = ",".join("?" * len(used))
    accepted = raw.execute(f"SELECT count(*) FROM orders WHERE id IN ({marks}) AND status = 'accepted' AND version = 2"
                           " AND accepted_at IS NOT NULL", used).fetchone()[0]
    events = raw.execute(f"SELECT count(*) FROM order_event WHERE order_id IN ({marks}) AND action = 'accept'", used).fetchone()[0]
    ops = raw.execute(f"SELECT count(*) FROM outbox WHERE order_id IN ({marks}) AND action = 'accept'", used).fetchone()[0]
    after = _counts(raw)
    if not accepted == events == ops == len(used) or after[1] - before[1] != len(used) or after[2] - before[2] != len(used):
        raise AssertionError(f"accept check: {accepted} accepted, {events} events, {ops} ops for {len(used)} orders")


# --- import of 100k feed rows --------------------------------------------------------------------

def bench_import(src: Path, work: Path, rows: int, runs: int) -> list[Line]:
    """feed_import.import_feed of a generated CSV vs raw sqlite3 inserting the same orders, events and ops."""
    desk = _open(src)
    now, batch, station = desk.now(), desk.config.import_.batch_size, desk.station
    routes: dict[str, str] = {}
    for s in desk.directory:
        for d in s.districts if not s.is_datacenter else ():
            routes.setdefault(d, s.code)
    fallback = desk.directory.datacenter.code if desk.directory.datacenter else None
    desk.db.dispose()
    feed = write_feed(work / "import_feed.csv", feed_rows(rows, tag="F", now=now, seed=5))
    print(f"\nimport of {rows:,} feed rows ({feed.stat().st_size / 2**20:.1f} MiB CSV), {runs} run{'s' if runs != 1 else ''},"
          f" each on a fresh copy, batches of {batch:,}")
    p, r = [], []
    for run in range(runs):
        db = copy_db(src, work / "import_product.db")
        desk = _open(db)
        try:
            start = time.perf_counter()
            report = import_feed(desk, feed)
            p.append(time.perf_counter() - start)
        finally:
            desk.db.dispose()
        if report.imported != rows or report.rejected:
            raise AssertionError(f"import: {report.imported} imported, rejected {report.rejected[:3]}")
        other = copy_db(src, work / "import_raw.db")
        raw = connect_raw(other)
        try:
            start = time.perf_counter()
            _raw_import(raw, feed, batch, station.code, set(station.districts), routes, fallback)
            r.append(time.perf_counter() - start)
        finally:
            raw.close()
        if run == 0:
            _check_same_import(db, other)
        print(f"  run {run + 1}: product {rows / p[-1]:>9,.0f} rows/s ({p[-1]:.2f} s)   raw {rows / r[-1]:>9,.0f} rows/s ({r[-1]:.2f} s)")
    tp, tr = Timing(p), Timing(r)
    rate, raw_rate = rows / tp.median, rows / tr.median
    print(f"  median: product {rate:,.0f} rows/s, worst run {rows / max(p):,.0f} rows/s; raw {raw_rate:,.0f} rows/s")
    return [Line(f"import of {size_label(rows)} feed rows", f"{rate:,.0f} rows/s ({fmt_time(tp.median)}) vs raw {raw_rate:,.0f} rows/s",
                 f">= {IMPORT_LIMIT_ROWS_S:,} rows/s", f"{tp.median / tr.median:.2f}x", rate >= IMPORT_LIMIT_ROWS_S)]


def _raw_import(raw: sqlite3.Connection, feed: Path, batch: int, home: str, home_districts: set[str],  # noqa: PLR0913
                routes: dict[str, str], fallback: str | None) -> None:
    """The same rows inserted by hand: parse the CSV, store times as UTC text, route by district, write
    order + event + op per row with executemany, one transaction per batch. No validation beyond that."""
    import csv

    with feed.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        chunk: list[tuple[int, dict[str, str]]] = []
        for line, rec in enumerate(reader, start=2):
            chunk.append((line, rec))
            if len(chunk) == batch:
                _raw_import_batch(raw, chunk, home, home_districts, routes, fallback, feed.name)
                chunk = []
        if chunk:
            _raw_import_batch(raw, chunk, home, home_districts, routes, fallback, feed.name)


def _raw_import_batch(raw: sqlite3.Connection, chunk: list[tuple[int, dict[str, str]]], home: str,  # noqa: PLR0913
                      home_districts: set[str], routes: dict[str, str], fallback: str | None, file_name: str) -> None:
    raw.execute("BEGIN IMMEDIATE")
    now = datetime.now(UTC)
    stamp = _stored(now)
    try:
        next_id = (raw.execute("SELECT max(id) FROM orders").fetchone()[0] or 0) + 1
        next_event = (raw.execute("SELECT max(id) FROM order_event").fetchone()[0] or 0) + 1
        next_outbox = (raw.execute("SELECT max(id) FROM outbox").fetchone()[0] or 0) + 1
        next_seq = (raw.execute("SELECT max(seq) FROM outbox WHERE station_code = ?", (home,)).fetchone()[0] or 0) + 1
        orders, events, ops = [], [], []
        for k, (line, v) in enumerate(chunk):
            oid = next_id + k
            district = v["sender_district"]
            # an order head office's 电商 team dispatched here is the station's (domain/ledger.person_routed_in)
            routed_in = bool(v["dispatch_time"]) and v["dispatch_operator"].strip().startswith(HQ_DISPATCH_PREFIX)
            out = district not in home_districts and not routed_in
            # the directory's view stays as a note on a routed-in order
            suggested = (routes.get(district) or fallback) if district not in home_districts else None
            cancelled = v["cancelled"] == "1"
            status = "cancelled" if cancelled else "waiting"
            order_time = _stored(datetime.fromisoformat(v["order_time"]))
            dispatch_time = _stored(datetime.fromisoformat(v["dispatch_time"])) if v["dispatch_time"] else None
            channel = "online" if v["channel"] == "线上" else "offline"
            business = "online_order" if v["business_type"] == "在线下单" else "send_parcel"
            stored = {**v, "channel": channel, "business_type": business, "order_time": order_time,
                      "dispatch_time": dispatch_time, "waybill_no": v["waybill_no"] or None, "cancelled": cancelled}
            orders.append((oid, v["source"], v["logistics_no"], channel, business, order_time, v["sender_name"],
                           v["sender_phone"], v["sender_province"], v["sender_city"], district, v["sender_address"],
                           v["note"], v["goods"], v["waybill_no"] or None, dispatch_time, v["dispatch_operator"] or None,
                           home, out, suggested, status, cancelled, stamp if cancelled else None, False, 1, stamp, stamp))
            events.append((next_event + k, oid, 1, "import", "feed", stamp, None, status,
                           json.dumps({"origin": "feed", "file": file_name, "line": line}, ensure_ascii=False)))
            payload = json.dumps({"action": "import", "order": stored, "after_status": status, "operator": "feed",
                                  "at": stamp}, ensure_ascii=False, sort_keys=True)
            ops.append((next_outbox + k, _time_ordered_id(now), home, next_seq + k, next_event + k, oid, 1, "import",
                        payload, stamp))
        raw.executemany(
            "INSERT INTO orders (id, source, logistics_no, channel, business_type, order_time, sender_name, sender_phone,"
            " sender_province, sender_city, sender_district, sender_address, note, goods, waybill_no, dispatch_time,"
            " dispatch_operator, station_code, out_of_area, suggested_station, status, cancelled, cancelled_at,"
            " cancel_handled, version, created_at, updated_at) VALUES (" + ", ".join("?" * 27) + ")", orders)
        raw.executemany("INSERT INTO order_event (id, order_id, version, action, operator, at, before_status,"
                        " after_status, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
        raw.executemany("INSERT INTO outbox (id, op_id, station_code, seq, event_id, order_id, order_version, action,"
                        " payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ops)
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise


def _check_same_import(product_db: Path, raw_db: Path) -> None:
    """The raw side stored what the product stored (so the comparison is like for like)."""
    cols = ("id, source, logistics_no, channel, business_type, order_time, sender_district, waybill_no, dispatch_time,"
            " station_code, out_of_area, suggested_station, status, cancelled, version")
    conn = sqlite3.connect(product_db)
    try:
        conn.execute("ATTACH DATABASE ? AS other", (str(raw_db),))
        differ = conn.execute(f"SELECT count(*) FROM (SELECT {cols} FROM orders EXCEPT SELECT {cols} FROM other.orders)").fetchone()[0]
        counts = [conn.execute(f"SELECT (SELECT count(*) FROM {t}) - (SELECT count(*) FROM other.{t})").fetchone()[0]
                  for t in ("orders", "order_event", "outbox")]
    finally:
        conn.close()
    if differ or any(counts):
        raise AssertionError(f"raw import differs from the product's: {differ} orders differ, count differences {counts}")


# --- main ----------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Core benchmarks against raw sqlite3 (see benchmarks/README.md).")
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders in the seeded database (default 1,000,000)")
    parser.add_argument("--lookups", type=int, default=2_000, help="waybill numbers to look up (default 2,000)")
    parser.add_argument("--lookup-passes", type=int, default=3, help="passes over those numbers (default 3)")
    parser.add_argument("--page-reps", type=int, default=300, help="repetitions per page position (default 300)")
    parser.add_argument("--accept-runs", type=int, default=10, help="batch accepts per side (default 10)")
    parser.add_argument("--import-rows", type=int, default=100_000, help="feed rows to import (default 100,000)")
    parser.add_argument("--import-runs", type=int, default=3, help="imports per side, each on a fresh copy (default 3)")
    parser.add_argument("--only", default=",".join(FIGURES),
                        help=f"comma-separated subset of {','.join(FIGURES)} (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the working copies under benchmarks/.cache/")
    args = parser.parse_args(argv)
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    if unknown := [name for name in only if name not in FIGURES]:
        parser.error(f"--only: unknown {', '.join(unknown)} (known: {', '.join(FIGURES)})")

    path = ensure_db(cache_path(args.orders), args.orders)
    work = CACHE_DIR / f"work_{size_label(args.orders)}"
    work.mkdir(parents=True, exist_ok=True)
    print(f"stationdesk core benchmarks on {path.name}: {args.orders:,} orders, {path.stat().st_size / 2**20:,.0f} MiB")
    print(machine())
    started = time.perf_counter()
    lines: list[Line] = []
    try:
        if "lookup" in only:
            lines += bench_lookup(path, args.lookups, args.lookup_passes)
        if "page" in only:
            lines += bench_pages(path, args.page_reps)
        if "accept" in only:
            lines += bench_accept(path, work, args.accept_runs)
        if "import" in only:
            lines += bench_import(path, work, args.import_rows, args.import_runs)
    finally:
        if not args.keep:
            for name in ("accept.db", "import_product.db", "import_raw.db"):
                remove_db(work / name)
            for name in ("accept_feed.csv", "import_feed.csv"):
                (work / name).unlink(missing_ok=True)
            if work.exists() and not any(work.iterdir()):
                work.rmdir()
    print(f"\nresults ({args.orders:,} orders, {time.perf_counter() - started:.0f} s; verdicts on the median)")
    print_table(lines)
    failed = [ln.figure for ln in lines if ln.ok is False]
    print(f"\n{len(lines) - len(failed)} of {len(lines)} within their limits" + (f"; over: {', '.join(failed)}" if failed else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
