"""The audit ledger's figures.

- Station, on the seeded database (1,000,000 orders over 14 days): the week's violations report
  (every row of the last full week, as `report violations` builds them) and the F8 screen's data
  (weeks, month, refunds, notices, 14-day chart), each beside raw sqlite3 running the very
  statements the product ran (captured with sqlite3's trace callback) on the same file and reading
  every row. The limit is 2x raw.
- Head office, on a PostgreSQL this script starts on 127.0.0.1: `close-week` over 1,000 stations
  and 1,000,000 orders in the week (5% still waiting, 5% accepted and never picked up, 5% answered
  late), against the limit of one minute.

    .venv/bin/python benchmarks/bench_audit.py [--orders 1000000] [--hq-orders 1000000] [--stations 1000]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import CACHE_DIR, NO_CONFIG, Line, Timing, cache_path, connect_raw, copy_db, fmt_time, machine, \
    make_importable, print_table, remove_db

make_importable()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' PostgreSQL starter

from build_db import ensure_db  # noqa: E402


def time_it(fn, reps: int) -> Timing:  # noqa: ANN001
    fn()  # warm
    samples = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return Timing(samples)


def captured(desk, fn):  # noqa: ANN001, ANN201
    """The SQL statements ``fn`` runs on the desk's read connections, with their values filled in."""
    fn()  # the read connections it uses are now open and idle
    statements: list[str] = []
    drivers = [c.connection.driver_connection for c in desk.db._idle]  # noqa: SLF001
    for d in drivers:
        d.set_trace_callback(statements.append)
    try:
        fn()
    finally:
        for d in drivers:
            d.set_trace_callback(None)
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def bench_station(path: Path, reps: int) -> list[Line]:
    from stationdesk.bootstrap import open_desk
    from stationdesk.services.violations import violation_rows
    from stationdesk.tui.screens.supervisor import load_picture

    raw = connect_raw(path)
    last = raw.execute("SELECT max(order_time) FROM orders").fetchone()[0]
    desk = open_desk(path, NO_CONFIG, clock=lambda: datetime.fromisoformat(last))
    try:
        today = desk.now().astimezone(desk.config.tz).date()
        monday = today - timedelta(days=today.weekday() + 7)  # the last full week
        sunday = monday + timedelta(days=6)

        def report() -> int:
            return len(violation_rows(desk, monday, sunday))

        def picture() -> int:
            p = load_picture(desk)
            return len(p.days) + len(p.notices)

        lines = []
        for name, fn in ((f"week's violations report {monday}~{sunday} ({report():,} rows)", report),
                         ("F8 supervisor screen data", picture)):
            sql = captured(desk, fn)

            def raw_run(sql=sql) -> int:  # noqa: ANN001
                raw.execute("BEGIN")
                try:
                    return sum(len(raw.execute(s).fetchall()) for s in sql)
                finally:
                    raw.execute("COMMIT")

            p, r = time_it(fn, reps), time_it(raw_run, reps)
            ratio = p.median / r.median
            lines.append(Line(name, fmt_time(p.median), "2.0x raw", f"{ratio:.2f}x raw ({fmt_time(r.median)})",
                              ratio <= 2.0))
        return lines
    finally:
        desk.db.dispose()
        raw.close()


WEEK = "2026-W48"
WEEK_START = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # Monday 00:00 in Beijing


