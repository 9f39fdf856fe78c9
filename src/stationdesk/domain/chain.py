"""The audit chain: each event's hash covers its own content and the hash of the event before it.

Editing, deleting or inserting an event row anywhere breaks every link after it, so a check that
walks the chain names the first row that no longer fits. Pure: the store writes and reads the
hashes; this module only says what they must be.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from json.encoder import encode_basestring as _quote  # what json.dumps(ensure_ascii=False) uses

GENESIS = "0" * 64  # the link before a station's first event


def event_content(event_id: int, order_id: int, version: int, action: str, operator: str, at: str,
                  before: str | None, after: str, details: str) -> str:
    """The event as hashed: a JSON array, so no value can spill into its neighbour.

    The same text as json.dumps([...], ensure_ascii=False, separators=(",", ":")), written out
    because it runs once per event of every batch (a tenth of an import's time with json.dumps).
    """
    return f"[{int(event_id)}{event_tail(order_id, version, action, operator, at, before, after, details)}"


def event_tail(order_id: int, version: int, action: str, operator: str, at: str, before: str | None, after: str,
               details: str) -> str:
    """The event's content after its id (event_content), for link_all."""
    prior = "null" if before is None else _quote(before)
    return (f",{int(order_id)},{int(version)},{_quote(action)},{_quote(operator)},{_quote(at)},"
            f"{prior},{_quote(after)},{_quote(details)}]")


def link_all(previous: str, first_id: int, tails: Iterable[str]) -> list[str]:
    """The links of events numbered from ``first_id`` whose contents after the id are ``tails``
    (event_tail), following ``previous``: a bulk load writes the contents before the ids are known."""
    links = []
    sha256 = hashlib.sha256
    for event_id, tail in enumerate(tails, start=int(first_id)):
        previous = sha256(f"{previous}[{event_id}{tail}".encode()).hexdigest()
        links.append(previous)
    return links


def link(previous: str, content: str) -> str:
    return hashlib.sha256(f"{previous}{content}".encode()).hexdigest()


def account_content(event_id: int, name: str, action: str, by: str, at: str, role: str, disabled: bool,
                    secret: str) -> str:
    """An account event as hashed (the accounts' own chain, beside the orders'): who changed whose
    account, how, and what it became. ``secret`` is a digest of the stored password hash."""
    return (f"[{int(event_id)},{_quote(name)},{_quote(action)},{_quote(by)},{_quote(at)},{_quote(role)},"
            f"{'true' if disabled else 'false'},{_quote(secret)}]")
