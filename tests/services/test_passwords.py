"""The password hasher the bootstrap gives a desk: full cost as people open it, and a weaker hash
is named by `check` and brought to full cost at the next sign-in."""

import sqlite3

import pytest

from stationdesk.bootstrap import open_desk
from stationdesk.domain.roles import Operator, Role
from stationdesk.services import operators
from stationdesk.services.passwords import PRODUCTION, cost_of, weak_accounts


@pytest.mark.production_hasher
def test_a_desk_opened_as_people_open_it_hashes_at_full_cost(db_path, tmp_path):
    desk = open_desk(db_path, tmp_path / "none.toml")
    try:
        assert desk.hasher.cost == PRODUCTION == type(PRODUCTION)(time_cost=3, memory_cost=65536, parallelism=4)
        operators.add_user(desk, "王芳", Role.ADMIN, "admin-pass-1", by=Operator("王芳"))
        (stored,) = sqlite3.connect(db_path).execute("SELECT password_hash FROM operator").fetchone()
        assert stored.startswith("$argon2id$") and cost_of(stored) == PRODUCTION
        assert weak_accounts(desk) == []
    finally:
        desk.db.dispose()


def test_a_weak_hash_is_named_and_raised_to_full_cost_at_sign_in(desk, db_path):
    from stationdesk.services.passwords import production_hasher

    operators.add_user(desk, "王芳", Role.ADMIN, "admin-pass-1", by=Operator("王芳"))  # the tests' cheap hasher
    assert [name for name, _cost in weak_accounts(desk)] == ["王芳"]
    desk.hasher = production_hasher()
    assert operators.authenticate(desk, "王芳", "admin-pass-1").role is Role.ADMIN
    (stored,) = sqlite3.connect(db_path).execute("SELECT password_hash FROM operator").fetchone()
    assert cost_of(stored) == PRODUCTION and weak_accounts(desk) == []
