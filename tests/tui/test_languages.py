"""Every screen in both languages at 80x24: the desk's own words are all Chinese on a Chinese
desk and all English on an English one (customer and directory data aside), and no label or
column header is cut."""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len
from textual.widgets import Input, Label, OptionList, RichLog, Static

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
    texts += [w.placeholder for w in screen.query(Input) if w.placeholder]
    for options in screen.query(OptionList):  # pick lists, the command palette's commands
        for i in range(options.option_count):
            prompt = options.get_option_at_index(i).prompt
            texts.append(prompt.plain if hasattr(prompt, "plain") else str(prompt))
    texts += [strip.text for log in screen.query(RichLog) for strip in log.lines]  # scan results
    return texts


DATA = {"fields", "history", "conflict-message", "help-screen", "help-all"}  # customer data, or tables checked apart


def customer_data(db_path) -> list[str]:  # noqa: ANN001
    """What the feed wrote: names, districts, addresses, sources (any language, not the desk's)."""
    cols = ("sender_name", "sender_district", "sender_address", "source", "sender_city", "sender_province")
    found = {v for c in cols for (v,) in db_rows(db_path, f"SELECT DISTINCT {c} FROM orders") if v}
    for name, districts in db_rows(db_path, "SELECT name, districts FROM station"):  # the directory's words
        found |= {name, *(d for d in districts.replace(";", ",").split(",") if d)}
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
            problems.extend((where + " placeholder cut", p) for p in cut_inputs(app))
            problems.extend((where + " key missing", k) for k in key_bar_complete(app))
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


def cut_inputs(app) -> list[str]:  # noqa: ANN001
    """Placeholders of empty inputs wider than their field: the person reads a cut word."""
    return [w.placeholder for w in app.screen.query(Input)
            if w.placeholder and not w.value and w.content_size.width and cell_len(w.placeholder) > w.content_size.width]


def key_bar_complete(app) -> list[str]:  # noqa: ANN001
    """Every key live on the screen shows on its key bar (none dropped for want of room)."""
    missing = []
    for bar in app.screen.query(KeyBar):
        shown = [key for line in bar.lines(bar.size.width) for key, _desc, _on in line]
        missing += [key for key, _desc, _on in bar.entries() if key not in shown]
    return missing


TYPED = ("人手不够", "客户改约")  # what the clerk types is theirs, like the customer's data


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_palette_refusals_scans_and_dialogs_speak_one_language(make_app, db_path, lang):
    """Beyond the screens: the command palette (its commands, its 'no match'), a refusal by the
    rules, the scan results, the query screen with an order, F8 and F1, and each dialog; every key
    of each screen on its key bar."""
    app = make_app("[station]\nlanguage = \"en\"\n" if lang == "en" else "")
    problems: list[tuple[str, str]] = []
    data = customer_data(db_path) + list(TYPED)
    picked = db_rows(db_path, "SELECT logistics_no, waybill_no FROM orders WHERE status='picked_up' "
                              "AND waybill_no IS NOT NULL AND scanned_at IS NULL LIMIT 1")[0]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def look(where: str) -> list[str]:
            texts = chrome(app)
            problems.extend((where, t) for t in foreign(texts, app, lang, data))
            problems.extend((where + " cut", t) for t in texts if CUT.search(t))
            problems.extend((where + " key missing", k) for k in key_bar_complete(app))
            problems.extend((where + " placeholder cut", p) for p in cut_inputs(app))
            return texts

        async def keys(*pressed: str) -> None:
            for key in pressed:
                await pilot.press(key)
                await settle(pilot)

        await keys("ctrl+p")
        texts = look("palette")
        assert any(("接单" if lang == "zh" else "Accept") in t for t in texts), texts
        await keys(*"qqqzz")
        texts = look("palette no match")
        assert any(t.startswith("没有匹配的命令" if lang == "zh" else "No command matches") for t in texts), texts
        assert not any("No matches found" in t for t in texts), texts
        await keys("escape")

        await keys("f2", *picked["logistics_no"], "enter")
        look("f2 found")
        await keys("a")  # a picked-up order cannot be accepted: the rule's refusal
        said = look("f2 refusal")
        assert any(("不能执行" if lang == "zh" else "does not allow") in t for t in said), said
        await keys("enter")  # 详细数据 of the order found
        look("f2 details")
        await keys("x")  # a logistics exception on a picked-up order
        look("exception dialog")
        await keys("escape", "k")
        look("complaint dialog")
        await keys("escape", "escape")

        await keys("f3", "e")
        look("correct dialog")
        await keys("escape", "f")
        look("fail dialog")
        await keys("escape", "a")
        look("accepted")  # an outcome in the operator's language
        await keys("f4", "p")
        look("waybill dialog")
        await keys("escape")

        await keys("f7", *"559999999999", "enter", *picked["waybill_no"], "enter")
        scans = look("scan results")
        assert sum(picked["waybill_no"] in t for t in scans) >= 1, scans
        await keys("escape", "f8")
        look("f8")
        await keys("f1")
        look("f8 help")
        await keys("escape", "a")
        look("appeal dialog")
        await keys("escape", "f10")  # actions wait to be sent: the quit question
        look("quit question")
        await keys("escape")
    assert problems == [], "\n".join(f"{w}: {t}" for w, t in problems)


