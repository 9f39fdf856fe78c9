"""Errors the domain raises. Each message names what was wrong and where."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused an action. ``str(err)`` is the message for a person; ``key`` and
    ``params``, when set, let an entrypoint say it in the operator's language from its catalogue."""

    key: str | None = None
    params: dict[str, object] = {}  # noqa: RUF012 - replaced, never changed in place

    def with_words(self, key: str, **params: object) -> DomainError:
        self.key, self.params = key, params
        return self


class IllegalTransition(DomainError):
    """The action is not allowed from the order's current status."""

    def __init__(self, order_ref: str, status_label: str, action_label: str, allowed: str) -> None:
        self.order_ref = order_ref
        super().__init__(
            f"订单 {order_ref}: 当前状态「{status_label}」不能执行「{action_label}」"
            f" (allowed from: {allowed})"
        )


class ReasonRefused(DomainError):
    """A failure reason or note is missing, unknown or not truthful."""


class InvalidWaybill(DomainError):
    """A waybill number does not have the configured format."""


class OrderNotFound(DomainError):
    """No order matches the number given."""


class AmbiguousOrder(DomainError):
    """A number matches more than one order."""


class UnknownStation(DomainError):
    """A station code is not in the directory."""


class InvalidInput(DomainError):
    """A value given by a person or a feed is not acceptable."""
