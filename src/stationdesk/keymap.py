"""The one key registry: every action a key runs, its default key, what it does (zh/en) and
where it applies. Pure data with no UI import, so config validation and `stationdesk keys`
can read it; the screens build their bindings from it and `[keys]` in config.toml remaps it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Where a key applies (zh, en). A screen is a set of these contexts, see SCREEN_CONTEXTS.
SCOPES: dict[str, tuple[str, str]] = {
    "app": ("全局", "everywhere"),
    "list": ("订单列表", "order lists"),
    "accept": ("网点接单列表", "accept list"),
    "pickup": ("网点揽件列表", "pickup list"),
    "query": ("电商订单查询列表", "order query list"),
    "filter": ("筛选栏", "filter bar"),
    "detail": ("详细数据", "order details"),
    "dialog": ("对话框", "dialogs"),
    "help": ("帮助", "help"),
    "unscanned": ("网点未揽收查询", "unscanned orders"),
    "scan": ("揽收扫描", "pickup scan"),
    "conflicts": ("同步冲突", "sync conflicts"),
    "supervisor": ("主管报表", "supervisor reports"),
    "exceptions": ("物流异常与投诉", "exceptions and complaints"),
}

# The contexts that are live together on each screen: one key may serve one action per screen.
SCREEN_CONTEXTS: dict[str, tuple[str, ...]] = {
    "accept": ("app", "list", "accept", "filter"),
    "pickup": ("app", "list", "pickup", "filter"),
    "query": ("app", "list", "query", "filter"),
    "unscanned": ("app", "list", "unscanned"),
    "scan": ("app", "scan"),
    "supervisor": ("app", "supervisor"),
    "conflicts": ("app", "conflicts"),
    "exceptions": ("app", "exceptions"),
    "detail": ("app", "detail"),
    "dialog": ("app", "dialog"),
    "help": ("app", "help"),
}


@dataclass(frozen=True)
class KeyAction:
    """One remappable action: ``id`` is what `[keys]` in config.toml names."""

    id: str
    key: str
    zh: str
    en: str
    scope: str
    show: bool = True  # listed in the key bar (every action is listed in help)

    def description(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("app.help", "f1", "帮助", "Help", "app"),
    KeyAction("app.query", "f2", "电商订单查询", "Order query", "app"),
    KeyAction("app.accept", "f3", "网点接单", "Accept", "app"),
    KeyAction("app.pickup", "f4", "网点揽件", "Pickup", "app"),
    KeyAction("app.refresh", "f5", "刷新", "Refresh", "app"),
    KeyAction("app.unscanned", "f6", "网点未揽收查询", "Unscanned", "app"),
    KeyAction("app.scan", "f7", "揽收扫描", "Pickup scan", "app"),
    KeyAction("app.supervisor", "f8", "主管报表", "Supervisor", "app"),
    KeyAction("app.conflicts", "f9", "同步冲突", "Sync conflicts", "app"),
    KeyAction("app.sync", "ctrl+r", "同步", "Sync now", "app"),
    KeyAction("app.quit", "f10", "退出", "Quit", "app"),
    KeyAction("app.palette", "ctrl+p", "命令", "Commands", "app"),
    # Second keys for terminals that take F1/F10 for themselves (GNOME Terminal, some 80-column
    # footers): `?` only reaches the app where no input has the focus, so a scanner never types it.
    KeyAction("app.help_also", "question_mark", "帮助", "Help", "app", show=False),
    KeyAction("app.quit_also", "ctrl+q", "退出", "Quit", "app", show=False),
    KeyAction("app.ack_alert", "escape", "确认提醒", "Acknowledge alert", "app"),
    KeyAction("list.details", "enter", "详细数据", "Details", "list"),
    KeyAction("list.down", "down", "下移", "Down", "list", show=False),
    KeyAction("list.up", "up", "上移", "Up", "list", show=False),
    KeyAction("list.page_down", "pagedown", "下一页", "Next page", "list"),
    KeyAction("list.page_up", "pageup", "上一页", "Previous page", "list"),
    KeyAction("list.first", "home", "首页", "First page", "list", show=False),
    KeyAction("list.last", "end", "末页", "Last page", "list", show=False),
    KeyAction("list.filter", "slash", "筛选", "Filter", "list"),
    KeyAction("accept.accept", "a", "接单", "Accept", "accept"),
    KeyAction("accept.toggle", "space", "选择", "Select", "accept"),
    KeyAction("accept.select_all", "ctrl+a", "全选等待接单", "Select all waiting", "accept"),
    KeyAction("accept.batch", "b", "批量接单", "Batch accept", "accept"),
    KeyAction("accept.transfer", "t", "转单", "Transfer", "accept"),
    KeyAction("accept.fail", "f", "接单失败", "Fail acceptance", "accept"),
    KeyAction("accept.duplicate", "d", "重复下单处理", "Handle a likely duplicate", "accept", show=False),
    KeyAction("list.correct", "e", "更正客户信息", "Correct customer details", "list", show=False),
    KeyAction("list.exception", "x", "登记物流异常", "Record a logistics exception", "list", show=False),
    KeyAction("list.complain", "k", "登记客户投诉", "Record a complaint", "list", show=False),
    KeyAction("app.exceptions", "ctrl+o", "物流异常与投诉", "Exceptions and complaints", "app", show=False),
    KeyAction("exceptions.contacted", "c", "已联系客户", "Customer contacted", "exceptions"),
    KeyAction("exceptions.resolve", "r", "处理/关闭", "Resolve / close", "exceptions"),
    KeyAction("pickup.confirm", "p", "揽件确认", "Confirm pickup", "pickup"),
    KeyAction("pickup.fail", "f", "揽收失败", "Fail pickup", "pickup"),
    KeyAction("pickup.transfer", "t", "转单", "Transfer", "pickup"),
    KeyAction("query.cancel_handled", "h", "已做撤单处理", "Mark cancellation handled", "query"),
    KeyAction("query.accept", "a", "接单", "Accept", "query"),
    KeyAction("query.pickup", "p", "揽件确认", "Confirm pickup", "query"),
    KeyAction("query.transfer", "t", "转单", "Transfer", "query"),
    KeyAction("query.fail", "f", "接单/揽收失败", "Fail", "query"),
    KeyAction("unscanned.scan", "s", "补扫描", "Scan these", "unscanned"),
    KeyAction("scan.close", "escape", "返回", "Back", "scan"),
    KeyAction("conflicts.resolve", "r", "处理冲突", "Resolve conflict", "conflicts"),
    KeyAction("conflicts.details", "enter", "详细数据", "Details", "conflicts"),
    KeyAction("filter.close", "escape", "返回列表", "Back to list", "filter"),
    KeyAction("detail.reveal", "v", "显示/隐藏电话", "Show/hide phone", "detail"),
    KeyAction("detail.close", "escape", "返回", "Back", "detail"),
    KeyAction("detail.accept", "a", "接单", "Accept", "detail"),
    KeyAction("detail.pickup", "p", "揽件确认", "Confirm pickup", "detail"),
    KeyAction("detail.transfer", "t", "转单", "Transfer", "detail"),
    KeyAction("detail.fail", "f", "接单/揽收失败", "Fail", "detail"),
    KeyAction("dialog.confirm", "enter", "确定", "OK", "dialog"),
    KeyAction("dialog.save", "ctrl+s", "保存", "Save", "dialog"),
    KeyAction("dialog.cancel", "escape", "取消", "Cancel", "dialog"),
    KeyAction("dialog.down", "down", "下一个", "Next", "dialog", show=False),
    KeyAction("dialog.up", "up", "上一个", "Previous", "dialog", show=False),
    KeyAction("help.close", "escape", "关闭帮助", "Close help", "help"),
    KeyAction("supervisor.appeal", "a", "违规申诉", "Appeal a fine", "supervisor"),
)

BY_ID: dict[str, KeyAction] = {a.id: a for a in ACTIONS}

_MODIFIERS = ("ctrl", "shift", "alt", "super", "meta", "hyper")
_NAMED = {
    "enter", "escape", "space", "tab", "backspace", "delete", "insert", "home", "end", "pageup",
    "pagedown", "up", "down", "left", "right", "slash", "backslash", "minus", "plus", "equals_sign",
    "comma", "full_stop", "colon", "semicolon", "question_mark", "exclamation_mark", "asterisk",
    "number_sign", "left_square_bracket", "right_square_bracket", "apostrophe", "quotation_mark",
}
_BASE = re.compile(r"f([1-9]|1[0-9]|2[0-4])|[a-z0-9]")
# Printable characters people write in config.toml, and the key names the terminal reports.
_CHAR_NAMES = {"/": "slash", " ": "space", "?": "question_mark", "-": "minus", "+": "plus", "=": "equals_sign",
               ",": "comma", ".": "full_stop", ":": "colon", ";": "semicolon", "!": "exclamation_mark",
               "*": "asterisk", "#": "number_sign", "[": "left_square_bracket", "]": "right_square_bracket",
               "'": "apostrophe", '"': "quotation_mark", "\\": "backslash"}


def normalise_key(text: str) -> str:
    """One key in the form the screen reports it: 'F3' -> 'f3', 'Ctrl+A' -> 'ctrl+a', '/' -> 'slash'."""
    value = text.strip()
    if len(value) == 1:
        return _CHAR_NAMES.get(value, value)
    *mods, base = value.split("+")
    base = base.strip()
    base = _CHAR_NAMES.get(base, base.lower())  # with a modifier, 'Ctrl+X' is 'ctrl+x'
    return "+".join([*(m.strip().lower() for m in mods), base])


def key_problem(text: str) -> str | None:
    """Why ``text`` is not a key name (for config validation), or None when it is one."""
    if not isinstance(text, str) or not text.strip():
        return f"expected a key name such as \"f3\" or \"ctrl+a\", got {text!r}"
    for part in text.split(","):
        key = normalise_key(part)
        *mods, base = key.split("+")
        if not base:
            return f"no key after the modifiers in {part.strip()!r}"
        bad_mods = [m for m in mods if m not in _MODIFIERS]
        if bad_mods:
            return f"unknown modifier {bad_mods[0]!r} in {part.strip()!r} (use {', '.join(_MODIFIERS)})"
        if len(base) == 1 and base.isprintable():
            continue
        if base not in _NAMED and not _BASE.fullmatch(base):
            return f"unknown key {part.strip()!r} (e.g. f3, ctrl+a, enter, space, pagedown, /)"
    return None


def keys_of(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every action id with its key after ``overrides`` (action id -> key), normalised."""
    overrides = overrides or {}
    return {
        a.id: ",".join(normalise_key(k) for k in (overrides.get(a.id) or a.key).split(","))
        for a in ACTIONS
    }


