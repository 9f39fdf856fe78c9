"""Whole-process figures: the real `stationdesk` command as a person meets it, beside its floor.

    python benchmarks/bench_process.py [--orders N] [--runs 9] [--only show,list,notices,...] [--no-desk]

Each figure runs the installed `stationdesk` command as a new process and, in alternated pairs
(the order flips every run), a floor: a new `python` process that imports only sqlite3 and runs
the same query on the same file. The desk's launch is timed in a real terminal (tmux): from the
command starting to its first list painted, and to the first key acting (F2 opens the query
screen), beside a bare Textual app with a Header and a Footer doing the same. Medians and the
spread (min-max) are printed; a ratio over its limit reads FAIL. Nothing here fails a build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_db import ensure_db  # noqa: E402  (beside this file)
from common import NO_CONFIG, Line, cache_path, fmt_time, machine, print_table  # noqa: E402

VENV_BIN = Path(sys.executable).parent
COMMAND = str(VENV_BIN / "stationdesk")

# The floor's own preamble: a new python that imports sqlite3 and opens the file with the engine's pragmas.
FLOOR_HEAD = (
    "import sqlite3,sys\n"
    "c=sqlite3.connect(sys.argv[1],isolation_level=None)\n"
    "c.execute('PRAGMA busy_timeout=10000');c.execute('PRAGMA journal_mode=WAL')\n"
)


@dataclass
class Figure:
    """One whole-process comparison: the product's argv and the floor's python code."""

    key: str
    label: str
    product: list[str]
    floor: str
    limit: float  # the ratio product/floor the figure must stay within


def _utc(day: str, plus_days: int = 0) -> str:
    """Midnight of a station-time (UTC+8) day as the stored UTC text."""
    from datetime import date, datetime, timedelta, timezone

    d = date.fromisoformat(day) + timedelta(days=plus_days)
    t = datetime(d.year, d.month, d.day, tzinfo=timezone(timedelta(hours=8))).astimezone(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _pick(db: Path) -> dict[str, str]:
    """Values from the data itself: a logistics number, the last whole day and week of orders."""
    from datetime import date, timedelta

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        count = conn.execute("SELECT count(*) FROM orders").fetchone()[0]
        number = conn.execute("SELECT logistics_no FROM orders WHERE id = ?", (max(1, count // 2),)).fetchone()[0]
        last = conn.execute("SELECT max(order_time) FROM orders").fetchone()[0]
    finally:
        conn.close()
    day = date.fromisoformat(last[:10]) - timedelta(days=1)  # a whole day before the newest
    monday = day - timedelta(days=day.weekday() + 7)  # the last whole week
    v = {"number": number, "day": day.isoformat(), "week_from": monday.isoformat(),
         "week_to": (monday + timedelta(days=6)).isoformat()}
    v.update(day_start=_utc(v["day"]), day_end=_utc(v["day"], 1), week_start=_utc(v["week_from"]),
             week_end=_utc(v["week_to"], 1))
    return v


def figures(db: Path, v: dict[str, str]) -> list[Figure]:
    from stationdesk.store.reads import VIOLATION_REPORT_SQL  # the week's report reads these ledger rows

    common = ["--db", str(db), "--config", str(NO_CONFIG)]
    show = ("o=c.execute('SELECT * FROM orders WHERE logistics_no=? OR waybill_no=?',(sys.argv[2],sys.argv[2])).fetchone()\n"
            "print(o);print(c.execute('SELECT * FROM order_event WHERE order_id=? ORDER BY id',(o[0],)).fetchall())\n")
    in_range = "order_time>=? AND order_time<?"
    return [
        Figure("show", "orders show NO", [COMMAND, "orders", "show", v["number"], *common], FLOOR_HEAD + show, 5.0),
        Figure("list", "orders list one day --limit 50",
               [COMMAND, "orders", "list", "--from", v["day"], "--to", v["day"], "--limit", "50", *common],
               FLOOR_HEAD + f"for r in c.execute('SELECT * FROM orders WHERE {in_range} ORDER BY order_time,id LIMIT 50',"
               "sys.argv[2:4]): print(r)\n", 5.0),
        Figure("alerts", "alerts check", [COMMAND, "alerts", "check", *common],
               FLOOR_HEAD + "print(c.execute(\"SELECT count(*),min(order_time) FROM orders WHERE status='waiting'\").fetchone())\n",
               5.0),
        Figure("unscanned", "report unscanned one day",
               [COMMAND, "report", "unscanned", "--from", v["day"], "--to", v["day"], *common],
               FLOOR_HEAD + "for r in c.execute(\"SELECT * FROM orders WHERE status IN ('accepted','picked_up') AND "
               f"scanned_at IS NULL AND {in_range} ORDER BY order_time\",sys.argv[2:4]): print(r)\n", 5.0),
        Figure("notices", "notices", [COMMAND, "notices", *common],
               FLOOR_HEAD + "for r in c.execute('SELECT * FROM audit_notice ORDER BY issued_at DESC, id DESC'): print(r)\n",
               5.0),
        Figure("violations", "report violations one week",
               [COMMAND, "report", "violations", "--from", v["week_from"], "--to", v["week_to"], *common],
               # the report's own SQL (store.reads), its text handed to the floor, which imports only sqlite3;
               # at this size a light command like the others (5x): bench_scale holds it to 2x at 1M, where its rows weigh
               FLOOR_HEAD + f"for r in c.execute({VIOLATION_REPORT_SQL!r},(*sys.argv[2:4],'HZ001')): print(r)\n", 5.0),
    ]


def compile_package() -> None:
    """Write the bytecode of the stationdesk the command runs, as pip does when it installs a
    package: a shell with PYTHONDONTWRITEBYTECODE set would otherwise compile every module of an
    editable checkout on every run, a cost no installed copy pays."""
    found = subprocess.run([sys.executable, "-c", "import stationdesk, os; print(os.path.dirname(stationdesk.__file__))"],
                           capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", found], check=True)


def _floor_args(f: Figure, db: Path, v: dict[str, str]) -> list[str]:
    extra = {"show": [v["number"]], "list": [v["day_start"], v["day_end"]], "alerts": [],
             "unscanned": [v["day_start"], v["day_end"]], "notices": [], "violations": [v["week_start"], v["week_end"]]}[f.key]
    return [sys.executable, "-c", f.floor, str(db), *extra]


def _time(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 3):  # alerts check exits 3 while orders wait (cli/exits.py)
        raise SystemExit(f"{argv[0]} {' '.join(argv[1:4])}: exit {proc.returncode}\n{proc.stderr.decode(errors='replace')}")
    return elapsed


def paired(a: list[str], b: list[str], runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Alternated pairs, one warm-up each; the order flips every run."""
    _time(a, env), _time(b, env)
    xs: list[float] = []
    ys: list[float] = []
    for i in range(runs):
        if i % 2:
            ys.append(_time(b, env))
            xs.append(_time(a, env))
        else:
            xs.append(_time(a, env))
            ys.append(_time(b, env))
    return xs, ys


