"""接单 / 揽件确认 / 转单 / 失败 on one order wherever the clerk finds it: the rows of
电商订单查询 and 详细数据 as well as the two work lists. Each goes through the same use case
and the same dialog as on 网点接单 and 网点揽件; the service refuses what the order's status
does not allow, in the rule's own words."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from stationdesk.domain.reasons import Reason
from stationdesk.domain.statuses import Action, Status
from stationdesk.services.outcome import Outcome
from stationdesk.tui.data import OrderView
from stationdesk.tui.i18n import action_label, tr

if TYPE_CHECKING:
    from stationdesk.tui.screens.base import DeskScreen

Done = Callable[[Outcome], None]
Refused = Callable[[str], None]


def accept_order(screen: DeskScreen, view: OrderView, done: Done, refused: Refused) -> None:
    from stationdesk.services import accept

    host = screen.host
    screen.run_job(accept.accept, host.desk, [view.id], host.operator, done=done, failed=refused)


def confirm_pickup(screen: DeskScreen, view: OrderView, done: Callable[[Outcome | None], None]) -> None:
    """揽件确认: the waybill dialog, as on 网点揽件."""
    from stationdesk.tui.dialogs.waybill import WaybillDialog

    screen.app.push_screen(WaybillDialog(view, tr("waybill.title", screen.lang, ref=view.ref)), done)


def transfer_order(screen: DeskScreen, view: OrderView, done: Callable[[Outcome | None], None]) -> None:
    from stationdesk.tui.dialogs.transfer import TransferDialog

    screen.app.push_screen(TransferDialog(view), done)


def fail_order(screen: DeskScreen, view: OrderView, done: Callable[[Outcome | None], None]) -> None:
    """接单失败 for a waiting order, 揽收失败 for an accepted one, with the reason dialog."""
    from stationdesk.services import accept, pickup
    from stationdesk.tui.dialogs.reason import ReasonDialog

    host, lang = screen.host, screen.lang
    waiting = view.row["status"] == Status.WAITING.value
    action = Action.FAIL_ACCEPT if waiting else Action.FAIL_PICKUP
    fail = accept.fail_accept if waiting else pickup.fail_pickup

    def submit(reason: Reason, note: str | None) -> Outcome:  # runs in the dialog's worker thread
        return fail(host.desk, view.id, reason, note, host.operator)

    title = tr("reason.title", lang, action=action_label(action.value, lang), ref=view.ref)
    screen.app.push_screen(ReasonDialog(title, submit), done)
