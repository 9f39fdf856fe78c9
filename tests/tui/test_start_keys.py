"""The desk's first keys while its store is still opening (stationdesk.tui.store_opening): F2's
query screen opens, searches and pages through store.reads before SQLAlchemy is loaded; a key
that needs the store waits for it, with every key after it, and is then handled, in order.

The store's opening is held at a gate here, so "before the store is open" is a fact of the test,
not a race with the machine's speed."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from stationdesk.tui import start
from stationdesk.tui.app import StationDeskApp
from stationdesk.tui.screens.query import QueryScreen
from stationdesk.tui.widgets.order_list import OrderList
from tests.conftest import cheap_hasher
from tui_support import NOW, OPERATOR, db_rows, events, order

SIZE = (120, 40)
REPO = Path(__file__).resolve().parents[2]


async def _until(pilot: Pilot, ready: Callable[[], bool], what: str) -> None:
    """Wait, a frame at a time, until ``ready()`` (the opening worker never finishes behind its gate,
    so waiting for every worker would wait for ever)."""
    for _ in range(500):
        if ready():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"never came: {what}")


def _gated_app(db_path: Path, monkeypatch, gate: threading.Event) -> StationDeskApp:  # noqa: ANN001
    real = start._open_store  # noqa: SLF001 - the opening itself, held until the test opens the gate

    def gated(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if not gate.wait(60):
            raise RuntimeError("the test never opened the gate")
        return real(*args, **kwargs)

    monkeypatch.setattr(start, "_open_store", gated)
    app = start.open_app(db_path, db_path.with_name("none.toml"), OPERATOR, alerts=False, clock=lambda: NOW,
                         hasher=cheap_hasher())
    assert not app.store_open  # drawn from a glance
    return app


def _list_of(app: StationDeskApp) -> OrderList:
    return app.screen.query_one(OrderList)


async def test_a_key_that_needs_the_store_waits_for_it_and_the_keys_after_it_queue(db_path, monkeypatch):
    target = db_rows(db_path, "SELECT id, logistics_no FROM orders WHERE status = 'waiting' AND out_of_area = 0 "
                              "ORDER BY order_time DESC LIMIT 1")[0]
    gate = threading.Event()
    app = _gated_app(db_path, monkeypatch, gate)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _until(pilot, lambda: _list_of(app).loaded, "the first screen")
            await pilot.press("f2")  # needs no store: the query screen opens now
            await _until(pilot, lambda: isinstance(app.screen, QueryScreen) and _list_of(app).loaded, "the query screen")
            await pilot.press(*target["logistics_no"], "enter")  # a number, searched through store.reads
            await _until(pilot, lambda: [v.id for v in _list_of(app).views] == [target["id"]], "the order found")
            assert not app.store_open and app.key_hold.held == 0

            await pilot.press("a", "down")  # 接单 is a use case: it waits, and `down` behind it
            await pilot.pause(0.05)
            assert app.key_hold.held == 2 and not app.store_open
            assert order(db_path, target["id"])["status"] == "waiting"  # nothing written yet

            gate.set()
            await _until(pilot, lambda: app.store_open and not app.key_hold.holding, "the store and the held keys")
            await _until(pilot, lambda: order(db_path, target["id"])["status"] == "accepted", "the order accepted")
            assert events(db_path, target["id"])[-1]["operator"] == OPERATOR
            assert app.key_hold.held == 0
    finally:
        gate.set()
        if app.store_open:
            app.desk.db.dispose()


async def test_keys_typed_while_the_store_opens_reach_the_query_screens_field(db_path, monkeypatch):
    gate = threading.Event()
    app = _gated_app(db_path, monkeypatch, gate)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _until(pilot, lambda: _list_of(app).loaded, "the first screen")
            await pilot.press("f2", *"KD2026")  # F2 and a number typed straight after it
            await _until(pilot, lambda: isinstance(app.screen, QueryScreen)
                         and app.screen.query_one("#q-number", Input).value == "KD2026", "the number in its field")
            assert not app.store_open and app.key_hold.held == 0
    finally:
        gate.set()
        if app.store_open:
            app.desk.db.dispose()


# The desk as a clerk starts it, in a process of its own, with the store's opening held: F2 at the
# first paint opens the query screen with its heading, its first page and its pick lists, read by
# sqlite3 alone; SQLAlchemy is not even imported. The page equals the one the store reads after.
CHILD = """
import asyncio, json, sys, threading
from datetime import datetime
from pathlib import Path
from stationdesk.tui import start
from stationdesk.tui.screens.query import QueryScreen
from stationdesk.tui.widgets.order_list import OrderList

gate = threading.Event()
real = start._open_store
def gated(*args, **kwargs):
    gate.wait(60)
    return real(*args, **kwargs)
start._open_store = gated
now = datetime.fromisoformat(sys.argv[3])

async def until(pilot, ready):
    for _ in range(1000):
        if ready():
            return
        await pilot.pause(0.01)
    raise SystemExit("never came")

async def main():
    app = start.open_app(Path(sys.argv[1]), Path(sys.argv[2]), "clerk", alerts=False, clock=lambda: now)
    seen = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.screen.query_one(OrderList).loaded)
        await pilot.press("f2")
        def shown():
            return (isinstance(app.screen, QueryScreen) and app.screen.order_list.loaded
                    and app.screen.order_list.total is not None and len(app.screen.query("Select")) == 5)
        await until(pilot, shown)
        screen = app.screen
        seen["query"] = {"sqlalchemy": "sqlalchemy" in sys.modules, "sqlmodel": "sqlmodel" in sys.modules,
                         "store_open": app.store_open, "heading": str(screen.query_one("#heading").render()),
                         "ids": [v.id for v in screen.order_list.views], "total": screen.order_list.total}
        gate.set()
        await until(pilot, lambda: app.store_open)
        from stationdesk.tui.data import PageRequest, load_page
        lst = screen.order_list
        again = load_page(app.desk, lst.filter, PageRequest("first"), len(lst.views), "zh")
        seen["store"] = {"sqlalchemy": "sqlalchemy" in sys.modules, "ids": [v.id for v in again.views]}
    print(json.dumps(seen, ensure_ascii=False))

asyncio.run(main())
"""


def test_a_new_process_opens_the_query_screen_before_loading_sqlalchemy(db_path):
    out = subprocess.run([sys.executable, "-c", CHILD, str(db_path), str(db_path.with_name("none.toml")), NOW.isoformat()],
                         capture_output=True, text=True, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    query, store = seen["query"], seen["store"]
    assert query["sqlalchemy"] is False and query["sqlmodel"] is False and query["store_open"] is False
    assert "电商订单查询" in query["heading"] and "按下单日期查询" in query["heading"]
    assert len(query["ids"]) > 10 and query["ids"] == store["ids"]  # the same rows the store reads
    assert store["sqlalchemy"] is True
    # the last seven days of the desk's clock, as the form starts (2026-11-17 00:00 Shanghai = 11-16 16:00 UTC)
    expected = db_rows(db_path, "SELECT id FROM orders WHERE order_time >= '2026-11-16T16:00:00' "
                                "ORDER BY order_time, id LIMIT ?", len(query["ids"]))
    assert query["ids"] == [r["id"] for r in expected]
