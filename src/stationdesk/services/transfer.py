"""转单: send an order to the station that serves its district, or to the data center."""

from __future__ import annotations

from stationdesk.domain.errors import DomainError, UnknownStation
from stationdesk.domain.statuses import Action, next_status
from stationdesk.domain.words import Words
from stationdesk.services.context import Desk
from stationdesk.services.recording import Change, OrderKey, apply_changes, find, order_ref, status_of
from stationdesk.services.outcome import Outcome


def transfer(desk: Desk, key: OrderKey, to_code: str, operator: str) -> Outcome:
    """Transfer to ``to_code``. A target other than the routed station is allowed, with a warning."""
    try:
        target = desk.directory.get(to_code)
    except UnknownStation as exc:
        raise UnknownStation("err.transfer_target", ref=key, why=exc) from None
    if target.code == desk.station.code:
        raise DomainError("err.transfer_self", code=target.code)
    with desk.db.write() as conn:
        now = desk.now()
        row = find(conn, key)
        ref = order_ref(row)
        new = next_status(Action.TRANSFER, status_of(row), ref)
        change = Change(
            row, Action.TRANSFER,
            {"status": new.value, "transferred_at": now, "transferred_to": target.code, "station_code": target.code},
            {"to": target.code},
        )
        apply_changes(conn, [change], operator, now, desk.station.code)
    warnings: list[str] = []
    routed = desk.directory.route(row["sender_district"])
    if routed is not None and routed.code != target.code and not target.is_datacenter:
        warnings.append(Words("warn.wrong_transfer", district=row["sender_district"], code=routed.code, name=routed.name))
    return Outcome(Words("done.transferred", ref=ref, code=target.code, name=target.name), [row["id"]], warnings)
