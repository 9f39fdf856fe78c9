"""What a use case tells a person it did. Free of SQLAlchemy: the screens name it before the
store is loaded."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Outcome:
    """What a use case did, for a person: a message and the orders it touched."""

    message: str
    order_ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
