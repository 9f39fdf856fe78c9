"""Operators' roles, what each may do, and the log-in lockout rule.

Head office fines a station for false feedback, so every action is done by a named person with a
role; the supervisor's work (violations, appeals, full phone numbers) and the administrator's
(accounts) are refused to a clerk here, in one table that the screen and the command line share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from stationdesk.domain.errors import DomainError, InvalidInput
from stationdesk.domain.words import Words


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def rank(self) -> int:
        return list(Role).index(self)


ROLE_LABELS: dict[Role, str] = {Role.CLERK: "网点员工", Role.SUPERVISOR: "主管", Role.ADMIN: "管理员"}


class Permission(StrEnum):
    VIOLATIONS = "violations"
    APPEAL = "appeal"
    FULL_PHONES = "full_phones"
    USERS = "users"
    CONFIG = "config"
    RESTORE = "restore"

    @property
    def label(self) -> str:
        return PERMISSION_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return PERMISSION_LABELS[self][1]


PERMISSION_LABELS: dict[Permission, tuple[str, str]] = {
    Permission.VIOLATIONS: ("违规与罚款报表", "violation and fine reports"),
    Permission.APPEAL: ("违规申诉", "appeals"),
    Permission.FULL_PHONES: ("查看完整电话", "full phone numbers"),
    Permission.USERS: ("账号管理", "user accounts"),
    Permission.CONFIG: ("网点配置", "station configuration"),
    Permission.RESTORE: ("恢复数据库", "restoring the database from a backup"),
}

# The least role each permission needs; a higher role has everything a lower one has.
LEAST_ROLE: dict[Permission, Role] = {
    Permission.VIOLATIONS: Role.SUPERVISOR,
    Permission.APPEAL: Role.SUPERVISOR,
    Permission.FULL_PHONES: Role.SUPERVISOR,
    Permission.USERS: Role.ADMIN,
    Permission.CONFIG: Role.SUPERVISOR,
    Permission.RESTORE: Role.ADMIN,
}


class NotPermitted(DomainError):
    """The operator's role does not allow the action."""

    def __init__(self, role: Role, permission: Permission) -> None:
        self.role, self.permission = role, permission
        need = LEAST_ROLE[permission]
        super().__init__("err.not_permitted", role=role, permission=permission, need=need)


def allows(role: Role, permission: Permission) -> bool:
    return role.rank >= LEAST_ROLE[permission].rank


def require(role: Role, permission: Permission) -> None:
    """Refuse ``permission`` to ``role`` with a message naming the role, the action and the role needed."""
    if not allows(role, permission):
        raise NotPermitted(role, permission)


def parse_role(text: str) -> Role:
    value = text.strip().lower()
    for role in Role:
        if value in (role.value, role.label):
            return role
    raise InvalidInput("err.unknown_role", role=text[:20], valid=", ".join(r.value for r in Role))


@dataclass(frozen=True)
class Operator:
    """Who is acting. ``role`` is None in open mode: no account exists yet on the station, so
    nobody signs in and nothing is refused (as before accounts)."""

    name: str
    role: Role | None = None

    def can(self, permission: Permission) -> bool:
        return self.role is None or allows(self.role, permission)

    def require(self, permission: Permission) -> None:
        if self.role is not None:
            require(self.role, permission)

    @property
    def label(self) -> str:
        return self.name if self.role is None else f"{self.name} ({self.role.label})"


# -- passwords and the lockout ---------------------------------------------------------------

MIN_PASSWORD = 8
MAX_FAILED_LOGINS = 5  # failed log-ins in a row that lock the account
LOCKOUT = timedelta(minutes=15)


def check_new_password(password: str) -> None:
    """Refuse a password that is too short (or only spaces)."""
    if len(password) < MIN_PASSWORD or not password.strip():
        raise InvalidInput("err.password_short", n=MIN_PASSWORD)


@dataclass(frozen=True)
class LoginState:
    """An account's failed log-ins in a row, and until when it is locked (None: not locked)."""

    failed: int = 0
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime) -> LoginState:
        """One more failure; the fifth in a row locks the account for LOCKOUT from ``now``."""
        failed = (0 if self.locked_until is not None and now >= self.locked_until else self.failed) + 1
        if failed >= MAX_FAILED_LOGINS:
            return LoginState(failed, now + LOCKOUT)
        return LoginState(failed, None)


class LoginRefused(DomainError):
    """A log-in was refused: wrong name or password, a locked or a disabled account."""


# One answer for an unknown name, a wrong password and a locked account alike.
WRONG_LOGIN = Words("err.wrong_login", n=MAX_FAILED_LOGINS, minutes=int(LOCKOUT.total_seconds() // 60))


def locked_message(until_local: datetime) -> Words:
    return Words("err.locked", n=MAX_FAILED_LOGINS, until=f"{until_local:%Y-%m-%d %H:%M}")
