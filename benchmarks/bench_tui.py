"""How the screens feel on a big station database: start-up, key press to repaint, memory.

    python benchmarks/bench_tui.py [DB] [--orders N] [--runs N] [--presses N]

DB defaults to benchmarks/.cache/bench_1m.db (built by benchmarks/build_db.py). When that file
is missing, a smaller database of --orders orders is built here with init_database + seed, and
the script says so. Every figure is printed beside its limit; the start-up is compared with a
bare Textual app started the same way in the same run. Nothing in the database is changed.

Figures:
  cold start      a new process, to the 网点接单 list painted, headless (median of --runs),
                  against a new process running a bare Textual app to its first paint; then
                  the moment the store is open and keys act, and the start that opens the
                  store before drawing, for comparison
  page down       a key arriving to the next page drawn, on 电商订单查询 over the last 7 days (p95)
  filter change   choosing a data source in the query form to the new list drawn (p95)
  peak memory     peak resident set of the process that ran the key presses
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_DB = BENCH_DIR / ".cache" / "bench_1m.db"
NO_CONFIG = BENCH_DIR / ".cache" / "no-config.toml"  # never exists: the documented defaults
SIZE = (120, 40)

LIMIT_START_RATIO = 2.0
LIMIT_KEY_MS = 100.0
LIMIT_MEMORY_MB = 200.0

if str(BENCH_DIR.parent / "src") not in sys.path:
    sys.path.insert(0, str(BENCH_DIR.parent / "src"))


# -- the child processes --------------------------------------------------------------------

# Both apps report the moment the compositor first draws their content, and exit.
BARE_APP = """
import time
from textual.app import App
from textual.widget import Widget
from textual.strip import Strip

class Hello(Widget):
    def render_line(self, y):
        if y == self.size.height - 1:
            print(time.time(), flush=True)
            self.app.call_later(self.app.exit)
        return Strip.blank(self.size.width)

class Bare(App):
    def compose(self):
        yield Hello()

Bare().run(headless=True, size=(120, 40))
"""

# The desk as `stationdesk tui` starts it: drawn from a glance, the store opened after the first
# paint. It reports the first paint of the 网点接单 list (and whether SQLAlchemy was loaded by then)
# and the moment the store is open and keys act. The scheduled jobs stay off: the daily backup
# would copy the whole file.
DESK_APP = """
import json, sys, time
from pathlib import Path
from stationdesk.tui import app as app_mod
from stationdesk.tui.start import open_app
from stationdesk.tui.widgets.order_list import OrderList

marks = {}

def settle(app):
    if "paint" in marks and "ready" in marks:
        app.exit()

draw = OrderList.render_line

def render_line(self, y):
    strip = draw(self, y)
    if "paint" not in marks and self.generation > 0 and y == self.size.height - 1:  # the first page, to its last line
        marks["paint"], marks["sqlalchemy"] = time.time(), "sqlalchemy" in sys.modules
        self.app.call_later(settle, self.app)
    return strip

opened = app_mod.StationDeskApp._store_opened

def store_opened(self):
    opened(self)
    marks["ready"] = time.time()
    self.call_later(settle, self)

OrderList.render_line = render_line
app_mod.StationDeskApp._store_opened = store_opened
open_app(Path(sys.argv[1]), Path(sys.argv[2]), "bench", alerts=False).run(headless=True, size=(120, 40))
print(json.dumps(marks), flush=True)
"""

# The same desk with its store opened before anything is drawn: how every start went before the
# glance, and how one still goes when the store must act first (a migration, ANALYZE).
STORE_FIRST_APP = """
import sys, time
from pathlib import Path
from stationdesk.bootstrap import open_desk
from stationdesk.tui.app import build_app
from stationdesk.tui.widgets.order_list import OrderList

draw = OrderList.render_line

def render_line(self, y):
    strip = draw(self, y)
    if self.generation > 0 and y == self.size.height - 1:
        print(time.time(), flush=True)
        self.app.call_later(self.app.exit)
    return strip

