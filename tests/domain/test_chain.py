"""The hashed text of an event is exactly its JSON array, for any text."""

import json

from hypothesis import given
from hypothesis import strategies as st

from stationdesk.domain.chain import GENESIS, event_content, link


@given(ids=st.tuples(st.integers(1, 2**40), st.integers(1, 2**40), st.integers(1, 1000)),
       texts=st.lists(st.text(), min_size=6, max_size=6), before_is_none=st.booleans())
def test_event_content_is_the_json_array(ids, texts, before_is_none):
    action, operator, at, before, after, details = texts
    before = None if before_is_none else before
    args = (*ids, action, operator, at, before, after, details)
    assert event_content(*args) == json.dumps(list(args), ensure_ascii=False, separators=(",", ":"))


def test_a_link_depends_on_the_previous_hash_and_every_field():
    base = (1, 1, 1, "import", "feed", "2026-11-23T02:00:00.000000Z", None, "waiting", "{}")
    first = link(GENESIS, event_content(*base))
    assert len(first) == 64 and first != GENESIS
    assert link("1" * 64, event_content(*base)) != first
    for i in range(len(base)):
        changed = list(base)
        changed[i] = 2 if isinstance(base[i], int) else "x"
        assert link(GENESIS, event_content(*changed)) != first
