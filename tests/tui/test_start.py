"""The desk's start: the first screen drawn from the sqlite3 glance, the store opened right after,
keys typed meanwhile handled in order, and a store that will not open said, not swallowed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from textual import events

from stationdesk.config import load as load_config
from stationdesk.domain.errors import DomainError
from stationdesk.store import glance
from stationdesk.store.errors import StoreError
from stationdesk.tui.app import Opening, StationDeskApp
from stationdesk.tui.data import COUNT_CAP, PageRequest, load_page
from stationdesk.tui.screens.accept import AcceptScreen
from stationdesk.tui.screens.login import LoginScreen
from stationdesk.tui.start import open_app
from stationdesk.tui.widgets.order_list import OrderList
from tests.conftest import cheap_hasher
from tui_support import NOW, OPERATOR, db_rows, events as order_events, order, settle

SIZE = (120, 40)
REPO = Path(__file__).resolve().parents[2]


def _opening(db_path: Path, opener) -> Opening:  # noqa: ANN001
    cfg_path = db_path.with_name("none.toml")
    seen = glance.take(db_path, COUNT_CAP)
    assert seen is not None
    return Opening(seen, load_config(cfg_path), db_path, opener, lambda: NOW)


def _open_desk(db_path: Path):  # noqa: ANN202
    from stationdesk.bootstrap import open_desk

    return open_desk(db_path, db_path.with_name("none.toml"), clock=lambda: NOW, hasher=cheap_hasher())


async def test_the_first_page_is_the_glance_and_equals_the_stores(db_path):
    drawn: dict = {}
    desks = []

    def opener():  # noqa: ANN202 - what the screen held when the store began to open
        lst = app.screen.query_one(OrderList)
        drawn.update(ids=[v.id for v in lst.views], cells=[v.cells for v in lst.views], total=lst.total,
                     generation=lst.generation, open=app.store_open)
        desks.append(_open_desk(db_path))
        return desks[-1]

    app = StationDeskApp(None, OPERATOR, opening=_opening(db_path, opener))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert drawn["generation"] == 1 and drawn["open"] is False  # drawn before the store opened
            assert isinstance(app.screen, AcceptScreen) and app.store_open
            lst = app.screen.query_one(OrderList)
            store_page = load_page(app.desk, AcceptScreen().base_filter(), PageRequest("first"), len(drawn["ids"]), "zh")
            assert drawn["ids"] == [v.id for v in store_page.views] == [v.id for v in lst.views]
            assert drawn["cells"] == [v.cells for v in store_page.views]
            waiting = db_rows(db_path, "SELECT count(*) AS n FROM orders WHERE status = 'waiting'")[0]["n"]
            assert drawn["total"] == waiting
            assert app.counts is not None and app.counts.waiting == waiting  # the status bar's, read with the store

            target = next(v for v in lst.views if not v.out_of_area)  # and the keys act on the store
            while lst.highlighted is not target:
                await pilot.press("down")
            await pilot.press("a")
            await settle(pilot)
            assert order(db_path, target.id)["status"] == "accepted"
            assert order_events(db_path, target.id)[-1]["operator"] == OPERATOR
    finally:
        for desk in desks:
            desk.db.dispose()


def _type_ahead(app: StationDeskApp, *keys: str) -> None:
    """Keys arriving before the app has even mounted, as from a clerk who types while it starts."""
    for key in keys:
        char = key if len(key) == 1 else " " if key == "space" else "\r" if key == "enter" else None
        app.post_message(events.Key(key, char))


def _count_held(app: StationDeskApp) -> list[int]:
    held: list[int] = []
    opener = app._opening.open  # noqa: SLF001 - what was held when the store began to open

    def counting():  # noqa: ANN202
        held.append(app.key_hold.held)
        return opener()

    object.__setattr__(app._opening, "open", counting)  # noqa: SLF001
    return held


async def test_keys_typed_before_the_store_opens_are_handled_in_order(db_path):
    desks = []

    def opener():  # noqa: ANN202
        desks.append(_open_desk(db_path))
        return desks[-1]

    app = StationDeskApp(None, OPERATOR, opening=_opening(db_path, opener))
    held = _count_held(app)
    rows = db_rows(db_path, "SELECT id, out_of_area FROM orders WHERE status = 'waiting' ORDER BY order_time, id")
    in_area = [i for i, r in enumerate(rows) if not r["out_of_area"]]
    # move to the first in-area order, select it (space moves down), then accept the next row with
    # `a` (a use case: it needs the store) and select-all (ctrl+a reads the store too)
    keys = ["down"] * in_area[0] + ["space", "a"]
    _type_ahead(app, *keys)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            # the moves in the list may act before the store is open; space and `a` waited for it
            assert len(held) == 1 and 2 <= held[0] <= len(keys)
            lst = app.screen.query_one(OrderList)
            selected, accepted = rows[in_area[0]]["id"], rows[in_area[0] + 1]
            assert lst.selected == {selected}
            expected = "waiting" if accepted["out_of_area"] else "accepted"  # an out-of-area order is refused
            assert order(db_path, accepted["id"])["status"] == expected
            assert order(db_path, selected)["status"] == "waiting"
    finally:
        for desk in desks:
            desk.db.dispose()


def _staff(db_path: Path) -> None:
    from stationdesk.domain.roles import Operator, Role
    from stationdesk.services import operators

    desk = _open_desk(db_path)
    try:
        operators.add_user(desk, "王芳", Role.ADMIN, "admin-pass-1", by=Operator("王芳"))
    finally:
        desk.db.dispose()


async def test_a_name_and_password_typed_while_the_desk_starts_sign_in(db_path):
    """Enter moves from the name to the password before the next held key is handled: the
    password never lands in the visible name field."""
    from textual.widgets import Input

    _staff(db_path)
    app = open_app(db_path, db_path.with_name("none.toml"), OPERATOR, alerts=False, clock=lambda: NOW,
                   hasher=cheap_hasher())
    held = _count_held(app)
    names: list[str] = []
    _type_ahead(app, *"王芳", "enter", *"admin-pass-1", "enter")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            for _ in range(50):  # the replay goes at the pace of the screen, not in one burst
                if app.signed_in is not None:
                    break
                if isinstance(app.screen, LoginScreen):
                    names.append(app.screen.query_one("#login-name", Input).value)
                await pilot.pause(0.02)
            assert held == [len("王芳") + 1 + len("admin-pass-1") + 1]
            assert app.signed_in is not None and app.signed_in.name == "王芳"
            assert isinstance(app.screen, AcceptScreen)
            assert all("pass" not in name for name in names)
    finally:
        if app.store_open:
            app.desk.db.dispose()


async def test_a_paste_waits_its_turn_behind_the_keys_typed_before_it(db_path):
    from textual.widgets import Input

    _staff(db_path)
    app = open_app(db_path, db_path.with_name("none.toml"), OPERATOR, alerts=False, clock=lambda: NOW,
                   hasher=cheap_hasher())
    _type_ahead(app, "w")
    app.post_message(events.Paste("f"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.pause(0.1)
            assert app.screen.query_one("#login-name", Input).value == "wf"
    finally:
        if app.store_open:
            app.desk.db.dispose()


async def test_a_store_that_will_not_open_ends_the_desk_with_its_message(db_path):
    def opener():  # noqa: ANN202
        raise StoreError(f"{db_path}: 磁盘已满或无法写入")

    app = StationDeskApp(None, OPERATOR, opening=_opening(db_path, opener))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert app.return_code == 1
    assert isinstance(app.open_error, StoreError) and "磁盘已满" in str(app.open_error)
    assert not app.store_open


async def test_an_unexpected_failure_to_open_is_raised_by_the_start_not_lost(db_path):
    def opener():  # noqa: ANN202
        raise RuntimeError("driver gone")

    app = StationDeskApp(None, OPERATOR, opening=_opening(db_path, opener))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert app.return_code == 1 and isinstance(app.open_error, RuntimeError)


def test_open_app_draws_from_a_glance_or_opens_the_store_first(db_path):
    config = db_path.with_name("none.toml")
    app = open_app(db_path, config, OPERATOR, alerts=False, clock=lambda: NOW,
                   hasher=cheap_hasher())
    assert not app.store_open  # a current database: the glance draws the first screen

    con_sql = "UPDATE meta SET value = 'XX999' WHERE key = 'station_code'"
    import sqlite3

    con = sqlite3.connect(db_path)
    con.execute(con_sql)
    con.commit()
    con.close()
    try:  # no glance: the store opens first, and its refusal comes before anything is drawn
        open_app(db_path, config, OPERATOR, alerts=False)
    except DomainError as refused:
        assert "XX999" in str(refused)
    else:
        raise AssertionError("an unknown station was not refused")


# The start as a clerk's terminal sees it, in a process of its own: at the first paint of the list
# SQLAlchemy is not loaded; the rows drawn are the store's first page; then the store opens.
CHILD = """
import json, sys
from pathlib import Path
from stationdesk.tui import app as app_mod
from stationdesk.tui.start import open_app
from stationdesk.tui.widgets.order_list import OrderList

