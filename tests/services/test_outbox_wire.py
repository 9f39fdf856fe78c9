"""What the station's services put in the outbox reads as the wire's models (domain/wire.py): the
one format head office validates a push with."""

from __future__ import annotations

import json
import sqlite3

from stationdesk.domain import wire
from stationdesk.domain.reasons import Reason
from stationdesk.domain.statuses import Status
from stationdesk.services import accept, correct, transfer
from tests.conftest import feed_row


def outbox(db_path) -> list[tuple[str, str, dict]]:
    con = sqlite3.connect(db_path)
    try:
        return [(a, o, json.loads(p)) for a, o, p in con.execute(
            "SELECT x.action, e.operator, x.payload FROM outbox x JOIN order_event e ON e.id = x.event_id ORDER BY x.seq")]
    finally:
        con.close()


def test_every_op_the_services_write_reads_as_its_kind(desk, db_path, import_rows):
    report = import_rows([feed_row(1), feed_row(2), feed_row(3, sender_district="拱墅区"), feed_row(4)])
    assert report.imported == 4 and not report.rejected
    import_rows([feed_row(4, sender_name="李四")])  # a later feed row corrects the order
    accept.accept(desk, ["LP00000001"], "张敏")
    accept.fail_accept(desk, "LP00000002", Reason.CUSTOMER_UNREACHABLE, "电话关机", "张敏")
    transfer.transfer(desk, "LP00000003", "HZ002", "张敏")
    correct.correct_info(desk, "LP00000001", {"sender_phone": "139-0000-1111"}, "张敏")
    read = [(action, operator, wire.read_op(action, payload)) for action, operator, payload in outbox(db_path)]
    assert [a for a, _, _ in read] == ["import"] * 4 + ["correct_info", "accept", "fail_accept", "transfer",
                                                       "correct_info"]
    for action, operator, op in read:
        assert op is not None and op.action == action and op.operator == operator
    imports = [op for _, _, op in read[:4]]
    assert all(isinstance(op, wire.ImportOp) and op.after_status is Status.WAITING for op in imports)
    assert [op.order.logistics_no for op in imports] == [f"LP{n:08d}" for n in range(1, 5)]
    fed, accepted, failed, moved, fixed = (op for _, _, op in read[4:])
    assert isinstance(fed, wire.ChangeOp) and fed.changes["sender_name"][1] == "李四"
    assert isinstance(accepted, wire.ChangeOp) and (accepted.before_status, accepted.after_status) == (
        Status.WAITING, Status.ACCEPTED)
    assert isinstance(failed, wire.ChangeOp) and failed.reason == Reason.CUSTOMER_UNREACHABLE.value
    assert isinstance(moved, wire.ChangeOp) and moved.to == "HZ002"
    # head office gets the new number whole (its copy of the order); the audit event keeps it masked
    assert isinstance(fixed, wire.ChangeOp) and fixed.changes["sender_phone"][1] == "13900001111"
