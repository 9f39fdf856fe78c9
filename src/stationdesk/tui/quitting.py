"""The quit key: straight out when nothing would be lost, else a question naming what would be
(a form half filled, actions not yet sent to head office); the quit key again confirms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stationdesk.tui.dialogs.confirm import ConfirmDialog
from stationdesk.tui.i18n import tr

if TYPE_CHECKING:
    from stationdesk.tui.app import StationDeskApp


def request_quit(app: StationDeskApp) -> None:
    top = app.screen
    if isinstance(top, ConfirmDialog) and top.purpose == "quit":
        app.exit()  # the quit key again confirms
        return
    reasons = app.unsaved()
    status = app.sync.status
    if status is not None and status.pending:
        reasons.append(tr("quit.unsynced", app.lang, n=status.pending))
    if not reasons:
        app.exit()
        return
    app.push_screen(ConfirmDialog(tr("quit.confirm", app.lang), reasons, purpose="quit"),
                    lambda yes: app.exit() if yes else None)
