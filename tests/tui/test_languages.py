"""Every screen in both languages at 80x24: the desk's own words are all Chinese on a Chinese
desk and all English on an English one (customer and directory data aside), and no label or
column header is cut."""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len
from textual.widgets import Label, Static

from stationdesk.tui.widgets.key_bar import KeyBar
from stationdesk.tui.widgets.order_list import OrderList
from stationdesk.tui.widgets.status_bar import MessageLine, StatusBar
from tui_support import OPERATOR, db_rows, settle

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
WORD = re.compile(r"[A-Za-z]{3,}")
# Key names and file names read the same in both languages.
NEUTRAL = {"Enter", "Esc", "PgDn", "PgUp", "Home", "End", "Space", "Ctrl", "Tab", "Bksp", "Del", "config", "toml",
           "keys", "YYYY", "APP"}


def chrome(app) -> list[str]:  # noqa: ANN001
    """The desk's own words on the screen in view: bars, heading, labels, headers, hints."""
    screen = app.screen
    texts = [bar.render().plain for bar in screen.query(StatusBar)]
    texts += [line.render().plain for line in screen.query(MessageLine)]
    texts += [f"{key} {desc}" for bar in screen.query(KeyBar) for key, desc, _on in bar.entries()]
    texts += [lst.render_line(0).text for lst in screen.query(OrderList)]
    texts += [str(w.render()) for w in screen.query(Label)]
    for w in screen.query(Static):
        if w.id not in DATA:
            rendered = w.render()
            texts.append(rendered.plain if hasattr(rendered, "plain") else str(rendered))
    return texts


DATA = {"fields", "history", "conflict-message", "help-screen", "help-all"}  # customer data, or tables checked apart


def customer_data(db_path) -> list[str]:  # noqa: ANN001
    """What the feed wrote: names, districts, addresses, sources (any language, not the desk's)."""
    cols = ("sender_name", "sender_district", "sender_address", "source", "sender_city", "sender_province")
    found = {v for c in cols for (v,) in db_rows(db_path, f"SELECT DISTINCT {c} FROM orders") if v}
    return sorted(found, key=len, reverse=True)


def strip_data(text: str, app, data: list[str]) -> str:  # noqa: ANN001
    """Take out what is data, not the desk's words: the station's name, the operator, numbers."""
    for value in (app.station.name, OPERATOR, str(app.db_path), app.db_path.name, *data):
        if value in text:
            text = text.replace(value, " ")
    return re.sub(r"\b[A-Za-z_]{1,6}\d{4,}\b", " ", text)  # order numbers (LP.., CT_H_..)


CUT = re.compile(r"\S[~…](\s|$)")  # a cell or label cut short ('picked ~'); not a range '11-23~11-29'



def foreign(texts: list[str], app, lang: str, data: list[str]) -> list[str]:  # noqa: ANN001
    found = []
    for text in texts:
        clean = strip_data(text, app, data)
        if lang == "en" and CJK.search(clean):
            found.append(text)
        if lang == "zh" and [w for w in WORD.findall(clean) if w not in NEUTRAL]:
            found.append(text)
    return found


SCREENS = ("f3", "f4", "f2", "f6", "f7", "f8", "f9")


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_screen_speaks_one_language_and_cuts_no_label(make_app, db_path, lang):
    app = make_app('[station]\nlanguage = "en"\n' if lang == "en" else "")
    problems: list[tuple[str, str]] = []
    data = customer_data(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def look(where: str) -> None:
            texts = chrome(app)
            problems.extend((where, t) for t in foreign(texts, app, lang, data))
            problems.extend((where + " cut", t) for t in texts if CUT.search(t))
            for heading in app.screen.query("#heading"):  # one line: it must fit the width
                text = heading.render().plain
                if cell_len(text) > heading.size.width - 2:
                    problems.append((where + " heading cut", text))

        for key in SCREENS:
            await pilot.press(key)
            await settle(pilot)
            look(key)
            await pilot.press("f1")
            await settle(pilot)
            look(key + " help")
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        for key in ("enter", "t", "f", "space"):  # details, transfer, fail, a selection's word
            await pilot.press(key)
            await settle(pilot)
            look("f3 " + key)
            if key != "space":
                await pilot.press("escape")
                await settle(pilot)
        await pilot.press("f4", "p")
        await settle(pilot)
        look("f4 p")
        await pilot.press("escape")
        await settle(pilot)
        number = db_rows(db_path, "SELECT logistics_no FROM orders LIMIT 1")[0][0]
        await pilot.press("f2", *number, "enter", "a")  # a refusal: its words too
        await settle(pilot)
        look("f2 refusal")
    assert problems == [], "\n".join(f"{w}: {t}" for w, t in problems)
