"""The status bar (station, operator, time, waiting and overdue orders, head office sync, database) and the
message line that confirms or refuses what the clerk just did."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from stationdesk.tui.i18n import tr

if TYPE_CHECKING:
    from stationdesk.tui.host import DeskHost


# The labels that give way, in this order, when even the short pieces do not fit (English words
# are longer): the values stay, so the counts are read at any width.
GIVE_WAY = ("bar.station", "bar.operator", "bar.synced", "bar.pending", "bar.conflicts", "bar.overdue", "bar.waiting")


class StatusBar(Widget):
    """One line; reads the app's state when drawn, and redraws every second for the clock."""

    DEFAULT_CSS = "StatusBar { height: 1; }"
    COMPONENT_CLASSES = {"status-bar--label", "status-bar--value", "status-bar--alert", "status-bar--path"}

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)

    @property
    def host(self) -> DeskHost:
        return cast("DeskHost", self.app)

    def pieces(self, width: int) -> list[tuple[str, str, str]]:
        """(label, value, style name) pieces, shortened until they fit ``width`` cells."""
        app = self.host
        lang, station = app.lang, app.station
        now = app.now().astimezone(app.config.tz)
        counts = app.counts
        waiting = "-" if counts is None else str(counts.waiting)
        alerting = app.alerts.alert is not None  # 您还有未接订单 not yet acknowledged: the count is marked
        waiting_piece = (tr("bar.waiting", lang), f"{waiting}!" if alerting else waiting, "alert" if alerting else "value")
        overdue = "-" if counts is None else str(counts.overdue)
        station_text = [f"{station.code} {station.name}", station.code]
        clock = [now.strftime("%Y-%m-%d %H:%M"), now.strftime("%H:%M")]
        db = [str(app.db_path), app.db_path.name]
        sync = self.sync_pieces(now)
        for s, c, d in ((0, 0, 0), (0, 0, 1), (1, 0, 1), (1, 1, 1)):
            pieces = [
                (tr("bar.station", lang), station_text[s], "value"),
                (tr("bar.operator", lang), app.operator_label, "value"),
                ("", clock[c], "value"),
                waiting_piece,
                (tr("bar.overdue", lang), overdue, "alert" if counts and counts.overdue else "value"),
                *sync,
                (tr("bar.db", lang), db[d], "path"),
            ]
            if app.damage:  # first, so that no width ever drops it
                pieces.insert(0, ("", tr("bar.damage", lang), "alert"))
            if sum(cell_len(f"{lbl} {val}  ") for lbl, val, _ in pieces) <= width:
                break
        else:
            pieces = pieces[:-1]  # a narrow screen: the database path goes first
            # then the words give way, never the numbers: the labels a clerk needs least go first
            for label in (tr(key, lang) for key in GIVE_WAY):
                if sum(cell_len(f"{lbl} {val}  ") for lbl, val, _ in pieces) <= width:
                    break
                pieces = [("" if lbl == label else lbl, val, kind) for lbl, val, kind in pieces]
        return pieces

    def sync_pieces(self, now: datetime) -> list[tuple[str, str, str]]:
        """Head office sync: when it last finished (or 未同步), ops not yet pushed, open conflicts.
        Read with the counts (app.sync.status), never per redraw."""
        app = self.host
        lang, sync = app.lang, app.sync
        status = sync.status
        failed = "alert" if sync.failures else "value"  # the last try failed: the time stands out
        if sync.running:
            when = ("", tr("bar.syncing", lang), "value")
        elif status is None:
            when = (tr("bar.synced", lang), "-", "value")
        elif status.last_sync_at is None:
            when = ("", tr("bar.never_synced", lang), failed)
        else:
            when = (tr("bar.synced", lang), sync.last_sync_text(status.last_sync_at, now), failed)
        pieces = [when, (tr("bar.pending", lang), "-" if status is None else str(status.pending), "value")]
        if status is not None and status.open_conflicts:
            pieces.append((tr("bar.conflicts", lang), str(status.open_conflicts), "alert"))
        return pieces

    def render(self) -> Text:
        styles = {name: self.get_component_rich_style(f"status-bar--{name}", partial=True)
                  for name in ("label", "value", "alert", "path")}
        text = Text(no_wrap=True, overflow="crop", end="")
        for i, (label, value, kind) in enumerate(self.pieces(self.size.width)):
            if i:
                text.append("  ")
            if label:
                text.append(label + " ", style=styles["label"])
            text.append(value, style=styles[kind])
        return text


class MessageLine(Widget):
    """The last confirmation, warning or refusal, as plain text (never parsed as markup)."""

    DEFAULT_CSS = "MessageLine { height: auto; max-height: 3; }"

    def render(self) -> Text:
        app = cast("DeskHost", self.app)
        text, severity = app.message
        self.set_class(severity == "error", "-error")
        self.set_class(severity == "warning", "-warning")
        return Text(text, end="")  # wrapped over up to three lines: a long refusal is read whole
