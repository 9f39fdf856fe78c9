"""Order statuses, actions, and the ONE table of legal transitions.

Every entrypoint (TUI, CLI, import, sync, reports) asks this table; nothing else decides
whether an action may run on an order.
"""

from __future__ import annotations

from enum import StrEnum

from stationdesk.domain.errors import IllegalTransition


class Status(StrEnum):
    WAITING = "waiting"
    ACCEPTED = "accepted"
    ACCEPT_FAILED = "accept_failed"
    TRANSFERRED = "transferred"
    PICKED_UP = "picked_up"
    PICKUP_FAILED = "pickup_failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return STATUS_LABELS[self][1]


STATUS_LABELS: dict[Status, tuple[str, str]] = {
    Status.WAITING: ("等待接单", "waiting"),
    Status.ACCEPTED: ("接单成功", "accepted"),
    Status.ACCEPT_FAILED: ("接单失败", "accept failed"),
    Status.TRANSFERRED: ("已转单", "transferred"),
    Status.PICKED_UP: ("揽件成功", "picked up"),
    Status.PICKUP_FAILED: ("揽收失败", "pickup failed"),
    Status.CANCELLED: ("已撤单", "cancelled"),
}


class Action(StrEnum):
    IMPORT = "import"  # the order arrives from the feed (not a transition: it creates the order)
    ACCEPT = "accept"
    FAIL_ACCEPT = "fail_accept"
    TRANSFER = "transfer"
    CONFIRM_PICKUP = "confirm_pickup"
    PICKUP_SCAN = "pickup_scan"
    FAIL_PICKUP = "fail_pickup"
    CANCEL = "cancel"
    MARK_CANCEL_HANDLED = "mark_cancel_handled"
    CORRECT_INFO = "correct_info"
    # Not a move between statuses: a note on the order's record, journalled like every action.
    APPEAL = "appeal"
    # The station's own follow-up of an order (customer contact): recorded, not sent to head office.
    LOGISTICS_EXCEPTION = "logistics_exception"
    EXCEPTION_CONTACTED = "exception_contacted"
    EXCEPTION_RESOLVED = "exception_resolved"
    COMPLAINT = "complaint"
    COMPLAINT_CLOSED = "complaint_closed"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return ACTION_LABELS[self][1]


ACTION_LABELS: dict[Action, tuple[str, str]] = {
    Action.IMPORT: ("订单推送", "order received"),
    Action.ACCEPT: ("网点接单", "accept"),
    Action.FAIL_ACCEPT: ("接单失败", "fail acceptance"),
    Action.TRANSFER: ("转单", "transfer"),
    Action.CONFIRM_PICKUP: ("揽件确认", "confirm pickup"),
    Action.PICKUP_SCAN: ("揽收扫描", "pickup scan"),
    Action.FAIL_PICKUP: ("揽收失败", "fail pickup"),
    Action.CANCEL: ("撤单", "cancel"),
    Action.MARK_CANCEL_HANDLED: ("已做撤单处理", "mark cancellation handled"),
    Action.CORRECT_INFO: ("更正客户信息", "correct customer info"),
    Action.APPEAL: ("违规申诉", "appeal a violation"),
    Action.LOGISTICS_EXCEPTION: ("物流异常", "logistics exception"),
    Action.EXCEPTION_CONTACTED: ("异常已联系客户", "customer contacted about the exception"),
    Action.EXCEPTION_RESOLVED: ("异常已处理", "exception resolved"),
    Action.COMPLAINT: ("客户投诉", "complaint"),
    Action.COMPLAINT_CLOSED: ("投诉已关闭", "complaint closed"),
}

W, A, AF, T, P, PF, C = (
    Status.WAITING,
    Status.ACCEPTED,
    Status.ACCEPT_FAILED,
    Status.TRANSFERRED,
    Status.PICKED_UP,
    Status.PICKUP_FAILED,
    Status.CANCELLED,
)

# (action, from status) -> to status. Anything not listed is illegal.
TRANSITIONS: dict[tuple[Action, Status], Status] = {
    (Action.ACCEPT, W): A,
    (Action.FAIL_ACCEPT, W): AF,
    # An order accepted by mistake that is not ours can still be sent on.
    (Action.TRANSFER, W): T,
    (Action.TRANSFER, A): T,
    (Action.CONFIRM_PICKUP, A): P,
    (Action.PICKUP_SCAN, A): P,
    # A pickup-confirmed order gets its scan: the status stays, the scan is recorded.
    (Action.PICKUP_SCAN, P): P,
    (Action.FAIL_PICKUP, A): PF,
    # The customer or channel may cancel until the parcel is in the network's hands.
    (Action.CANCEL, W): C,
    (Action.CANCEL, A): C,
    (Action.CANCEL, AF): C,
    (Action.CANCEL, PF): C,
    (Action.CANCEL, T): C,
    (Action.MARK_CANCEL_HANDLED, C): C,
    (Action.CORRECT_INFO, W): W,
    (Action.CORRECT_INFO, A): A,
    (Action.CORRECT_INFO, AF): AF,
    (Action.CORRECT_INFO, PF): PF,
    (Action.CORRECT_INFO, P): P,
}

# Statuses in which the order still needs the station to do something.
OPEN_STATUSES: frozenset[Status] = frozenset({W, A})


def allowed_from(action: Action) -> list[Status]:
    """The statuses from which ``action`` is legal, in table order."""
    return [src for (act, src) in TRANSITIONS if act is action]


def can(action: Action, status: Status) -> bool:
    return (action, status) in TRANSITIONS


def next_status(action: Action, status: Status, order_ref: str) -> Status:
    """The status after ``action``; raises IllegalTransition naming order, status and action."""
    try:
        return TRANSITIONS[(action, status)]
    except KeyError:
        raise IllegalTransition(order_ref, status, action, allowed_from(action)) from None