def spread(samples: list[float]) -> str:
    return f"{fmt_time(statistics.median(samples))} ({fmt_time(min(samples))}-{fmt_time(max(samples))})"


# A Typer command that does nothing: what any `stationdesk` command pays before its own code runs
# (python, Typer, and the pydantic Typer loads to convert options), beside the same sqlite3 floor.
BARE_TYPER = """
import sys, typer
app = typer.Typer(add_completion=False)
@app.callback()
def main() -> None: pass
@app.command()
def show(number: str, db: str = typer.Option(None, "--db")) -> None:
    print(number, db)
app(prog_name="bare")
"""


def typer_floor(db: Path, v: dict[str, str], runs: int, env: dict[str, str]) -> Line:
    show = next(f for f in figures(db, v) if f.key == "show")
    xs, ys = paired([sys.executable, "-c", BARE_TYPER, "show", v["number"], "--db", str(db)],
                    _floor_args(show, db, v), runs, env)
    ratio = statistics.median(xs) / statistics.median(ys)
    return Line("bare Typer command (no read)", spread(xs), f"floor of orders show {spread(ys)}", f"{ratio:.1f}x", None)


# --- the desk in a real terminal -------------------------------------------------------------------

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    BINDINGS = [("f2", "other", "查询"), ("f10", "quit", "退出")]
    def compose(self):
        yield Header(); yield Static("网点接单 共 0 单", id="body"); yield Footer()
    def action_other(self):
        self.query_one("#body", Static).update("电商订单查询 ready")
