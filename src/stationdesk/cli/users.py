"""`stationdesk user add/passwd/disable/list`: operators' accounts.

New passwords come from STATIONDESK_NEW_PASSWORD or a hidden prompt (typed twice); there is no
password option, so no password ends up in a shell history or a process list.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from stationdesk.cli.choices import RoleChoice
from stationdesk.cli.common import (
    ConfigOpt, DbOpt, ExcelOpt, Format, FormatOpt, OperatorOpt, OutputOpt, Refused, guarded, phrase, read_secret, say, signed_in,
)
from stationdesk.domain.roles import Permission

users_app = typer.Typer(help="操作员账号: add, change a password, disable, list (admin).", no_args_is_help=True)

NEW_PASSWORD_ENV = "STATIONDESK_NEW_PASSWORD"


def _new_password(name: str) -> str:
    value = os.environ.get(NEW_PASSWORD_ENV)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise Refused("cli.password_env", env=NEW_PASSWORD_ENV)
    import getpass

    first = getpass.getpass(say(phrase("cli.new_password", name=name)))
    if getpass.getpass(say(phrase("cli.password_again"))) != first:
        raise Refused("cli.passwords_differ")
    return first


@users_app.command("add")
@guarded
def user_add(
    name: Annotated[str, typer.Argument(help="The person's name, as recorded on every action")],
    role: Annotated[RoleChoice, typer.Option("--role", help="clerk 网点员工, supervisor 主管, admin 管理员")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """Add an account (admin; the station's first account must be an admin, and needs no sign-in)."""
    from stationdesk.domain.roles import parse_role
    from stationdesk.services.operators import add_user, clean_name

    wanted = parse_role(role.value)
    cleaned = clean_name(name)
    desk, who = signed_in(db, config, operator, need=Permission.USERS)
    try:
        account = add_user(desk, cleaned, wanted, _new_password(cleaned), by=who)
    finally:
        desk.db.dispose()
    typer.echo(say(phrase("cli.account_added", name=account.name, role=account.role)))


@users_app.command("passwd")
@guarded
def user_passwd(
    name: Annotated[str | None, typer.Argument(help="Whose password [default: your own]")] = None,
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """Change your own password (with the current one), or set another person's (admin; lifts a lockout)."""
    from stationdesk.services.operators import clean_name, set_password

    desk, who = signed_in(db, config, operator)
    try:
        target = clean_name(name) if name else who.name
        if not target:
            raise Refused("cli.whose_password")
        own = who.role is not None and target == who.name
        if not own:
            who.require(Permission.USERS)
        old = read_secret("STATIONDESK_PASSWORD", say(phrase("cli.current_password"))) if own else None
        set_password(desk, target, _new_password(target), by=who, old_password=old)
    finally:
        desk.db.dispose()
    typer.echo(say(phrase("cli.password_changed", name=target)))


@users_app.command("disable")
@guarded
def user_disable(
    name: Annotated[str, typer.Argument(help="The account to disable")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """Disable an account (admin): it can no longer sign in; its past actions keep its name."""
    from stationdesk.services.operators import clean_name, disable

    desk, who = signed_in(db, config, operator, need=Permission.USERS)
    try:
        disable(desk, clean_name(name), by=who)
    finally:
        desk.db.dispose()
    typer.echo(say(phrase("cli.account_disabled", name=name)))


@users_app.command("list")
@guarded
def user_list(db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None, fmt: FormatOpt = Format.table,
              output: OutputOpt = None, excel: ExcelOpt = False) -> None:
    """The accounts, their roles, and which are disabled or locked (admin)."""
    from stationdesk.services.operators import list_users

    desk, _who = signed_in(db, config, operator, need=Permission.USERS)
    try:
        accounts = list_users(desk)
        now, tz = desk.now(), desk.config.tz
    finally:
        desk.db.dispose()
    if not accounts and fmt == Format.table:
        typer.echo(say(phrase("cli.no_accounts")))
        return
    from stationdesk.cli.formats import emit

    rows = [{"name": a.name, "role": a.role.value, "role_label": a.role.label, "disabled": a.disabled,
             "locked_until": a.locked_until.astimezone(tz) if a.locked_until and a.locked_until > now else None,
             "state": say(phrase("cli.state_disabled")) if a.disabled else (
                 say(phrase("cli.state_locked", until=f"{a.locked_until.astimezone(tz):%H:%M}"))
                 if a.locked_until and a.locked_until > now else "")}
            for a in accounts]
    columns = [("name", "姓名 name", 12), ("role", "role", 10), ("role_label", "角色", 8), ("state", "状态", 24)]
    if fmt != Format.table:
        columns[3:3] = [("disabled", "已停用", 6), ("locked_until", "锁定至", 19)]
    emit(rows, columns, fmt, output, excel=excel, tz=tz, sheet="操作员")


@users_app.command("unlock")
@guarded
def user_unlock(
    name: Annotated[str, typer.Argument(help="Your own account's name")],
    db: DbOpt = None, config: ConfigOpt = None,
) -> None:
    """Lift the lock on your own account with its right password (STATIONDESK_PASSWORD or typed):
    the way back when, say, a scheduled job with an old password keeps locking the only admin."""
    from stationdesk.bootstrap import open_desk
    from stationdesk.services.operators import clean_name, unlock_own

    cleaned = clean_name(name)
    from stationdesk.cli.adapters import password_hasher

    desk = open_desk(db, config, hasher=password_hasher())
    try:
        unlock_own(desk, cleaned, read_secret("STATIONDESK_PASSWORD", say(phrase("cli.password_prompt", name=cleaned))))
    finally:
        desk.db.dispose()
    typer.echo(say(phrase("cli.unlocked", name=cleaned)))
