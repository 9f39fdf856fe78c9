"""The password hasher: an adapter the bootstrap gives the Desk (argon2id).

The station's hashes use argon2's recommended cost (PRODUCTION). Tests hand the Desk a cheap
hasher; a hash records its own parameters, so `stationdesk check` names any account whose hash
is weaker than PRODUCTION, and the next successful sign-in re-hashes it at full cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from stationdesk.services.context import Desk


@dataclass(frozen=True)
class HashCost:
    """argon2id's cost parameters: passes, memory in KiB, lanes."""

    time_cost: int
    memory_cost: int
    parallelism: int

    def weaker_than(self, other: HashCost) -> bool:
        return self.time_cost < other.time_cost or self.memory_cost < other.memory_cost

    def __str__(self) -> str:
        return f"t={self.time_cost}, m={self.memory_cost} KiB, p={self.parallelism}"


# argon2-cffi's defaults (RFC 9106's second recommendation): tens of milliseconds per hash.
PRODUCTION = HashCost(time_cost=3, memory_cost=65536, parallelism=4)


@dataclass
class Argon2Hasher:
    """Hash, verify and judge argon2id password hashes at ``cost``."""

    cost: HashCost = PRODUCTION
    _impl: PasswordHasher | None = field(default=None, init=False, repr=False)
    _dummy: str | None = field(default=None, init=False, repr=False)

    def _hasher(self) -> PasswordHasher:
        if self._impl is None:
            from argon2 import PasswordHasher  # 40 ms to import: only when a password is hashed or checked

            self._impl = PasswordHasher(time_cost=self.cost.time_cost, memory_cost=self.cost.memory_cost,
                                        parallelism=self.cost.parallelism)
        return self._impl

    def hash(self, password: str) -> str:
        return self._hasher().hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """Whether ``password`` matches; False for a wrong one and for a hash that cannot be read.
        The cost is the one written in ``stored_hash``."""
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return self._hasher().verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def verify_nothing(self, password: str) -> None:
        """Take as long as checking a real password: for an unknown or locked account."""
        if self._dummy is None:
            self._dummy = self.hash("stationdesk-no-such-operator")
        self.verify(self._dummy, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher().check_needs_rehash(stored_hash)


def cost_of(stored_hash: str) -> HashCost | None:
    """The cost a stored hash was made with (None when it is not an argon2 hash)."""
    from argon2 import extract_parameters
    from argon2.exceptions import InvalidHashError

    try:
        p = extract_parameters(stored_hash)
    except (InvalidHashError, ValueError):
        return None
    return HashCost(p.time_cost, p.memory_cost, p.parallelism)


def production_hasher() -> Argon2Hasher:
    return Argon2Hasher(PRODUCTION)


def weak_accounts(desk: Desk) -> list[tuple[str, HashCost | None]]:
    """Accounts whose stored hash is cheaper than PRODUCTION (or not argon2 at all), by name."""
    from sqlalchemy import select

    from stationdesk.store.tables import OPERATORS

    with desk.db.read() as conn:
        rows = conn.execute(select(OPERATORS.c.name, OPERATORS.c.password_hash).order_by(OPERATORS.c.name)).all()
    weak = []
    for name, stored in rows:
        cost = cost_of(stored)
        if cost is None or cost.weaker_than(PRODUCTION):
            weak.append((name, cost))
    return weak
