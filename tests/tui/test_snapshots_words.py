"""The screens whose words changed, at 80x24 and 120x40 in both languages: the command palette
(a search with no match), a refusal by the rules, the scan results, F8 and the query screen.

The SVG renderer draws CJK characters one cell wide (a known rich limitation): the column
alignment of Chinese text is checked in a real terminal, not here.
"""

from __future__ import annotations

import pytest

from tui_support import db_rows
from test_snapshots import steps

SIZES = [(80, 24), (120, 40)]
LANGS = ["zh", "en"]


def _app(make_app, lang):  # noqa: ANN001, ANN202
    return make_app('[station]\nlanguage = "en"\n' if lang == "en" else "")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
def test_the_palette_with_no_match(make_app, snap_compare, lang, size):
    assert snap_compare(_app(make_app, lang), terminal_size=size, run_before=steps("ctrl+p", *"qqqzz"))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
def test_a_refusal_on_the_query_screen(make_app, db_path, snap_compare, lang, size):
    number = db_rows(db_path, "SELECT logistics_no FROM orders WHERE status = 'picked_up' ORDER BY id LIMIT 1")[0][0]
    assert snap_compare(_app(make_app, lang), terminal_size=size, run_before=steps("f2", *number, "enter", "a"))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
def test_scan_results(make_app, db_path, snap_compare, lang, size):
    number = db_rows(db_path, "SELECT waybill_no FROM orders WHERE status = 'accepted' AND waybill_no IS NOT NULL "
                              "ORDER BY id LIMIT 1")[0]["waybill_no"]
    keys = ("f7", *number, "enter", *"12AB", "enter", *"559999999999", "enter", *number, "enter")
    assert snap_compare(_app(make_app, lang), terminal_size=size, run_before=steps(*keys))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
def test_supervisor_screen(make_app, snap_compare, lang, size):
    assert snap_compare(_app(make_app, lang), terminal_size=size, run_before=steps("f8"))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
def test_pickup_screen(make_app, snap_compare, lang, size):
    assert snap_compare(_app(make_app, lang), terminal_size=size, run_before=steps("f4"))