seen = {}
draw = OrderList.render_line

def render_line(self, y):
    strip = draw(self, y)
    if "paint" not in seen and self.generation > 0 and y == self.size.height - 1:
        seen["paint"] = {"sqlalchemy": "sqlalchemy" in sys.modules, "ids": [v.id for v in self.views],
                         "store_open": self.app.store_open,
                         "lines": [draw(self, i).text for i in range(1, 4)]}
    return strip

opened = app_mod.StationDeskApp._store_opened

def store_opened(self):
    opened(self)
    seen["ready"] = {"sqlalchemy": "sqlalchemy" in sys.modules}
    self.call_later(self.exit)

OrderList.render_line = render_line
app_mod.StationDeskApp._store_opened = store_opened
open_app(Path(sys.argv[1]), Path(sys.argv[2]), "clerk", alerts=False).run(headless=True, size=(120, 40))
print(json.dumps(seen, ensure_ascii=False))
"""


def test_a_new_process_paints_the_list_before_loading_sqlalchemy(db_path):
    out = subprocess.run([sys.executable, "-c", CHILD, str(db_path), str(db_path.with_name("none.toml"))],
                         capture_output=True, text=True, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    paint, ready = seen["paint"], seen["ready"]
    assert paint["sqlalchemy"] is False and paint["store_open"] is False
    assert ready["sqlalchemy"] is True
    waiting = [r["id"] for r in db_rows(db_path, "SELECT id FROM orders WHERE status = 'waiting' ORDER BY order_time, id")]
    assert paint["ids"] == waiting[: len(paint["ids"])] and len(paint["ids"]) > 10
    first = db_rows(db_path, "SELECT logistics_no FROM orders WHERE id = ?", paint["ids"][0])[0]["logistics_no"]
    assert first in paint["lines"][0]


def test_nothing_the_first_screen_imports_loads_sqlalchemy():
    code = ("import sys, stationdesk.tui.start, stationdesk.tui.screens.accept, stationdesk.tui.screens.login; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'pydantic', 'alembic'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "[]"
