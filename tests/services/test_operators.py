"""Accounts: argon2 hashes, the first admin, who may manage accounts, the log-in lockout."""

from __future__ import annotations

import sqlite3

import pytest

from stationdesk.domain.errors import DomainError, InvalidInput
from stationdesk.domain.roles import LoginRefused, NotPermitted, Operator, Role
from stationdesk.services import operators
from tests.conftest import feed_row



def db_rows(path, sql):
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


OPEN = Operator("王芳")  # open mode: nobody signed in yet
ADMIN_PW, CLERK_PW = "admin-pass-1", "clerk-pass-1"


@pytest.fixture
def staffed(desk):
    """A station with an admin 王芳, a supervisor 李强 and a clerk 张敏."""
    admin = operators.add_user(desk, "王芳", Role.ADMIN, ADMIN_PW, by=OPEN).operator
    operators.add_user(desk, "李强", Role.SUPERVISOR, "super-pass-1", by=admin)
    operators.add_user(desk, "张敏", Role.CLERK, CLERK_PW, by=admin)
    return desk


def test_the_password_is_stored_as_an_argon2_hash_never_as_itself(desk, db_path):
    assert not operators.accounts_exist(desk)
    operators.add_user(desk, "王芳", "admin", ADMIN_PW, by=OPEN)
    assert operators.accounts_exist(desk)
    (row,) = db_rows(db_path, "SELECT * FROM operator")
    assert row["password_hash"].startswith("$argon2id$")
    assert ADMIN_PW not in "|".join(str(v) for v in tuple(row))
    assert row["role"] == "admin" and row["disabled"] == 0


def test_the_first_account_must_be_an_admin(desk):
    with pytest.raises(DomainError, match="第一个账号必须是管理员"):
        operators.add_user(desk, "张敏", Role.CLERK, CLERK_PW, by=OPEN)
    assert not operators.accounts_exist(desk)


def test_a_short_password_is_refused_with_its_length(desk):
    with pytest.raises(InvalidInput, match="至少 8 个字符"):
        operators.add_user(desk, "王芳", Role.ADMIN, "short", by=OPEN)


def test_a_clerk_or_supervisor_cannot_add_disable_or_set_others_passwords(staffed):
    for who in (Operator("张敏", Role.CLERK), Operator("李强", Role.SUPERVISOR)):
        with pytest.raises(NotPermitted, match="需要管理员"):
            operators.add_user(staffed, "赵六", Role.CLERK, "new-pass-123", by=who)
        with pytest.raises(NotPermitted):
            operators.disable(staffed, "王芳", by=who)
        with pytest.raises(NotPermitted):
            operators.set_password(staffed, "王芳", "new-pass-123", by=who)
    assert [a.name for a in operators.list_users(staffed)] == sorted(["王芳", "李强", "张敏"])
    operators.authenticate(staffed, "王芳", ADMIN_PW)  # unchanged


def test_open_mode_cannot_act_once_accounts_exist(staffed):
    with pytest.raises(LoginRefused, match="管理员账号登录"):
        operators.add_user(staffed, "赵六", Role.CLERK, "new-pass-123", by=OPEN)


def test_anyone_changes_their_own_password_only_with_the_old_one(staffed):
    me = Operator("张敏", Role.CLERK)
    with pytest.raises(LoginRefused, match="原密码错误"):
        operators.set_password(staffed, "张敏", "brand-new-pw", by=me, old_password="wrong-old-pw")
    operators.set_password(staffed, "张敏", "brand-new-pw", by=me, old_password=CLERK_PW)
    assert operators.authenticate(staffed, "张敏", "brand-new-pw") == me
    with pytest.raises(LoginRefused):
        operators.authenticate(staffed, "张敏", CLERK_PW)


def test_unknown_name_and_wrong_password_get_the_same_refusal(staffed):
    with pytest.raises(LoginRefused) as unknown:
        operators.authenticate(staffed, "没有这个人", CLERK_PW)
    with pytest.raises(LoginRefused) as wrong:
        operators.authenticate(staffed, "张敏", "wrong-password")
    assert str(unknown.value) == str(wrong.value)
    assert "张敏" not in str(wrong.value)


