import pytest

from stationdesk.domain.errors import IllegalTransition
from stationdesk.domain.statuses import TRANSITIONS, Action, Status, next_status

# The legal moves, written out from DOMAIN.md independently of the product's table.
EXPECTED = {
    ("accept", "waiting"): "accepted",
    ("fail_accept", "waiting"): "accept_failed",
    ("transfer", "waiting"): "transferred",
    ("transfer", "accepted"): "transferred",
    ("confirm_pickup", "accepted"): "picked_up",
    ("pickup_scan", "accepted"): "picked_up",
    ("pickup_scan", "picked_up"): "picked_up",
    ("fail_pickup", "accepted"): "pickup_failed",
    ("cancel", "waiting"): "cancelled",
    ("cancel", "accepted"): "cancelled",
    ("cancel", "accept_failed"): "cancelled",
    ("cancel", "pickup_failed"): "cancelled",
    ("cancel", "transferred"): "cancelled",
    ("mark_cancel_handled", "cancelled"): "cancelled",
    ("correct_info", "waiting"): "waiting",
    ("correct_info", "accepted"): "accepted",
    ("correct_info", "accept_failed"): "accept_failed",
    ("correct_info", "pickup_failed"): "pickup_failed",
    ("correct_info", "picked_up"): "picked_up",
}
ACTIONS = [a for a in Action if a is not Action.IMPORT]
PAIRS = [(a, s) for a in ACTIONS for s in Status]


def test_every_status_and_action_has_chinese_labels():
    assert [s.label for s in Status] == ["等待接单", "接单成功", "接单失败", "已转单", "揽件成功", "揽收失败", "已撤单"]
    assert all(a.label and a.label_en for a in Action)


def test_table_is_exactly_the_expected_moves():
    assert {(a.value, s.value): t.value for (a, s), t in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(("action", "status"), PAIRS, ids=[f"{a.value}-{s.value}" for a, s in PAIRS])
def test_each_pair_is_legal_or_refused_with_a_clear_message(action: Action, status: Status):
    expected = EXPECTED.get((action.value, status.value))
    if expected is not None:
        assert next_status(action, status, "LP123") is Status(expected)
        return
    with pytest.raises(IllegalTransition) as err:
        next_status(action, status, "LP123")
    message = str(err.value)
    assert "LP123" in message and status.label in message and action.label in message


def test_picked_up_orders_cannot_be_cancelled():
    with pytest.raises(IllegalTransition, match="揽件成功"):
        next_status(Action.CANCEL, Status.PICKED_UP, "KD1")
