"""The keystroke counts the README promises, each run with Pilot: the table in README.md is
read here, so the two cannot drift apart."""

from __future__ import annotations

import re
from pathlib import Path

from stationdesk.tui.screens.query import QueryScreen
from stationdesk.tui.widgets.order_list import OrderList
from tui_support import db_rows, order, settle

SIZE = (120, 40)
README = Path(__file__).resolve().parents[2] / "README.md"
NUMBER = "NUMBER"  # stands for the characters of a number, typed or scanned


def promised() -> dict[str, int]:
    """action -> keys (the number's characters aside), from the README's table."""
    text = README.read_text(encoding="utf-8")
    table = text.split("| action | keys | count |", 1)[1].split("\n\n", 1)[0]
    out = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        out[cells[0]] = int(re.match(r"\d+", cells[2]).group())
    return out


async def press(pilot, keys: list[str], number: str = "") -> int:  # noqa: ANN001
    """Press ``keys`` (NUMBER: the number's characters) and return how many keys were not the number."""
    count = 0
    for key in keys:
        if key == NUMBER:
            await pilot.press(*number)
        else:
            await pilot.press(key)
            count += 1
        await settle(pilot)
    return count


def waiting_in_area(db_path) -> list[int]:  # noqa: ANN001
    return [r["id"] for r in db_rows(db_path, "SELECT id FROM orders WHERE status = 'waiting' AND out_of_area = 0 "
                                              "ORDER BY order_time, id")]


async def test_the_readme_table_lists_every_action_checked_here():
    assert set(promised()) == set(RUNS)


async def query_by_number(pilot, app, db_path) -> int:  # noqa: ANN001
    row = db_rows(db_path, "SELECT id, logistics_no FROM orders ORDER BY id DESC LIMIT 1")[0]
    n = await press(pilot, ["f2", NUMBER, "enter"], row["logistics_no"])
    assert isinstance(app.screen, QueryScreen)
    assert [v.id for v in app.screen.query_one(OrderList).views] == [row["id"]]
    return n


async def accept_highlighted(pilot, app, db_path) -> int:  # noqa: ANN001
    target = app.screen.query_one(OrderList).highlighted.id
    n = await press(pilot, ["a"])
    assert order(db_path, target)["status"] == "accepted"
    return n


async def batch_accept(pilot, app, db_path) -> int:  # noqa: ANN001
    ids = waiting_in_area(db_path)
    n = await press(pilot, ["ctrl+a", "b", "enter"])
    assert ids and all(order(db_path, i)["status"] == "accepted" for i in ids)
    return n


async def transfer_suggested(pilot, app, db_path) -> int:  # noqa: ANN001
    lst = app.screen.query_one(OrderList)
    out = next(v for v in lst.views if v.out_of_area and v.row["suggested_station"])
    lst.cursor = lst.views.index(out)  # the order highlighted (arrow keys are not counted)
    n = await press(pilot, ["t", "enter"])
    assert order(db_path, out.id)["transferred_to"] == out.row["suggested_station"]
    return n


async def confirm_pickup(pilot, app, db_path) -> int:  # noqa: ANN001
    await pilot.press("f4")
    await settle(pilot)
    lst = app.screen.query_one(OrderList)
    has = next(v for v in lst.views if v.row["waybill_no"])
    lst.cursor = lst.views.index(has)
    n = 1 + await press(pilot, ["p", "enter"])  # F4 pressed above
    assert order(db_path, has.id)["status"] == "picked_up"
    return n


async def unscanned_scans(pilot, app, db_path) -> int:  # noqa: ANN001
    from stationdesk.tui.screens.scan import ScanScreen

    n = await press(pilot, ["f6", "s"])
    assert isinstance(app.screen, ScanScreen) and app.screen.query("#scan-targets")
    return n


async def accept_found(pilot, app, db_path) -> int:  # noqa: ANN001
    target = waiting_in_area(db_path)[-1]
    n = await press(pilot, ["f2", NUMBER, "enter", "a"], order(db_path, target)["logistics_no"])
    assert order(db_path, target)["status"] == "accepted"
    return n


RUNS = {  # one database for all: the batch, which accepts every waiting order, comes last
    "query by number": query_by_number,
    "accept the highlighted order": accept_highlighted,
    "accept an order found by number": accept_found,
    "transfer to the suggested station": transfer_suggested,
    "confirm the pickup of an order that has its waybill": confirm_pickup,
    "start the unscanned check's supplementary scans": unscanned_scans,
    "batch accept every waiting order in the area": batch_accept,
}


async def test_each_common_action_takes_the_keys_the_readme_says(make_app, db_path):
    counts = promised()
    for action, run in RUNS.items():
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert await run(pilot, app, db_path) == counts[action], action