def fill_head_office(engine, orders: int, stations: int) -> None:  # noqa: ANN001
    """Stations, a week of orders and the violations their stations' ops recorded, written by SQL."""
    from sqlalchemy import text

    seconds = 7 * 86400 - 3600
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM hq_station"))
        conn.execute(text(
            "INSERT INTO hq_station (code, name, province, districts, kind, first_level) "
            "SELECT 'S' || lpad(i::text, 4, '0'), '网点' || i, '省' || (i % 31), 'D' || i, 'station', true "
            "FROM generate_series(1, :n) i"), {"n": stations})
        conn.execute(text(
            "INSERT INTO hq_station (code, name, province, districts, kind, first_level) "
            "VALUES ('DC', '数据中心', '-', '', 'datacenter', false)"))
        # status by i % 20: 0 waiting, 1 accepted (never picked up), 2 cancelled, 3 answered late, else picked up
        conn.execute(text("""
            INSERT INTO hq_order (source, logistics_no, channel, business_type, order_time, sender_name, sender_phone,
                sender_province, sender_city, sender_district, sender_address, note, goods, station_code, out_of_area,
                status, cancelled, cancel_handled, accepted_at, picked_up_at, version, created_at, updated_at)
            SELECT '淘宝', 'LP' || lpad(i::text, 10, '0'), 'online', CASE WHEN i % 2 = 0 THEN 'send_parcel' ELSE 'online_order' END,
                   :start + (i::bigint * :secs / :n) * interval '1 second', '张三', '13800000000', '省', '市',
                   'D' || ((i / 20) % :s + 1), '路', '', '文件', 'S' || lpad(((i / 20) % :s + 1)::text, 4, '0'), false,
                   CASE i % 20 WHEN 0 THEN 'waiting' WHEN 1 THEN 'accepted' WHEN 2 THEN 'cancelled' ELSE 'picked_up' END,
                   i % 20 = 2, false,
                   CASE WHEN i % 20 IN (0, 2) THEN NULL
                        ELSE :start + (i::bigint * :secs / :n) * interval '1 second'
                             + CASE WHEN i % 20 = 3 THEN interval '45 minutes' ELSE interval '10 minutes' END END,
                   CASE WHEN i % 20 >= 3 THEN :start + (i::bigint * :secs / :n) * interval '1 second' + interval '3 hours' END,
                   3, now(), now()
            FROM generate_series(1, :n) i"""), {"start": WEEK_START, "secs": seconds, "n": orders, "s": stations})
        conn.execute(text("""
            INSERT INTO hq_violation (order_id, station_code, kind, fine, deadline, at, state, origin, created_at)
            SELECT id, station_code, 'late_accept', 100, order_time + interval '30 minutes', accepted_at,
                   'provisional', 'op', now()
            FROM hq_order WHERE accepted_at > order_time + interval '30 minutes'"""))
        conn.execute(text("ANALYZE"))


def bench_close_week(orders: int, stations: int) -> list[Line]:
    from sqlalchemy import func, select

    from stationdesk.sync import hq_audit, hq_schema
    from stationdesk.sync.hq_tables import HQ_VIOLATIONS
    from tests.sync.conftest import PGServer

    server = PGServer()
    server.start()
    try:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute('CREATE DATABASE "bench_audit"')
        engine = hq_schema.connect(f"{server.url}/bench_audit")
        hq_schema.upgrade(engine)
        t = time.perf_counter()
        fill_head_office(engine, orders, stations)
        print(f"# head office filled: {stations:,} stations, {orders:,} orders in {WEEK} "
              f"({fmt_time(time.perf_counter() - t)})", flush=True)
        t = time.perf_counter()
        report = hq_audit.close_week(engine, WEEK, WEEK_START + timedelta(days=7, hours=9))
        elapsed = time.perf_counter() - t
        with engine.connect() as c:
            total = c.execute(select(func.count()).select_from(HQ_VIOLATIONS)).scalar_one()
        engine.dispose()
        fines = sum(n["total_fine"] for n in report.notices)
        return [Line(f"close-week: {stations:,} stations, {orders:,} orders, {total:,} violations, "
                     f"{len(report.notices):,} notices", fmt_time(elapsed), "< 60 s",
                     f"{elapsed / 60:.2f}x limit; {report.recorded_at_close:,} open at the close, {fines:,} yuan",
                     elapsed < 60)]
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orders", type=int, default=1_000_000, help="orders in the seeded station database")
    ap.add_argument("--hq-orders", type=int, default=1_000_000, help="orders of the week at head office")
    ap.add_argument("--stations", type=int, default=1_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--skip-hq", action="store_true")
    ap.add_argument("--skip-station", action="store_true")
    args = ap.parse_args()
    lines = [] if args.skip_station else station_lines(args)
    if not args.skip_hq:
        lines += bench_close_week(args.hq_orders, args.stations)
    print_table(lines)


def station_lines(args: argparse.Namespace) -> list[Line]:
    source = ensure_db(cache_path(args.orders), args.orders)
    work = CACHE_DIR / f"audit_work_{source.stem}.db"
    print(f"# {machine()}\n# copying {source.name} (the cached file is only read) ...", flush=True)
    copy_db(source, work)
    try:
        from stationdesk.bootstrap import open_desk

        t = time.perf_counter()
        open_desk(work, NO_CONFIG).db.dispose()  # any schema upgrade outside the timings
        print(f"# schema upgrade on the copy: {fmt_time(time.perf_counter() - t)}", flush=True)
        return bench_station(work, args.reps)
    finally:
        remove_db(work)


if __name__ == "__main__":
    main()