OrderList.render_line = render_line
build_app(open_desk(Path(sys.argv[1]), config_path=Path(sys.argv[2])), operator="bench").run(headless=True, size=(120, 40))
"""


def cold_start(code: str, *args: str) -> float:
    """Seconds from starting a new Python process to the moment it reports its first paint."""
    started = time.time()
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[0]) - started


def desk_start(db: Path) -> dict:
    """The desk's start: seconds to its first paint and to its store open, and whether SQLAlchemy
    was loaded at the first paint."""
    started = time.time()
    out = subprocess.run([sys.executable, "-c", DESK_APP, str(db), str(NO_CONFIG)], check=True,
                         capture_output=True, text=True).stdout
    marks = json.loads(out.strip().splitlines()[-1])
    return {"paint": marks["paint"] - started, "ready": marks["ready"] - started, "sqlalchemy": marks["sqlalchemy"]}


async def _presses(db: str, presses: int) -> dict:
    from textual import events
    from textual.widgets import Select

    from stationdesk.bootstrap import open_desk
    from stationdesk.tui.app import build_app
    from stationdesk.tui.widgets.order_list import OrderList

    desk = open_desk(Path(db), config_path=NO_CONFIG)
    app = build_app(desk, operator="bench")
    app.freeze_at_start = True  # as `stationdesk tui` runs it (tui/start.py): the start's objects frozen out of the collector
    page_ms: list[float] = []
    filter_ms: list[float] = []

    drawn = {"generation": -1, "at": 0.0}

    def watch(lst: OrderList) -> None:
        """Note when the compositor draws the bottom line of the list: the whole page is drawn."""
        draw = lst.render_line

        def render_line(y: int):  # noqa: ANN202
            strip = draw(y)
            if y == lst.size.height - 1:
                drawn["generation"], drawn["at"] = lst.generation, time.perf_counter()
            return strip

        lst.render_line = render_line  # type: ignore[method-assign]

    async def key_to_paint(lst: OrderList, key: str, char: str | None = None) -> float:
        """Milliseconds from a key arriving (as the terminal driver delivers it) to the new page
        of ``lst`` drawn down to its last line."""
        generation, started = lst.generation, time.perf_counter()
        app.post_message(events.Key(key, char))
        while drawn["generation"] <= generation:
            if time.perf_counter() - started > 10:
                raise RuntimeError(f"no new page 10 s after {key} ({app.message[0]})")
            await asyncio.sleep(0.0002)
        return (drawn["at"] - started) * 1000

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        lst = app.screen.query_one(OrderList)
        watch(lst)
        while lst.generation == 0:
            await asyncio.sleep(0.001)
        await pilot.press("enter")  # the search as it opened; the list takes the focus
        await pilot.pause()
        for _ in range(presses):
            page_ms.append(await key_to_paint(lst, "pagedown"))
            await pilot.pause()
        source = app.screen.query_one("#q-source", Select)
        choices = 8  # 全部 and the seven sources
        for i in range(presses):
            source.focus()
            await pilot.press("enter")  # open the pick list
            await pilot.press("down" if (i // (choices - 1)) % 2 == 0 else "up")
            await pilot.pause()
            filter_ms.append(await key_to_paint(lst, "enter", "\r"))  # choose: the list is fetched again
            await pilot.pause()
        rows_on_page = len(lst.views)
    desk.db.dispose()
    return {"page_ms": page_ms, "filter_ms": filter_ms, "peak_mb": peak_rss_mb(), "rows_on_page": rows_on_page}


def peak_rss_mb() -> float:
    """This process's peak resident set. /proc's VmHWM where there is one: getrusage's maxrss of a
    process started by subprocess also counts the parent's memory copied at fork."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_presses(db: Path, presses: int) -> dict:
    """The key-press figures, measured in a process of their own so its peak memory is the app's."""
    out = subprocess.run([sys.executable, __file__, str(db), "--child-presses", str(presses)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# -- the database ---------------------------------------------------------------------------

def order_count(db: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM orders").fetchone()[0]
    finally:
        conn.close()


def smaller_db(orders: int) -> Path:
    """A database of ``orders`` seeded orders, built once under benchmarks/.cache/."""
    from stationdesk.bootstrap import open_desk
    from stationdesk.services.seed import seed
    from stationdesk.services.setup import init_database

    path = BENCH_DIR / ".cache" / f"bench_tui_{orders}.db"
    if path.exists() and order_count(path) == orders:
        return path
    building = path.with_name(path.name + ".building")
    for p in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        p.unlink(missing_ok=True)
    started = time.perf_counter()
    init_database(building, "HZ001")
    desk = open_desk(building, config_path=NO_CONFIG)
    try:
        seed(desk, orders, 7)
    finally:
        desk.db.dispose()
    building.replace(path)
    print(f"built {path} with {orders:,} orders in {time.perf_counter() - started:.0f} s")
    return path


# -- the report -----------------------------------------------------------------------------

def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def cells(text: str) -> int:
    """Terminal cells of ``text``: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER THE LIMIT"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", nargs="?", type=Path, default=DEFAULT_DB)
    parser.add_argument("--orders", type=int, default=200_000,
                        help="orders to seed when the database is missing (default 200,000)")
    parser.add_argument("--runs", type=int, default=5, help="cold starts of each app (default 5)")
    parser.add_argument("--presses", type=int, default=40, help="key presses per figure (default 40)")
    parser.add_argument("--child-presses", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child_presses is not None:
        print(json.dumps(asyncio.run(_presses(str(args.db), args.child_presses))))
        return 0

    db = args.db
    if not db.exists():
        print(f"{db} is missing (benchmarks/build_db.py builds it): using a smaller database instead")
        db = smaller_db(args.orders)
    orders = order_count(db)
    print(f"stationdesk screens on {db} ({orders:,} orders), terminal {SIZE[0]}x{SIZE[1]}, headless")

    bare, paint, ready, store_first, loaded = [], [], [], [], []
    for _ in range(args.runs):  # interleaved, so a busy moment hurts all alike
        bare.append(cold_start(BARE_APP))
        start = desk_start(db)
        paint.append(start["paint"])
        ready.append(start["ready"])
        loaded.append(start["sqlalchemy"])
        store_first.append(cold_start(STORE_FIRST_APP, str(db), str(NO_CONFIG)))
    bare_s, paint_s, ready_s = statistics.median(bare), statistics.median(paint), statistics.median(ready)
    first_s = statistics.median(store_first)
    ratio = paint_s / bare_s
    keys = run_presses(db, args.presses)
    page, filt, peak = p95(keys["page_ms"]), p95(keys["filter_ms"]), keys["peak_mb"]

    rows = [
        ("cold start, bare Textual app", f"{bare_s:.2f} s", "", ""),
        ("cold start, 网点接单 list painted", f"{paint_s:.2f} s",
         f"{ratio:.2f}x bare (limit {LIMIT_START_RATIO:.1f}x)", verdict(ratio <= LIMIT_START_RATIO)),
        ("  SQLAlchemy loaded at that paint", "yes" if any(loaded) else "no", "drawn from the sqlite3 glance", ""),
        ("  store open, keys act", f"{ready_s:.2f} s", f"{ready_s / bare_s:.2f}x bare (no limit set)", ""),
        ("  store opened first (before the glance)", f"{first_s:.2f} s", f"{first_s / bare_s:.2f}x bare", ""),
        (f"page down -> repaint, p95 of {len(keys['page_ms'])}", f"{page:.1f} ms",
         f"limit {LIMIT_KEY_MS:.0f} ms (median {statistics.median(keys['page_ms']):.1f})", verdict(page < LIMIT_KEY_MS)),
        (f"filter change -> repaint, p95 of {len(keys['filter_ms'])}", f"{filt:.1f} ms",
         f"limit {LIMIT_KEY_MS:.0f} ms (median {statistics.median(keys['filter_ms']):.1f})", verdict(filt < LIMIT_KEY_MS)),
        ("peak memory (peak RSS)", f"{peak:.0f} MB", f"limit {LIMIT_MEMORY_MB:.0f} MB", verdict(peak < LIMIT_MEMORY_MB)),
    ]
    width = max(cells(r[0]) for r in rows)
    for name, value, limit, ok in rows:
        print(f"  {name}{' ' * (width - cells(name))}  {value:>9}  {limit:<40} {ok}".rstrip())
    print(f"  ({keys['rows_on_page']} rows per page; every page fetched by keyset seek from SQL)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
