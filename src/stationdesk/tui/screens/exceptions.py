"""物流异常与投诉: the open logistics exceptions (age, customer contacted or not) and the open
complaints with the time left of their 48 hours, counted down on every refresh; a complaint near
its deadline is marked escalated. Keys: contacted and resolve on an exception, close on a
complaint (with the customer's confirmation). Recording either starts from an order list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from stationdesk.domain.exceptions import (
    STATE_LABELS, ComplaintCategory, ComplaintChannel, ExceptionKind, label, parse_category, parse_channel, parse_kind,
)
from stationdesk.domain.text import clean_text
from stationdesk.keymap import keys_of
from stationdesk.services import complaints, logistics
from stationdesk.services.context import Desk
from stationdesk.tui.dialogs.follow_up import FollowUpDialog
from stationdesk.tui.i18n import time_left, tr
from stationdesk.tui.host import DeskHost
from stationdesk.tui.keys import bind, key_display
from stationdesk.tui.screens.base import DeskScreen

X_COLUMNS = ("logistics_no", "kind", "age", "contacted", "note")
C_COLUMNS = ("no", "logistics_no", "category", "channel", "left", "state", "note")


@dataclass
class Picture:
    exceptions: list[dict[str, Any]]
    complaints: list[dict[str, Any]]


def load_picture(desk: Desk) -> Picture:
    return Picture(logistics.open_exceptions(desk), complaints.open_complaints(desk))


def exception_dialog(host: DeskHost, order_id: int, ref: str) -> FollowUpDialog:
    lang = host.lang

    def run(kind: str, note: str) -> Any:
        return logistics.record_exception(host.desk, order_id, parse_kind(kind), note, host.operator)

    kinds = [(k.value, label(k.value, lang)) for k in ExceptionKind]
    return FollowUpDialog(tr("lx.record_title", lang, ref=ref), [(tr("lx.kind", lang), kinds)],
                          tr("lx.cause", lang), run)


def complaint_dialog(host: DeskHost, order_id: int, ref: str) -> FollowUpDialog:
    lang = host.lang

    def run(channel: str, category: str, note: str) -> Any:
        return complaints.record_complaint(host.desk, order_id, parse_channel(channel), parse_category(category), note,
                                           host.operator)

    channels = [(c.value, label(c.value, lang)) for c in ComplaintChannel]
    categories = [(c.value, label(c.value, lang)) for c in ComplaintCategory]
    return FollowUpDialog(tr("cp.record_title", lang, ref=ref),
                          [(tr("cp.channel", lang), channels), (tr("cp.category", lang), categories)],
                          tr("cp.note", lang), run)


class ExceptionsScreen(DeskScreen):
    CONTEXT: ClassVar[str] = "exceptions"
    TITLE_KEY: ClassVar[str] = "screen.exceptions"
    BINDINGS = [bind("exceptions.contacted"), bind("exceptions.resolve")]

    def __init__(self) -> None:
        super().__init__()
        self.picture: Picture | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(Text(tr("lx.open", self.lang)), classes="section-title")
        yield DataTable(id="exceptions", cursor_type="row", zebra_stripes=True)
        yield Static(Text(tr("cp.open", self.lang)), classes="section-title")
        yield DataTable(id="complaints", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for table_id, columns in (("#exceptions", X_COLUMNS), ("#complaints", C_COLUMNS)):
            table = self.query_one(table_id, DataTable)
            for key in columns:
                table.add_column(Text(tr(f"lxcol.{key}", self.lang)), key=key)
        self.query_one("#exceptions", DataTable).focus()
        self.reload()

    def heading_parts(self) -> list[str]:
        keys = keys_of(self.host.key_overrides)
        parts = [tr(self.TITLE_KEY, self.lang)]
        if self.picture is not None:
            parts.append(tr("lx.counts", self.lang, x=len(self.picture.exceptions), c=len(self.picture.complaints)))
        parts.append(tr("lx.hint", self.lang, contacted=key_display(keys["exceptions.contacted"]),
                        resolve=key_display(keys["exceptions.resolve"])))
        return parts

    def reload(self) -> None:
        """Read again: the ages and the time left are counted from now."""
        host = self.host
        self.run_job(load_picture, host.desk, done=self._show, group="exceptions", exclusive=True)

    def _show(self, picture: Picture) -> None:
        self.picture = picture
        lang = self.lang
        xt = self.query_one("#exceptions", DataTable)
        keep = xt.cursor_row
        xt.clear()
        for x in picture.exceptions:
            xt.add_row(Text(clean_text(x["logistics_no"])), Text(label(x["kind"], lang)),
                       Text(time_left(x["age"], lang, hours=True)),
                       Text(tr("lx.yes" if x["contacted"] else "lx.no", lang)), Text(clean_text(x["note"])))
        if picture.exceptions:
            xt.move_cursor(row=min(keep, len(picture.exceptions) - 1))
        ct = self.query_one("#complaints", DataTable)
        keep = ct.cursor_row
        ct.clear()
        for c in picture.complaints:
            style = "bold red" if c["state"] in ("near", "overdue") else ""
            ct.add_row(Text(str(c["id"])), Text(clean_text(c["logistics_no"])), Text(label(c["category"], lang)),
                       Text(label(c["channel"], lang)), Text(time_left(c["left"], lang, hours=True), style=style),
                       Text(STATE_LABELS[c["state"]][1 if lang == "en" else 0], style=style),
                       Text(clean_text(c["note"])))
        if picture.complaints:
            ct.move_cursor(row=min(keep, len(picture.complaints) - 1))
        self.update_heading()

    def _row(self, table_id: str, items: list[dict[str, Any]]) -> dict[str, Any] | None:
        table = self.query_one(table_id, DataTable)
        if not items or not 0 <= table.cursor_row < len(items):
            self.say(tr("list.none", self.lang), severity="warning")
            return None
        return items[table.cursor_row]

    def _in_complaints(self) -> bool:
        return self.query_one("#complaints", DataTable).has_focus

    def action_contacted(self) -> None:
        if self.picture is None or self._in_complaints():
            return
        if (x := self._row("#exceptions", self.picture.exceptions)) is None:
            return
        host, order_id = self.host, x["order_id"]

        def run(note: str) -> Any:
            return logistics.mark_contacted(host.desk, order_id, note, host.operator)

        title = tr("lx.contacted_title", self.lang, ref=clean_text(x["logistics_no"]))
        self.app.push_screen(FollowUpDialog(title, [], tr("lx.contact_note", self.lang), run), self._after)

    def action_resolve(self) -> None:
        """Resolve the highlighted exception, or close the highlighted complaint."""
        if self.picture is None:
            return
        host = self.host
        if self._in_complaints():
            if (c := self._row("#complaints", self.picture.complaints)) is None:
                return
            cid = c["id"]

            def close(confirmation: str) -> Any:
                return complaints.close_complaint(host.desk, cid, confirmation, host.operator)

            title = tr("cp.close_title", self.lang, id=cid, ref=clean_text(c["logistics_no"]))
            self.app.push_screen(FollowUpDialog(title, [], tr("cp.confirmation", self.lang), close), self._after)
            return
        if (x := self._row("#exceptions", self.picture.exceptions)) is None:
            return
        order_id = x["order_id"]

        def resolve(outcome: str) -> Any:
            return logistics.resolve_exception(host.desk, order_id, outcome, host.operator)

        title = tr("lx.resolve_title", self.lang, ref=clean_text(x["logistics_no"]))
        self.app.push_screen(FollowUpDialog(title, [], tr("lx.outcome", self.lang), resolve), self._after)

    def _after(self, outcome: Any) -> None:
        if outcome is not None:
            self.reload()
