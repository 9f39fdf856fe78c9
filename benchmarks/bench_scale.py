"""Seeding, checking and the supervisor's figures at a million orders, each beside its limit.

    python benchmarks/bench_scale.py [--orders 1000000] [--dir /tmp] [--runs 3] [--skip-full] [--keep]

1. Seed: `stationdesk init` + `stationdesk seed --orders N` as a new process on a new file;
   orders/s, and the bytes the process wrote (/proc/PID/io write_bytes) against the file it
   left (write amplification). Limits: 10,000 orders/s or more; under 3x.
2. `check --quick` as a whole process: first with no check recorded (the last 50,000 events),
   then after a check (nothing new), then after 10,000 more orders. Limit: under 15 s.
3. The full `check` once (unless --skip-full), beside the time it said it would take.
4. F8 (主管报表): the desk (Pilot, headless, 120x40) from F8 pressed to its figures drawn, and the
   peak RSS of that process. Limits: 1 s, 150 MB. Floor: python + sqlite3 running the same
   ledger queries the screen reads.
5. `report violations` for the last whole week as a whole process, beside its floor (python +
   sqlite3 fetching the same ledger rows); limit 2x.

Medians of --runs alternated runs; the load average is printed, since the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import NO_CONFIG, Line, fmt_time, machine, print_table, remove_db  # noqa: E402

VENV_BIN = Path(sys.executable).parent
COMMAND = str(VENV_BIN / "stationdesk")


def _env() -> dict[str, str]:
    env = dict(os.environ, STATIONDESK_OPERATOR="bench")
    env.pop("STATIONDESK_PASSWORD", None)
    return env


def _run(argv: list[str], *, ok: tuple[int, ...] = (0,)) -> tuple[float, int, str]:
    """Seconds, the bytes the process wrote to storage, and its stderr."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
    written = 0
    io = Path(f"/proc/{proc.pid}/io")
    err = b""
    while proc.poll() is None:  # read write_bytes while the process lives: it is gone after
        try:
            written = int(next(ln for ln in io.read_text().splitlines() if ln.startswith("write_bytes")).split()[1])
        except (OSError, StopIteration):
            pass
        time.sleep(0.05)
    err = proc.stderr.read() if proc.stderr else b""
    elapsed = time.perf_counter() - started
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(argv[:4])}: exit {proc.returncode}\n{err.decode(errors='replace')}")
    return elapsed, written, err.decode(errors="replace")


def seed_figures(db: Path, orders: int) -> list[Line]:
    remove_db(db)
    common = ["--db", str(db), "--config", str(NO_CONFIG)]
    _run([COMMAND, "init", "--station", "HZ001", "--db", str(db)])
    # write_bytes is sampled while the process runs: the seed's own last writes (the index build
    # and ANALYZE) come well before it exits, so the last sample holds them
    seconds, written, _ = _run([COMMAND, "seed", "--orders", str(orders), "--seed", "7", *common])
    size = sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())
    rate = orders / seconds
    amp = written / size
    return [
        Line(f"seed --orders {orders:,}", f"{fmt_time(seconds)}, {rate:,.0f} orders/s", ">= 10,000 orders/s",
             f"{rate / 10_000:.2f}x limit", rate >= 10_000),
        Line("seed: bytes written / file", f"{written / 2**30:.2f} GiB / {size / 2**30:.2f} GiB", "< 3x",
             f"{amp:.1f}x", amp < 3),
    ]


def check_figures(db: Path, runs: int, full: bool) -> list[Line]:
    common = ["--db", str(db), "--config", str(NO_CONFIG)]
    lines = []
    forget = "import sqlite3,sys;c=sqlite3.connect(sys.argv[1]);c.execute(\"DELETE FROM meta WHERE key='check.verified'\");c.commit()"
    firsts = []
    for _ in range(runs):
        subprocess.run([sys.executable, "-c", forget, str(db)], check=True)
        firsts.append(_run([COMMAND, "check", "--quick", *common], ok=(0,))[0])
    lines.append(Line("check --quick, none recorded (last 50,000 events)", fmt_time(statistics.median(firsts)),
                      "< 15 s", f"{statistics.median(firsts) / 15:.2f}x limit", statistics.median(firsts) < 15))
    again = [_run([COMMAND, "check", "--quick", *common])[0] for _ in range(runs)]
    lines.append(Line("check --quick after a check (nothing new)", fmt_time(statistics.median(again)), "< 15 s",
                      f"{statistics.median(again) / 15:.2f}x limit", statistics.median(again) < 15))
    _run([COMMAND, "seed", "--orders", "10000", "--seed", "8", *common])
    more = _run([COMMAND, "check", "--quick", *common])[0]
    lines.append(Line("check --quick after 10,000 more orders", fmt_time(more), "< 15 s", f"{more / 15:.2f}x limit",
                      more < 15))
    if full:
        seconds, _, err = _run([COMMAND, "check", *common])
        said = next((ln for ln in err.splitlines() if "takes about" in ln), "(no estimate printed)")
        said = said.split("the full check takes about")[-1].split(";")[0].strip()
        lines.append(Line("check (full)", fmt_time(seconds), f"said: about {said}", "-", None))
    return lines


