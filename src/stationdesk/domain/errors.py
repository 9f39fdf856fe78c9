"""Errors the domain raises. Each message names what was wrong and where."""

from __future__ import annotations

from collections.abc import Sequence

from stationdesk.domain.words import Refusal


class DomainError(Refusal):
    """A business rule refused an action: ``DomainError(key, **params)`` with a key of the
    catalogue (stationdesk.domain.words); ``str(err)`` is the Chinese text, and an entrypoint says
    it in the operator's language with ``speak(err, lang)``."""


class IllegalTransition(DomainError):
    """The action is not allowed from the order's current status."""

    def __init__(self, order_ref: str, status: object, action: object, allowed: Sequence[object]) -> None:
        self.order_ref = order_ref
        super().__init__("error.transition", ref=order_ref, status=status, action=action, allowed=allowed)


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
