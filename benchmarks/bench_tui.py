"""How the screens feel on a big station database: start-up, key press to repaint, memory.

    python benchmarks/bench_tui.py [DB] [--orders N] [--runs N] [--presses N]

DB defaults to benchmarks/.cache/bench_1m.db (built by benchmarks/build_db.py). When that file
is missing, a smaller database of --orders orders is built here with init_database + seed, and
the script says so. Every figure is printed beside its limit; the start-up is compared with a
bare Textual app started the same way in the same run. Nothing in the database is changed.

Figures:
  cold start      a new process, to the 网点接单 list painted, headless (median of --runs),
                  against a new process running a bare Textual app to its first paint
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

DESK_APP = """
import sys, time
from pathlib import Path
from stationdesk.bootstrap import open_desk
from stationdesk.tui.app import build_app
from stationdesk.tui.widgets.order_list import OrderList

draw = OrderList.render_line

def render_line(self, y):
    strip = draw(self, y)
    if self.generation > 0 and y == self.size.height - 1:  # the first page, drawn to its last line
        print(time.time(), flush=True)
        self.app.call_later(self.app.exit)
    return strip

OrderList.render_line = render_line
desk = open_desk(Path(sys.argv[1]), config_path=Path(sys.argv[2]))
build_app(desk, operator="bench").run(headless=True, size=(120, 40))
"""


CORE_IMPORT = """
import time
started = time.perf_counter()
import stationdesk.bootstrap
print(time.perf_counter() - started)
"""


def core_import() -> float:
    """Seconds a new process spends importing the core the app is given (SQLAlchemy, SQLModel, ...)."""
    out = subprocess.run([sys.executable, "-c", CORE_IMPORT], check=True, capture_output=True, text=True).stdout
    return float(out.strip())


def cold_start(code: str, *args: str) -> float:
    """Seconds from starting a new Python process to the moment it reports its first paint."""
    started = time.time()
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[0]) - started


async def _presses(db: str, presses: int) -> dict:
    from textual import events
    from textual.widgets import Select

    from stationdesk.bootstrap import open_desk
    from stationdesk.tui.app import build_app
    from stationdesk.tui.widgets.order_list import OrderList

    desk = open_desk(Path(db), config_path=NO_CONFIG)
    app = build_app(desk, operator="bench")
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

    bare, desk, core = [], [], []
    for _ in range(args.runs):  # interleaved, so a busy moment hurts both alike
        bare.append(cold_start(BARE_APP))
        desk.append(cold_start(DESK_APP, str(db), str(NO_CONFIG)))
        core.append(core_import())
    bare_s, desk_s, core_s = statistics.median(bare), statistics.median(desk), statistics.median(core)
    ratio = desk_s / bare_s
    keys = run_presses(db, args.presses)
    page, filt, peak = p95(keys["page_ms"]), p95(keys["filter_ms"]), keys["peak_mb"]

    rows = [
        ("cold start, bare Textual app", f"{bare_s:.2f} s", "", ""),
        ("cold start, 网点接单 list painted", f"{desk_s:.2f} s",
         f"{ratio:.2f}x bare (limit {LIMIT_START_RATIO:.1f}x)", verdict(ratio <= LIMIT_START_RATIO)),
        ("  of which importing stationdesk.bootstrap", f"{core_s:.2f} s",
         f"the rest is {(desk_s - core_s) / bare_s:.2f}x bare", ""),
        (f"page down -> repaint, p95 of {len(keys['page_ms'])}", f"{page:.1f} ms",
         f"limit {LIMIT_KEY_MS:.0f} ms (median {statistics.median(keys['page_ms']):.1f})", verdict(page < LIMIT_KEY_MS)),
        (f"filter change -> repaint, p95 of {len(keys['filter_ms'])}", f"{filt:.1f} ms",
         f"limit {LIMIT_KEY_MS:.0f} ms (median {statistics.median(keys['filter_ms']):.1f})", verdict(filt < LIMIT_KEY_MS)),
        ("peak memory (peak RSS)", f"{peak:.0f} MB", f"limit {LIMIT_MEMORY_MB:.0f} MB", verdict(peak < LIMIT_MEMORY_MB)),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, limit, ok in rows:
        print(f"  {name:<{width}}  {value:>9}  {limit:<40} {ok}")
    print(f"  ({keys['rows_on_page']} rows per page; every page fetched by keyset seek from SQL)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
