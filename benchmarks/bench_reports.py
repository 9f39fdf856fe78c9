"""Scan mode and 网点未揽收查询 figures.

- 200 scans queued at once into scan mode (as fast as the input takes them): every one recorded
  and shown; the time until the last is shown, per scan, and scans/s.
- The unscanned report on the seeded database: count and first page for one day (the default
  range), the whole day's rows as the report streams them, and the count over all 14 days, each
  beside raw sqlite3 running the same SQL on the same file.

    .venv/bin/python benchmarks/bench_reports.py [--orders 1000000] [--scans 200] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from common import CACHE_DIR, NO_CONFIG, Line, Timing, cache_path, connect_raw, copy_db, fmt_time, machine, \
    make_importable, print_table, remove_db

make_importable()

from build_db import ensure_db  # noqa: E402


def time_it(fn, reps: int) -> Timing:  # noqa: ANN001
    fn()  # warm
    samples = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return Timing(samples)


def bench_unscanned(path: Path, reps: int) -> list[Line]:
    from stationdesk.bootstrap import open_desk
    from stationdesk.services import unscanned as svc
    from stationdesk.services.unscanned import UnscannedQuery
    from stationdesk.store.values import to_db

    raw = connect_raw(path)
    last = raw.execute("SELECT max(order_time) FROM orders").fetchone()[0]
    desk = open_desk(path, NO_CONFIG)
    try:
        from datetime import datetime

        now = datetime.fromisoformat(last)
        tz = desk.config.tz
        day = UnscannedQuery.today(now, tz)
        fortnight = UnscannedQuery.days(now.astimezone(tz).date() - timedelta(days=14), now.astimezone(tz).date(), tz)
        where = f"WHERE {svc.UNSCANNED_SQL} AND order_time >= ? AND order_time < ?"
        args = (to_db(day.start), to_db(day.end))
        args14 = (to_db(fortnight.start), to_db(fortnight.end))

        def product_first() -> int:
            with desk.db.read() as conn:
                return svc.count(conn, day) + len(svc.page(conn, day, limit=50))

        def raw_first() -> int:
            n = raw.execute(f"SELECT count(*) FROM orders INDEXED BY ix_orders_unscanned {where}", args).fetchone()[0]
            rows = raw.execute(f"SELECT * FROM orders INDEXED BY ix_orders_unscanned {where} "
                               "ORDER BY order_time, id LIMIT 50", args).fetchall()
            return n + len(rows)

        def product_stream() -> int:
            return sum(1 for _ in svc.unscanned_report(desk, day))

        def raw_stream() -> int:
            return len(raw.execute(f"SELECT * FROM orders INDEXED BY ix_orders_unscanned {where} "
                                   "ORDER BY order_time, id", args).fetchall())

        def product_count14() -> int:
            with desk.db.read() as conn:
                return svc.count(conn, fortnight)

        def raw_count14() -> int:
            return raw.execute(f"SELECT count(*) FROM orders INDEXED BY ix_orders_unscanned {where}", args14).fetchone()[0]

        assert product_first() == raw_first() and product_stream() == raw_stream()
        assert product_count14() == raw_count14()
        rows_day, rows_14 = product_stream(), product_count14()
        lines = []
        for name, prod, base, limit in (
            (f"unscanned: count + first page, one day ({rows_day} orders)", product_first, raw_first, 1.0),
            (f"unscanned: whole day as report rows ({rows_day})", product_stream, raw_stream, 1.0),
            (f"unscanned: count over 14 days ({rows_14})", product_count14, raw_count14, 1.0),
        ):
            p, r = time_it(prod, reps), time_it(base, reps)
            lines.append(Line(name, fmt_time(p.median), f"< {limit:.0f} s", f"{p.median / r.median:.1f}x raw",
                              p.median < limit))
        return lines
    finally:
        desk.db.dispose()
        raw.close()


async def _scan_run(path: Path, count: int) -> tuple[float, int, int]:
    from textual import events

    from stationdesk.bootstrap import open_desk
    from stationdesk.tui.app import build_app
    from stationdesk.tui.screens.scan import ScanScreen

    conn = sqlite3.connect(path)
    numbers = [r[0] for r in conn.execute(
        "SELECT waybill_no FROM orders WHERE status = 'accepted' AND waybill_no IS NOT NULL AND scanned_at IS NULL "
        "ORDER BY id LIMIT ?", (count,))]
    conn.close()
    assert len(numbers) == count, f"only {len(numbers)} accepted orders with a waybill"
    desk = open_desk(path, NO_CONFIG)
    app = build_app(desk, operator="bench")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f7")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ScanScreen)
            t = time.perf_counter()
            for number in numbers:
                for ch in number:
                    app.post_message(events.Key(ch, ch))
                app.post_message(events.Key("enter", None))
            while len(screen.entries) < count:
                await asyncio.sleep(0.001)
            elapsed = time.perf_counter() - t
            shown = len(screen.entries)
            ok = sum(e.kind == "picked_up" for e in screen.entries)
            assert [e.waybill for e in screen.entries] == numbers
    finally:
        desk.db.dispose()
    return elapsed, shown, ok


def bench_scans(path: Path, count: int) -> list[Line]:
    elapsed, shown, ok = asyncio.run(_scan_run(path, count))
    conn = sqlite3.connect(path)
    recorded = conn.execute("SELECT count(*), count(DISTINCT waybill_no) FROM scan WHERE operator = 'bench'").fetchone()
    conn.close()
    good = shown == count == ok == recorded[0] == recorded[1]
    return [
        Line(f"{count} scans queued at once: all recorded once and shown", f"{fmt_time(elapsed)}",
             "every scan", f"{recorded[0]} rows", good),
        Line("  per scan (record + show)", fmt_time(elapsed / count), "< 100 ms", f"{count / elapsed:.0f}/s",
             elapsed / count < 0.1),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--scans", type=int, default=200)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep the working copy")
    args = ap.parse_args()
    source = ensure_db(cache_path(args.orders), args.orders)
    work = CACHE_DIR / f"reports_work_{source.stem}.db"
    print(f"# {machine()}\n# copying {source.name} (the cached file is only read) ...", flush=True)
    copy_db(source, work)
    try:
        t = time.perf_counter()
        from stationdesk.bootstrap import open_desk

        open_desk(work, NO_CONFIG).db.dispose()  # schema upgrade (the partial index) outside the timings
        print(f"# schema upgrade on the copy: {fmt_time(time.perf_counter() - t)}", flush=True)
        lines = bench_unscanned(work, args.reps)
        lines += bench_scans(work, args.scans)
    finally:
        if not args.keep:
            remove_db(work)
    print_table(lines)


if __name__ == "__main__":
    main()