def test_the_catalogue_is_one_table_of_pairs():
    """The screens' words and the messages share one lookup: no key in both, every entry a pair
    of non-empty Chinese and English (the mark column aside), with the same {fields}."""
    import string

    from stationdesk.domain.words import MESSAGES
    from stationdesk.tui.i18n import LABELS, tr

    assert not set(LABELS) & set(MESSAGES)
    for key, (zh, en) in {**LABELS, **MESSAGES}.items():
        assert (zh == en == "") or (zh and en), key
        one_or_many = re.sub(r"\{(\w+)\|[^{}|]*\|[^{}]*\}", r"{\1}", en)  # English {n|order|orders} names the field n
        fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (zh, one_or_many)]
        assert fields[0] == fields[1], key
        assert not CJK.search(en), key
    assert tr("done.accepted", "en", ref="LP1") == "Order LP1 accepted"  # one lookup for both tables


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_f8_with_a_notice_and_a_refund_speaks_one_language(make_app, db_path, lang):
    """F8's picture with what the seeded station lacks: a penalty notice and a refund waiting."""
    from dataclasses import replace
    from datetime import timedelta

    from stationdesk.domain.words import Words
    from stationdesk.store.engine import Database
    from stationdesk.tui.screens.supervisor import load_picture, summary_text
    from tests.services.test_violations import deliver_notice
    from tui_support import NOW

    db = Database(db_path)
    deliver_notice(db, NOW - timedelta(hours=100), appeal_hours=72)  # its 3 days are over
    db.dispose()
    app = make_app()
    picture = replace(load_picture(app.desk), refunds=[
        {"fined_month": "2026-10", "fine": 300, "earned_month": "2026-11", "percent": 60, "amount": 180.0,
         "status": Words("refund.waiting")}])
    text = summary_text(picture, lang).plain
    assert picture.notices and ("申诉期已过" if lang == "zh" else "closed") in text, text
    assert ("待下月无违规" if lang == "zh" else "if next month is clean") in text, text
    clean = re.sub(r"\b[A-Za-z_]{1,6}\d{4,}\b|\d{4}-W\d\d", " ", text)
    if lang == "en":
        assert not CJK.search(clean), text
    else:
        assert [w for w in WORD.findall(clean) if w not in NEUTRAL] == [], text


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_at_80_columns_the_status_bar_keeps_every_number(make_app, lang):
    """Big counts, open conflicts and a long operator name: the labels give way, never a number."""
    from dataclasses import replace

    from stationdesk.sync.station import SyncStatus

    app = make_app('[station]\nlanguage = "en"\n' if lang == "en" else "")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.counts = replace(app.counts, waiting=1234, overdue=987)
        app.sync.status = SyncStatus(None, 35678, 12)
        bar = app.screen.query_one(StatusBar)
        await pilot.pause()
        pieces = bar.pieces(80)
        line = "  ".join(f"{label} {value}".strip() for label, value, _ in pieces)
        assert cell_len(line) <= 80, line
        values = [value for _label, value, _kind in pieces]
        assert {"1234", "987", "35678", "12"} <= set(values), line
        assert bar.render().plain.rstrip().endswith("12"), bar.render().plain  # drawn whole, to the last count