F8_CHILD = r"""
import asyncio, json, sys, time
from pathlib import Path
from stationdesk.bootstrap import open_desk
from stationdesk.tui.app import build_app
from stationdesk.tui.screens.supervisor import SupervisorScreen

async def main():
    desk = open_desk(Path(sys.argv[1]), config_path=Path(sys.argv[2]))
    app = build_app(desk, operator="bench")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        started = time.perf_counter()
        await pilot.press("f8")
        while not (isinstance(app.screen, SupervisorScreen) and app.screen.picture is not None):
            await asyncio.sleep(0.002)
        await pilot.pause()  # the figures laid out and drawn
        elapsed = time.perf_counter() - started
    desk.db.dispose()
    hwm = next(int(l.split()[1]) for l in Path('/proc/self/status').read_text().splitlines() if l.startswith('VmHWM'))
    print(json.dumps({"seconds": elapsed, "rss_mb": hwm / 1024}))

asyncio.run(main())
"""

F8_FLOOR = r"""
import sqlite3, sys, time
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
lo, hi, station = sys.argv[2], sys.argv[3], "HZ001"
started = time.perf_counter()
c.execute("SELECT kind, count(*), sum(fine) FROM violation WHERE deadline >= ? AND deadline < ? AND station_code = ?"
          " AND state != 'withdrawn' GROUP BY kind", (lo, hi, station)).fetchall()
c.execute("SELECT deadline, kind FROM violation WHERE station_code = ? AND deadline >= ? AND deadline < ?",
          (station, lo, hi)).fetchall()
c.execute("SELECT substr(order_time, 1, 10), count(*) FROM orders WHERE order_time >= ? AND order_time < ? GROUP BY 1",
          (lo, hi)).fetchall()
print(time.perf_counter() - started)
"""


def f8_figures(db: Path, runs: int) -> list[Line]:
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    last = con.execute("SELECT max(order_time) FROM orders").fetchone()[0]
    con.close()
    from datetime import date, timedelta

    hi = date.fromisoformat(last[:10]) + timedelta(days=1)
    lo = hi - timedelta(days=45)  # the floor reads what the screen reads: two weeks, months, 14 days
    seconds, rss, floors = [], [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", F8_CHILD, str(db), str(NO_CONFIG)], check=True,
                             capture_output=True, text=True, env=_env()).stdout
        got = json.loads(out.strip().splitlines()[-1])
        seconds.append(got["seconds"])
        rss.append(got["rss_mb"])
        floors.append(float(subprocess.run([sys.executable, "-c", F8_FLOOR, str(db), f"{lo}", f"{hi}"], check=True,
                                           capture_output=True, text=True).stdout))
    s, m, f = statistics.median(seconds), statistics.median(rss), statistics.median(floors)
    return [
        Line("F8: pressed -> figures drawn", f"{fmt_time(s)} ({fmt_time(min(seconds))}-{fmt_time(max(seconds))})",
             f"< 1 s; floor (its ledger queries, sqlite3) {fmt_time(f)}", f"{s:.2f}x limit", s < 1),
        Line("F8: the desk's peak RSS", f"{m:.0f} MB", "< 150 MB", f"{m / 150:.2f}x limit", m < 150),
    ]


def violations_figure(db: Path, runs: int) -> Line:
    from bench_process import _pick, _utc, paired

    v = _pick(db)
    product = [COMMAND, "report", "violations", "--from", v["week_from"], "--to", v["week_to"], "--db", str(db),
               "--config", str(NO_CONFIG)]
    from stationdesk.store.reads import VIOLATION_REPORT_SQL  # the report's own SQL; the floor imports only sqlite3

    floor = [sys.executable, "-c",
             "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\n"
             "for r in c.execute(sys.argv[4], (sys.argv[2], sys.argv[3], 'HZ001')): print(r)\n",
             str(db), _utc(v["week_from"]), _utc(v["week_to"], 1), VIOLATION_REPORT_SQL]
    xs, ys = paired(product, floor, runs, _env())
    ratio = statistics.median(xs) / statistics.median(ys)
    return Line(f"report violations {v['week_from']}~{v['week_to']}", fmt_time(statistics.median(xs)),
                f"floor (its ledger rows, sqlite3) {fmt_time(statistics.median(ys))}, within 2x", f"{ratio:.1f}x",
                ratio <= 2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp"), help="where the seeded file goes (it is big)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-full", action="store_true", help="leave out the full check (minutes at 1M)")
    ap.add_argument("--keep", action="store_true", help="keep the seeded file")
    ap.add_argument("--db", type=Path, default=None, help="measure this seeded file instead of seeding one")
    args = ap.parse_args(argv)
    if not Path(COMMAND).exists():
        raise SystemExit(f"{COMMAND} not found: run ./dev once to install the command")
    print(f"{machine()}; {args.orders:,} orders; load average at start {os.getloadavg()[0]:.1f}")
    lines: list[Line] = []
    db = args.db or args.dir / f"bench_scale_{args.orders}.db"
    try:
        if args.db is None:
            lines += seed_figures(db, args.orders)
        lines.append(violations_figure(db, args.runs))
        lines += f8_figures(db, args.runs)
        lines += check_figures(db, args.runs, not args.skip_full)
    finally:
        if args.db is None and not args.keep:
            remove_db(db)
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    print()
    print_table(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
