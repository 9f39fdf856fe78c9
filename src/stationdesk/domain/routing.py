"""The station directory and routing by the sender's district (区县)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from stationdesk.domain.errors import UnknownStation
from stationdesk.domain.text import clean_text


class StationKind(StrEnum):
    STATION = "station"
    DATACENTER = "datacenter"


@dataclass(frozen=True, slots=True)
class Station:
    code: str
    name: str
    province: str
    districts: frozenset[str]
    kind: StationKind = StationKind.STATION

    @property
    def is_datacenter(self) -> bool:
        return self.kind is StationKind.DATACENTER

    def serves(self, district: str) -> bool:
        return normalise_district(district) in self.districts


def normalise_district(name: str) -> str:
    return "".join((name or "").split())


class Directory:
    """Every station of the network this desk knows, looked up by code or by district."""

    def __init__(self, stations: list[Station]) -> None:
        self._by_code = {s.code: s for s in stations}
        self._by_district: dict[str, Station] = {}
        for s in stations:
            if s.is_datacenter:
                continue
            for d in s.districts:
                self._by_district.setdefault(d, s)
        self._datacenter = next((s for s in stations if s.is_datacenter), None)

    def __iter__(self) -> Iterator[Station]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Station:
        try:
            return self._by_code[code.strip()]
        except KeyError:
            raise UnknownStation("err.unknown_station", code=clean_text(code)[:20]) from None

    def find(self, code: str) -> Station | None:
        return self._by_code.get(code.strip())

    @property
    def datacenter(self) -> Station | None:
        return self._datacenter

    def station_for(self, district: str) -> Station | None:
        """The station serving ``district``, or None when nobody does."""
        return self._by_district.get(normalise_district(district))

    def route(self, district: str) -> Station | None:
        """Where an order from ``district`` belongs: its station, else the data center."""
        return self.station_for(district) or self._datacenter

    def search(self, text: str) -> list[Station]:
        """Stations whose code or name contains ``text`` (case-insensitive), data center last."""
        needle = text.strip().lower()
        hits = [s for s in self._by_code.values() if needle in s.code.lower() or needle in s.name.lower()]
        return sorted(hits, key=lambda s: (s.is_datacenter, s.code))


@dataclass(frozen=True, slots=True)
class RoutingResult:
    out_of_area: bool
    suggested: Station | None  # where it should go when out of area


def check_area(home: Station, directory: Directory, district: str) -> RoutingResult:
    """Whether an order from ``district`` is outside ``home``'s area, and where it belongs."""
    if home.serves(district):
        return RoutingResult(False, None)
    return RoutingResult(True, directory.route(district))