def test_five_failures_lock_for_fifteen_minutes_then_it_opens(staffed, clock, db_path):
    for _ in range(4):
        with pytest.raises(LoginRefused, match="用户名或密码错误"):
            operators.authenticate(staffed, "张敏", "wrong-password")
    with pytest.raises(LoginRefused) as fifth:
        operators.authenticate(staffed, "张敏", "wrong-password")
    (row,) = db_rows(db_path, "SELECT failed_attempts, locked_until FROM operator WHERE name = '张敏'")
    assert tuple(row) == (5, "2026-11-23T02:15:00.000000Z")  # T0 + 15 minutes
    # locked: even the right password is refused, with the answer an unknown name gets
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(LoginRefused) as locked:
        operators.authenticate(staffed, "张敏", CLERK_PW)
    with pytest.raises(LoginRefused) as unknown:
        operators.authenticate(staffed, "没有这个人", CLERK_PW)
    assert str(fifth.value) == str(locked.value) == str(unknown.value)
    clock.advance(seconds=1)
    assert operators.authenticate(staffed, "张敏", CLERK_PW) == Operator("张敏", Role.CLERK)
    (row,) = db_rows(db_path, "SELECT failed_attempts, locked_until FROM operator WHERE name = '张敏'")
    assert tuple(row) == (0, None)


def test_a_success_resets_the_count_of_failures(staffed):
    for _ in range(4):
        with pytest.raises(LoginRefused):
            operators.authenticate(staffed, "张敏", "wrong-password")
    operators.authenticate(staffed, "张敏", CLERK_PW)
    for _ in range(4):
        with pytest.raises(LoginRefused, match="用户名或密码错误"):
            operators.authenticate(staffed, "张敏", "wrong-password")


def test_an_admin_sets_a_password_and_lifts_the_lockout(staffed):
    for _ in range(5):
        with pytest.raises(LoginRefused):
            operators.authenticate(staffed, "张敏", "wrong-password")
    operators.set_password(staffed, "张敏", "reset-pass-1", by=Operator("王芳", Role.ADMIN))
    assert operators.authenticate(staffed, "张敏", "reset-pass-1").role is Role.CLERK


def test_a_disabled_account_cannot_sign_in_and_the_last_admin_stays(staffed):
    admin = Operator("王芳", Role.ADMIN)
    operators.disable(staffed, "张敏", by=admin)
    with pytest.raises(LoginRefused, match="已停用"):
        operators.authenticate(staffed, "张敏", CLERK_PW)
    with pytest.raises(DomainError, match="最后一个管理员"):
        operators.disable(staffed, "王芳", by=admin)
    # a disabled admin's stale session cannot manage accounts
    operators.add_user(staffed, "孙丽", Role.ADMIN, "other-admin-1", by=admin)
    operators.disable(staffed, "王芳", by=Operator("孙丽", Role.ADMIN))
    with pytest.raises(LoginRefused):
        operators.add_user(staffed, "赵六", Role.CLERK, "new-pass-123", by=admin)


def test_record_access_writes_one_row_per_order(desk, db_path, import_rows):
    import_rows([feed_row(1), feed_row(2)])
    ids = [r["id"] for r in db_rows(db_path, "SELECT id FROM orders ORDER BY id")]
    assert operators.record_access(desk, "张敏", ids, "phone") == 2
    rows = db_rows(db_path, "SELECT operator, order_id, what, at FROM access_log ORDER BY id")
    assert [(r["operator"], r["order_id"], r["what"]) for r in rows] == [("张敏", ids[0], "phone"), ("张敏", ids[1], "phone")]
    assert rows[0]["at"].startswith("2026-11-23T02:00")


def test_database_errors_carry_no_personal_values(desk):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError) as failed:  # no order 999999: the foreign key refuses the row
        operators.record_access(desk, "13812345678", [999_999], "phone")
    assert "13812345678" not in str(failed.value)
