"""The sync op's wire format: each writer's text reads back as its kind's model, and a payload that
does not is refused naming the field."""

from __future__ import annotations

import json

import pytest

from stationdesk.domain import wire
from stationdesk.domain.sla import ViolationKind
from stationdesk.domain.statuses import Action, Status

ORDER = {"source": "淘宝", "logistics_no": "LP00000001", "status": "waiting", "version": 3}
STAMP = "2026-11-23T02:00:00.000000Z"
IMPORTED = {"logistics_no": "LP00000001", "source": "淘宝", "channel": "online", "business_type": "send_parcel",
            "order_time": STAMP, "sender_phone": "13812345678", "sender_name": '张"三\\', "sender_province": "浙江省",
            "sender_city": "杭州市", "sender_district": "西湖区", "sender_address": "文三路 1 号", "note": "",
            "goods": "衣服", "waybill_no": None, "dispatch_time": None, "dispatch_operator": None, "cancelled": False}


def test_a_change_reads_back_with_its_order_states_changes_and_details():
    text = wire.change_payload("fail_accept", ORDER, "张敏", STAMP, "accept_failed",
                               {"reason": "duplicate_order", "note": "重复"}, {"fail_reason": [None, "duplicate_order"]})
    op = wire.read_op("fail_accept", json.loads(text))
    assert isinstance(op, wire.ChangeOp)
    assert (op.action, op.source, op.logistics_no, op.operator, op.at) == ("fail_accept", "淘宝", "LP00000001", "张敏", STAMP)
    assert (op.before_status, op.after_status, op.base_version) == (Status.WAITING, Status.ACCEPT_FAILED, 3)
    assert op.reason == "duplicate_order" and op.model_extra == {"note": "重复"}
    assert op.changes == {"fail_reason": [None, "duplicate_order"]}


def test_an_import_reads_back_with_the_order_as_the_feed_gave_it():
    text = wire.ImportWriter("feed").text(Status.WAITING.value, IMPORTED)
    op = wire.read_op("import", json.loads(text))
    assert isinstance(op, wire.ImportOp)
    assert op.after_status is Status.WAITING and op.operator == "feed" and op.order.sender_name == '张"三\\'
    assert dict(op.order) == IMPORTED


def test_an_appeal_reads_back_with_its_violation_kind():
    text = wire.change_payload("appeal", ORDER, "主管赵", STAMP, "waiting",
                               {"kind": "late_accept", "note": "系统延迟", "violation": 7}, {})
    op = wire.read_op("appeal", json.loads(text))
    assert isinstance(op, wire.AppealOp)
    assert (op.kind, op.note, op.violation, op.at) == (ViolationKind.LATE_ACCEPT, "系统延迟", 7, STAMP)


def test_a_change_received_from_head_office_is_its_events_details():
    changes = {"sender_phone": ["138****5678", "139****1111"]}
    text = wire.received_payload("dispatch", 12, 4, changes)
    assert text == json.dumps({"origin": "hq", "reason": "dispatch", "position": 12, "hq_version": 4,
                               "changes": changes}, ensure_ascii=False, sort_keys=True)
    assert wire.ReceivedOp.model_validate_json(text).changes == changes
    assert wire.ReceivedOp.model_validate_json(wire.received_payload("rebase", None, None)).changes == {}


def test_every_action_has_a_model():
    assert set(wire.MODELS) == {a.value for a in Action}
    assert wire.read_op("a kind of its own", {"anything": 1}) is None


@pytest.mark.parametrize(("action", "payload", "field"), [
    ("import", {"after_status": "waiting", "operator": "feed", "order": {**IMPORTED, "logistics_no": ""}},
     "payload.order.logistics_no"),
    ("import", {"after_status": "waiting", "operator": "feed", "order": {**IMPORTED, "order_time": "yesterday"}},
     "payload.order.order_time"),
    ("import", {"after_status": "waiting", "operator": "feed"}, "payload.order"),
    ("accept", {**ORDER, "operator": "张敏", "before_status": "nowhere", "after_status": "accepted"},
     "payload.before_status"),
    ("accept", {**ORDER, "operator": "张敏", "before_status": "waiting", "after_status": "accepted",
                "changes": {"accepted_at": STAMP}}, "payload.changes.accepted_at"),
    ("appeal", {**ORDER, "kind": "late_lunch"}, "payload.kind"),
])
def test_a_payload_that_is_not_its_kinds_is_refused_naming_the_field(action, payload, field):
    with pytest.raises(wire.WireError) as refused:
        wire.read_op(action, payload)
    assert str(refused.value).startswith(field + ":")


def test_the_action_a_payload_repeats_must_be_its_ops_and_is_the_ops_when_left_out():
    payload = {**ORDER, "operator": "张敏", "before_status": "waiting", "after_status": "accepted"}
    op = wire.read_op("accept", payload)
    assert op is not None and op.action == "accept"
    with pytest.raises(wire.WireError, match="payload.action 'transfer' is not the op's 'accept'"):
        wire.read_op("accept", {**payload, "action": "transfer"})