Bare().run()
"""


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", TMUX_SOCKET, *args], capture_output=True, text=True).stdout


def _wait_for(session: str, marker: str, timeout: float = 60.0) -> float:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if marker in _tmux("capture-pane", "-p", "-t", session):
            return time.perf_counter()
        time.sleep(0.005)
    screen = _tmux("capture-pane", "-p", "-t", session)
    raise SystemExit(f"{session}: '{marker}' never appeared on screen:\n{screen}")


# A tmux server of the benchmark's own, kept up by an idle session: started by the first measured
# session, a server whose only program exits at once goes with it ("server exited unexpectedly").
TMUX_SOCKET = f"stationdesk-bench-{os.getpid()}"


def terminal_start(argv: list[str], painted: str, acted: str, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from launch to ``painted`` on screen, and to ``acted`` after F2 is pressed at that moment."""
    session = f"bench{os.getpid()}{time.perf_counter_ns() % 100000}"
    command = " ".join(_quote(a) for a in argv)
    started = time.perf_counter()
    carried = ("STATIONDESK_", "TERM", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")  # the tmux server has its own env
    subprocess.run(["tmux", "-L", TMUX_SOCKET, "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                    f"env {' '.join(f'{k}={_quote(val)}' for k, val in env.items() if k.startswith(carried))} {command}"],
                   check=True)
    try:
        first = _wait_for(session, painted)
        _tmux("send-keys", "-t", session, "F2")
        second = _wait_for(session, acted)
        return first - started, second - started
    finally:
        _tmux("kill-session", "-t", session)


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def desk_figures(db: Path, v: dict[str, str], runs: int, env: dict[str, str]) -> list[Line]:
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is not installed: the desk's launch is measured in a real terminal")
    desk = [COMMAND, "tui", "--db", str(db), "--config", str(NO_CONFIG), "--operator", "bench"]
    bare = [sys.executable, "-c", BARE_APP]
    d_paint, d_key, b_paint, b_key = [], [], [], []
    subprocess.run(["tmux", "-L", TMUX_SOCKET, "new-session", "-d", "-s", "keeper", "sleep 86400"], check=True)
    try:
        terminal_start(desk, "共", "按下单日期查询", env)  # warm the file cache
        for i in range(runs):
            pair = [(desk, "共", "按下单日期查询", d_paint, d_key), (bare, "共 0 单", "ready", b_paint, b_key)]
            for argv, painted, acted, paints, keys in (pair if i % 2 == 0 else pair[::-1]):
                p, k = terminal_start(argv, painted, acted, env)
                paints.append(p)
                keys.append(k)
    finally:
        _tmux("kill-server")
    lines = []
    for label, d, b, limit in (("desk launch -> list painted", d_paint, b_paint, None),
                               ("desk launch -> first key acting (F2)", d_key, b_key, 2.0)):
        ratio = statistics.median(d) / statistics.median(b)
        lines.append(Line(label, spread(d), f"bare app {spread(b)}" + (f", within {limit:g}x" if limit else ""),
                          f"{ratio:.1f}x", None if limit is None else ratio <= limit))
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--only", default="", help="comma-separated: show,list,alerts,unscanned,notices,violations,typer,desk")
    ap.add_argument("--no-desk", action="store_true", help="skip the terminal figures")
    args = ap.parse_args(argv)
    if not Path(COMMAND).exists():
        raise SystemExit(f"{COMMAND} not found: run ./dev once to install the command")
    compile_package()
    db = ensure_db(cache_path(args.orders), args.orders)
    v = _pick(db)
    only = {s for s in args.only.split(",") if s}
    env = dict(os.environ, STATIONDESK_OPERATOR="bench", TERM=os.environ.get("TERM", "xterm-256color"))
    env.pop("STATIONDESK_PASSWORD", None)
    print(f"{machine()}; {args.orders:,} orders in {db}; {args.runs} alternated pairs per figure")
    lines: list[Line] = []
    for f in figures(db, v):
        if only and f.key not in only:
            continue
        xs, ys = paired(f.product, _floor_args(f, db, v), args.runs, env)
        ratio = statistics.median(xs) / statistics.median(ys)
        lines.append(Line(f.label, spread(xs), f"floor {spread(ys)}, within {f.limit:g}x", f"{ratio:.1f}x",
                          ratio <= f.limit))
    if not only or "typer" in only:
        lines.append(typer_floor(db, v, args.runs, env))
    if not args.no_desk and (not only or "desk" in only):
        lines.extend(desk_figures(db, v, args.runs, env))
    print()
    print_table(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
