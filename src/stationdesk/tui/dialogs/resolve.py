"""处理冲突: close one sync conflict with a note saying which new action settled it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from stationdesk.domain.text import clean_text
from stationdesk.tui.dialogs.base import ActionDialog

if TYPE_CHECKING:
    from stationdesk.tui.screens.conflicts import ConflictView

MAX_RESOLUTION = 500  # what the conflict table keeps

WORDS: dict[str, tuple[str, str]] = {
    "title": ("处理冲突 {id}: {ref}", "Resolve conflict {id}: {ref}"),
    "hint": ("写明用什么新操作解决了冲突 (如: 已做撤单处理 / 已转单至 XX), 按 Enter 保存; 订单本身不会被改动",
             "Say which new action settled it (e.g. cancellation handled / transferred to XX), Enter saves; "
             "the order itself is not changed"),
    "note": ("处理结果", "Resolution"),
    "required": ("请写明处理结果", "Say how it was resolved"),
    "unsaved": ("{title}: 输入未保存", "{title}: input not saved"),
}


def word(key: str, lang: str, **values: object) -> str:
    zh, en = WORDS[key]
    return (en if lang == "en" else zh).format(**values)


class ResolveDialog(ActionDialog):
    def __init__(self, conflict: ConflictView) -> None:
        self.conflict = conflict
        super().__init__("")

    def dialog_title(self) -> str:
        return word("title", self.lang, id=self.conflict.id, ref=self.conflict.ref)

    def compose_fields(self) -> ComposeResult:
        yield Static(Text(self.conflict.message))
        yield Static(Text(word("hint", self.lang)), classes="dialog-hint")
        yield Input(placeholder=word("note", self.lang), max_length=MAX_RESOLUTION, compact=True, id="resolution")

    def on_mount(self) -> None:
        self.query_one("#resolution", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        from stationdesk.tui.screens.conflicts import resolve

        note = clean_text(self.query_one("#resolution", Input).value)
        if not note:
            self.show_error(word("required", self.lang))
            return
        app = self.desk_app
        self.run_service(resolve, app.desk, self.conflict.id, note, app.operator, self.lang)

    def unsaved(self) -> list[str]:
        if self.query_one("#resolution", Input).value.strip():
            return [word("unsaved", self.lang, title=self.dialog_title())]
        return []
