"""Text that reached the database behind the app's back (an edited file, a bad sync) still cannot
drive the terminal: every drawn line of every screen is plain, drawable text."""

from __future__ import annotations

import unicodedata

from textual.geometry import Region

from stationdesk.tui.screens.detail import DetailScreen
from stationdesk.tui.widgets.order_list import OrderList
from tui_support import db_exec, db_rows, settle

SIZE = (120, 40)
BIDI_AND_INVISIBLE = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\ufeff\u200b")
HOSTILE = {
    "sender_name": "\x1b[2J张\u202e三",
    "sender_address": "\x1b]8;;http://evil.example/\x1b\\文三路\x1b]8;;\x1b\\",
    "note": "\x07\x00备注\r\n第二行",
    "goods": "\x9b6n文件\u200b\u2060\u00ad",
    "sender_district": "西湖区\x1b[0m",
    "sender_city": "杭州\U000e0041\U000e007f市\u2028",
    "sender_province": "浙江\u2029省\ufe0f\ufe0f\ufe0f",
}


def drawn_text(screen) -> str:  # noqa: ANN001
    """Every character the screen's visible widgets draw, control segments included."""
    out = []
    for widget in screen.walk_children(with_self=True):
        if not widget.display or not widget.size.area:
            continue
        for strip in widget.render_lines(Region(0, 0, widget.size.width, widget.size.height)):
            for segment in strip:
                assert not segment.control, f"{type(widget).__name__} emits a control segment"
                out.append(segment.text)
        out.append("\n")
    return "".join(out)


def undrawable(text: str) -> list[str]:
    """Controls, format characters (bidi, zero-width, tags), separators, and variation selector runs."""
    bad = [repr(ch) for ch in text if ch != "\n" and (unicodedata.category(ch) in ("Cc", "Cs", "Cf", "Zl", "Zp")
                                                      or ch in BIDI_AND_INVISIBLE)]
    return bad + ["VS run" for a, b in zip(text, text[1:]) if "\ufe00" <= a <= "\ufe0f" and "\ufe00" <= b <= "\ufe0f"]


async def test_hostile_text_in_the_database_never_reaches_the_screen_raw(make_app, db_path):
    target = db_rows(db_path, "SELECT id FROM orders WHERE status = 'waiting' ORDER BY order_time, id LIMIT 1")[0]["id"]
    sets = ", ".join(f"{name} = ?" for name in HOSTILE)
    db_exec(db_path, f"UPDATE orders SET {sets} WHERE id = ?", *HOSTILE.values(), target)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        assert lst.views[0].id == target
        text = drawn_text(app.screen)
        assert "张" in text and "三" in text  # the name is shown, without what came with it
        assert undrawable(text) == []
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        text = drawn_text(app.screen)
        assert "文三路" in text and "备注" in text and "第二行" in text
        assert undrawable(text) == []
