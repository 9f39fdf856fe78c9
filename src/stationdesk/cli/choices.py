"""Choices declared to the command line (help lists them, completion offers them, a wrong one is a
usage error, exit 2), built from the domain's own enums: the English code and the Chinese label
are both accepted, as the domain's parse functions accept both."""

from __future__ import annotations

from enum import Enum
from typing import Any

from stationdesk.domain.fields import BusinessType, Channel
from stationdesk.domain.reasons import Reason
from stationdesk.domain.roles import Role
from stationdesk.domain.sla import ViolationKind
from stationdesk.domain.statuses import Status


def choices(name: str, members: Any, *, labels: bool = True, extra: tuple[str, ...] = ()) -> Any:
    """A str Enum whose values are each member's code (and Chinese label), then ``extra``."""
    values = [*extra, *(m.value for m in members), *((m.label for m in members) if labels else ())]
    return Enum(name, {v: v for v in dict.fromkeys(values)}, type=str)  # type: ignore[misc]  # Enum's functional form with computed members: no static type to give


StatusChoice = choices("StatusChoice", Status)
ChannelChoice = choices("ChannelChoice", Channel)
ChannelOrAll = choices("ChannelOrAll", Channel, extra=("all", "全部"))
BusinessTypeChoice = choices("BusinessTypeChoice", BusinessType)
ReasonChoice = choices("ReasonChoice", Reason)
RoleChoice = choices("RoleChoice", Role)
KindChoice = choices("KindChoice", ViolationKind)
