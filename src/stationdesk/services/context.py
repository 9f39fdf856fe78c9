"""The Desk: everything a use case needs, wired once by bootstrap."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from stationdesk.config import Config
from stationdesk.domain.routing import Directory, Station
from stationdesk.domain.waybill import WaybillRule
from stationdesk.services.passwords import Argon2Hasher, production_hasher
from stationdesk.store.plumbing import Clock, system_clock

if TYPE_CHECKING:
    from stationdesk.store.engine import Database

__all__ = ["Clock", "Desk", "system_clock"]  # the clock's type and the app's clock, for the entrypoints that wire a Desk


@dataclass
class Desk:
    db: Database
    config: Config
    station: Station
    directory: Directory
    clock: Clock = system_clock
    hasher: Argon2Hasher = field(default_factory=production_hasher)
    waybill: WaybillRule = field(init=False)

    def __post_init__(self) -> None:
        self.waybill = WaybillRule(self.config.waybill.pattern, self.config.waybill.description)

    def now(self) -> datetime:
        return self.clock()
