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


@pytest.mark.production_hasher
def test_a_command_hashes_at_full_cost_unless_handed_a_hasher(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from stationdesk.cli import app
    from tests.conftest import cheap_hasher

    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    costs = []
    for name, obj in (("full.db", None), ("cheap.db", cheap_hasher())):
        db = tmp_path / name
        runner = CliRunner()
        assert runner.invoke(app, ["init", "--station", "HZ001", "--db", str(db)], obj=obj).exit_code == 0
        added = runner.invoke(app, ["user", "add", "王芳", "--role", "admin", "--db", str(db)], obj=obj,
                              env={"STATIONDESK_NEW_PASSWORD": "admin-pass-1"})
        assert added.exit_code == 0, added.output
        (stored,) = sqlite3.connect(db).execute("SELECT password_hash FROM operator").fetchone()
        costs.append(cost_of(stored))
    assert costs == [PRODUCTION, cheap_hasher().cost]
