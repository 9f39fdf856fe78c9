"""Outbox op ids: unique forever, UUID version 7 text, later batches sorting after earlier ones."""

import time
import uuid

from stationdesk.store.journal import new_op_id, new_op_ids


def test_op_ids_are_version_7_uuids_unique_within_and_across_batches():
    first = new_op_ids(5_000)
    time.sleep(0.002)
    second = new_op_ids(5_000) + [new_op_id()]
    everything = first + second
    assert len(set(everything)) == len(everything)
    for text in everything[::97]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 7 and parsed.variant == uuid.RFC_4122
    # the 48-bit millisecond prefix orders batches: the index of op ids grows at one end
    assert max(i[:13] for i in first) < min(i[:13] for i in second)
    assert abs(int(first[0].replace("-", "")[:12], 16) - time.time_ns() // 1_000_000) < 60_000