def check_overrides(overrides: Mapping[str, str]) -> list[str]:
    """Every problem with a `[keys]` table: unknown action ids, bad key names, and two actions
    that would answer the same key on one screen. Empty when the table is good."""
    problems: list[str] = []
    for action_id, key in overrides.items():
        if action_id not in BY_ID:
            problems.append(f"[keys] {action_id}: unknown action (see `stationdesk keys` for the list)")
        elif (why := key_problem(key)) is not None:
            problems.append(f"[keys] {action_id}: {why}")
    if problems:
        return problems
    problems.extend(clashes(keys_of(overrides)))
    return problems


def clashes(keys: Mapping[str, str]) -> list[str]:
    """Pairs of actions bound to the same key within one screen's contexts."""
    found: list[str] = []
    seen: set[tuple[str, str]] = set()
    for screen, contexts in SCREEN_CONTEXTS.items():
        owner: dict[str, str] = {}
        for action in ACTIONS:
            if action.scope not in contexts:
                continue
            for key in keys[action.id].split(","):
                other = owner.setdefault(key, action.id)
                pair = (min(other, action.id), max(other, action.id))
                if other != action.id and not _may_share(other, action.id) and pair not in seen:
                    seen.add(pair)
                    found.append(f"[keys] {pair[0]} and {pair[1]} both use {key!r} on the {screen} screen")
    return found


# Escape closes whichever layer has focus (filter bar, details, dialog, help): never at once.
# With none open, it acknowledges a shown alert.
_LAYERED = {"filter.close", "detail.close", "dialog.cancel", "help.close", "scan.close", "app.ack_alert"}


def _may_share(a: str, b: str) -> bool:
    return a in _LAYERED and b in _LAYERED


def in_scopes(scopes: Iterable[str]) -> list[KeyAction]:
    wanted = set(scopes)
    return [a for a in ACTIONS if a.scope in wanted]
