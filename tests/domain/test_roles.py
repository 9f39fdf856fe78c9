"""Roles: what each may do, the refusal message, and the lockout rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import re

import pytest

from stationdesk.domain.words import speak

from stationdesk.domain.errors import DomainError, InvalidInput
from stationdesk.domain.roles import (
    LEAST_ROLE, LOCKOUT, MAX_FAILED_LOGINS, LoginState, NotPermitted, Operator, Permission, Role,
    allows, check_new_password, parse_role, require,
)

T = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_the_least_role_of_each_permission():
    admin_only = {Permission.USERS, Permission.RESTORE}
    assert {p for p, r in LEAST_ROLE.items() if r is Role.ADMIN} == admin_only
    assert {p for p, r in LEAST_ROLE.items() if r is Role.SUPERVISOR} == set(Permission) - admin_only


@pytest.mark.parametrize("permission", list(Permission))
def test_a_clerk_is_refused_everything_in_the_table_and_an_admin_nothing(permission):
    assert not allows(Role.CLERK, permission)
    assert allows(Role.ADMIN, permission)
    assert allows(Role.SUPERVISOR, permission) == (permission not in (Permission.USERS, Permission.RESTORE))


def test_the_refusal_names_the_role_the_action_and_the_role_needed():
    with pytest.raises(NotPermitted) as refused:
        require(Role.CLERK, Permission.FULL_PHONES)
    text = str(refused.value)
    assert isinstance(refused.value, DomainError)
    assert "网点员工" in text and "查看完整电话" in text and "需要主管" in text
    assert speak(refused.value, "en") == ("not permitted: the role clerk may not use full phone numbers; "
                                          "it needs supervisor or above")
    assert not re.search(r"[A-Za-z]", text)  # a Chinese screen reads it all in Chinese
    with pytest.raises(NotPermitted, match="主管不能使用「账号管理」, 需要管理员"):
        require(Role.SUPERVISOR, Permission.USERS)


def test_open_mode_refuses_nothing_and_a_signed_in_clerk_is_refused():
    assert Operator("张敏").can(Permission.USERS)
    Operator("张敏").require(Permission.VIOLATIONS)
    assert not Operator("张敏", Role.CLERK).can(Permission.APPEAL)
    with pytest.raises(NotPermitted):
        Operator("张敏", Role.CLERK).require(Permission.APPEAL)
    assert Operator("张敏", Role.SUPERVISOR).label == "张敏 (主管)"


def test_roles_parse_from_english_or_the_chinese_label():
    assert parse_role(" Supervisor ") is Role.SUPERVISOR
    assert parse_role("网点员工") is Role.CLERK
    with pytest.raises(InvalidInput, match="clerk, supervisor, admin"):
        parse_role("boss")


def test_passwords_have_a_minimum_length():
    check_new_password("12345678")
    for bad in ("1234567", "        ", ""):
        with pytest.raises(InvalidInput, match="至少 8"):
            check_new_password(bad)


def test_the_fifth_failure_in_a_row_locks_for_fifteen_minutes():
    state = LoginState()
    for n in range(1, MAX_FAILED_LOGINS):
        state = state.after_failure(T)
        assert state == LoginState(n, None) and not state.locked(T)
    state = state.after_failure(T)
    assert state.locked_until == T + LOCKOUT == T + timedelta(minutes=15)
    assert state.locked(T + timedelta(minutes=14, seconds=59))
    assert not state.locked(T + LOCKOUT)
    # after the lock runs out the count starts again
    assert state.after_failure(T + LOCKOUT) == LoginState(1, None)
