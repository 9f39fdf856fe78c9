"""The one key registry and the bindings built from it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest
from textual.binding import Binding
from textual.widgets import Input

from stationdesk import keymap
from stationdesk.tui.app import StationDeskApp, build_app
from stationdesk.tui.dialogs.base import ActionDialog
from stationdesk.tui.dialogs.confirm import ConfirmDialog
from stationdesk.tui.dialogs.reason import ReasonDialog
from stationdesk.tui.dialogs.transfer import TransferDialog
from stationdesk.tui.dialogs.waybill import WaybillDialog
from stationdesk.tui.keys import ACTION_CALLS, key_display
from stationdesk.tui.screens.accept import AcceptList, AcceptScreen
from stationdesk.tui.screens.detail import DetailScreen
from stationdesk.tui.screens.help import HelpScreen
from stationdesk.tui.screens.pickup import PickupList, PickupScreen
from stationdesk.tui.screens.query import QueryList, QueryScreen
from stationdesk.tui.screens.unscanned import UnscannedScreen
from stationdesk.tui.widgets.filter_bar import FilterBar
from stationdesk.tui.widgets.order_list import OrderList
from stationdesk.tui.widgets.query_form import QueryForm

from stationdesk.tui.screens.scan import ScanScreen  # noqa: E402
from stationdesk.tui.screens.supervisor import SupervisorScreen  # noqa: E402
from stationdesk.tui.screens.unscanned import UnscannedList  # noqa: E402
from stationdesk.tui.screens.conflicts import ConflictsScreen  # noqa: E402
from stationdesk.tui.dialogs.resolve import ResolveDialog  # noqa: E402
from stationdesk.tui.dialogs.correct import CorrectDialog  # noqa: E402
from stationdesk.tui.dialogs.duplicate import DuplicateDialog  # noqa: E402
from stationdesk.tui.dialogs.follow_up import FollowUpDialog  # noqa: E402
from stationdesk.tui.screens.exceptions import ExceptionsScreen  # noqa: E402

NODES = [StationDeskApp, AcceptScreen, PickupScreen, QueryScreen, UnscannedScreen, DetailScreen, HelpScreen,
         OrderList, AcceptList, PickupList, QueryList, FilterBar, QueryForm, ActionDialog, ConfirmDialog,
         ReasonDialog, TransferDialog, WaybillDialog, ScanScreen, UnscannedList, SupervisorScreen, ConflictsScreen,
         ResolveDialog, CorrectDialog, DuplicateDialog, FollowUpDialog, ExceptionsScreen]


def own_bindings(cls: type) -> list[Binding]:
    return [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]


@pytest.mark.parametrize("cls", NODES, ids=lambda c: c.__name__)
def test_every_binding_comes_from_the_registry(cls):
    for binding in cls.__dict__.get("BINDINGS", []):
        assert isinstance(binding, Binding)
        assert binding.id in keymap.BY_ID, binding
        entry = keymap.BY_ID[binding.id]
        assert binding.description == entry.zh and binding.tooltip == entry.en
        assert binding.key == entry.key


def test_every_registry_action_is_bound_somewhere():
    bound = {b.id for cls in NODES for b in own_bindings(cls)}
    assert bound == set(keymap.BY_ID)
    assert set(ACTION_CALLS) == set(keymap.BY_ID)


@pytest.mark.parametrize("cls", [AcceptScreen, PickupScreen, QueryScreen, FilterBar, QueryForm, ActionDialog,
                                 ReasonDialog, TransferDialog, WaybillDialog, StationDeskApp],
                         ids=lambda c: c.__name__)
def test_no_single_letter_keys_where_a_scanner_types(cls):
    """Letters live on the order lists only: a field with focus never fires an action."""
    for binding in own_bindings(cls):
        assert len(binding.key) > 1 and binding.key not in ("space", "slash"), binding


def test_the_default_keys_do_not_clash():
    assert keymap.check_overrides({}) == []


def test_overrides_are_checked():
    assert keymap.check_overrides({"accept.accept": "y"}) == []
    assert "unknown action" in keymap.check_overrides({"accept.nope": "y"})[0]
    assert "unknown key" in keymap.check_overrides({"accept.accept": "bogus"})[0]
    assert "unknown modifier" in keymap.check_overrides({"accept.accept": "hyperr+a"})[0]
    clash = keymap.check_overrides({"accept.accept": "b"})
    assert clash and "accept.batch" in clash[0] and "accept.accept" in clash[0]
    assert keymap.check_overrides({"pickup.confirm": "a"}) == []  # a different screen


def test_keys_are_normalised():
    keys = keymap.keys_of({"list.filter": "/", "app.quit": "F12", "accept.select_all": "Ctrl+X"})
    assert (keys["list.filter"], keys["app.quit"], keys["accept.select_all"]) == ("slash", "f12", "ctrl+x")
    assert key_display("ctrl+a") == "Ctrl+A" and key_display("pagedown") == "PgDn" and key_display("f3") == "F3"


def test_bad_keys_are_ignored_with_a_warning(make_app):
    """Config validation refuses them first; the app still never applies a clashing table."""
    desk = make_app().desk
    desk.config = replace(desk.config, keys={"accept.accept": "b"})
    app = build_app(desk, operator="x")
    assert app.key_overrides == {} and "accept.batch" in app._key_problems[0]


def test_the_registry_does_not_import_textual():
    code = "import sys, stationdesk.keymap; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_input_fields_consume_letters(make_app):
    """Textual itself drops a focused Input's printable keys from the bindings: a second guard."""
    assert Input().check_consume_key("a", "a")
