"""Bindings built from the one key registry (stationdesk.keymap), and how keys are shown."""

from __future__ import annotations

from textual.binding import Binding

from stationdesk.keymap import BY_ID

# What each registry action runs, as a Textual action string on the node that binds it.
ACTION_CALLS: dict[str, str] = {
    "app.help": "help",
    "app.query": "open_query",
    "app.accept": "open_accept",
    "app.pickup": "switch_mode('pickup')",
    "app.refresh": "refresh",
    "app.unscanned": "switch_mode('unscanned')",
    "app.scan": "switch_mode('scan')",
    "app.supervisor": "open_supervisor",
    "app.conflicts": "switch_mode('conflicts')",
    "app.sync": "sync_now",
    "app.quit": "request_quit",
    "app.help_also": "help",
    "app.quit_also": "request_quit",
    "app.palette": "command_palette",
    "app.ack_alert": "ack_alert",
    "list.details": "screen.details",
    "list.down": "cursor_down",
    "list.up": "cursor_up",
    "list.page_down": "page_down",
    "list.page_up": "page_up",
    "list.first": "first_page",
    "list.last": "last_page",
    "list.filter": "screen.filter",
    "accept.accept": "screen.accept",
    "accept.toggle": "screen.toggle",
    "accept.select_all": "screen.select_all",
    "accept.batch": "screen.batch",
    "accept.transfer": "screen.transfer",
    "accept.fail": "screen.fail",
    "accept.duplicate": "screen.duplicate",
    "list.correct": "screen.correct",
    "list.exception": "screen.record_exception",
    "list.complain": "screen.complain",
    "app.exceptions": "switch_mode('exceptions')",
    "exceptions.contacted": "contacted",
    "exceptions.resolve": "resolve",
    "pickup.confirm": "screen.confirm",
    "pickup.fail": "screen.fail",
    "pickup.transfer": "screen.transfer",
    "query.cancel_handled": "screen.cancel_handled",
    "query.accept": "screen.accept",
    "query.pickup": "screen.pickup",
    "query.transfer": "screen.transfer",
    "query.fail": "screen.fail",
    "detail.accept": "accept",
    "detail.pickup": "pickup",
    "detail.transfer": "transfer",
    "detail.fail": "fail",
    "unscanned.scan": "screen.scan_these",
    "scan.close": "screen.close",
    "conflicts.resolve": "resolve",
    "conflicts.details": "details",
    "filter.close": "close",
    "detail.reveal": "reveal",
    "detail.close": "close",
    "dialog.confirm": "confirm",
    "dialog.save": "submit",
    "dialog.down": "next_option",
    "dialog.up": "previous_option",
    "dialog.cancel": "cancel",
    "help.close": "close",
    "supervisor.appeal": "appeal",
}


def bind(action_id: str, *, priority: bool = False, action: str | None = None) -> Binding:
    """The Binding of a registry action: its id, default key and description come from the registry."""
    entry = BY_ID[action_id]
    return Binding(
        entry.key, action or ACTION_CALLS[action_id], entry.zh, show=entry.show,
        priority=priority, tooltip=entry.en, id=entry.id,
    )


_NAMES = {
    "enter": "Enter", "escape": "Esc", "space": "Space", "pagedown": "PgDn", "pageup": "PgUp",
    "home": "Home", "end": "End", "slash": "/", "up": "Up", "down": "Down", "left": "Left",
    "right": "Right", "tab": "Tab", "backspace": "Bksp", "delete": "Del", "insert": "Ins",
    "question_mark": "?", "minus": "-", "plus": "+", "comma": ",", "full_stop": ".",
}


def key_display(key: str) -> str:
    """'f3' -> 'F3', 'ctrl+a' -> 'Ctrl+A', 'pagedown' -> 'PgDn'; several keys joined by '/'."""
    shown = []
    for one in key.split(","):
        *mods, base = one.strip().split("+")
        if base in _NAMES:
            name = _NAMES[base]
        elif base.startswith("f") and base[1:].isdigit():
            name = base.upper()
        else:
            name = base.upper() if mods else base
        shown.append("+".join([*(m.capitalize() for m in mods), name]))
    return "/".join(shown)
