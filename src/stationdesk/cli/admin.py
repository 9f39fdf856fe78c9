"""Looking after the station database: backups and restores."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stationdesk.cli.common import (
    ConfigOpt, DbOpt, ExcelOpt, ExitCode, Format, FormatOpt, OutputOpt, Refused, guarded, opened, phrase, say, signed_in,
)


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 1024:.0f} KiB"


@guarded
def backup(
    path: Annotated[Path | None, typer.Argument(help="Where to write the backup (must not exist yet)")] = None,
    daily: Annotated[bool, typer.Option("--daily", help="Today's backup in [backup] folder, and remove old ones")] = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """备份: a verified copy of the live database; safe while terminals are working."""
    from stationdesk import paths
    from stationdesk.domain.text import clean_text
    from stationdesk.services import backup as backups

    if (path is None) == (not daily):
        raise Refused("cli.backup_what")
    desk = opened(db, config)
    try:
        if daily:
            folder = Path(desk.config.backup.folder) if desk.config.backup.folder else paths.backup_dir()
            warnings: list[str] = []
            made, removed = backups.daily(desk.db, folder, desk.station.code, desk.now().astimezone(desk.config.tz).date(),
                                          desk.config.backup.keep_days, warnings)
            for line in warnings:
                typer.echo(f"{say(phrase('note.prefix'))}: {clean_text(say(line))}", err=True)
            if made is None:
                typer.echo(say(phrase("cli.backup_exists_today", folder=folder)))
            else:
                typer.echo(say(phrase("cli.backup_made", path=made.path, orders=made.verified.orders, size=_size(made.bytes),
                                       seconds=made.seconds)))
            for p in removed:
                why = phrase("cli.backup_unfinished") if p.name.endswith(backups.PARTIAL) else (
                    phrase("cli.backup_old", days=desk.config.backup.keep_days))
                typer.echo(say(phrase("cli.backup_removed", path=p, why=why)))
        else:
            assert path is not None
            made = backups.backup(desk.db, path)
            typer.echo(say(phrase("cli.backup_made_events", path=made.path, orders=made.verified.orders,
                                   events=made.verified.events, size=_size(made.bytes), seconds=made.seconds)))
        if made is not None and made.damaged_chain:
            typer.echo(say(phrase("cli.damaged_backup", why=clean_text(made.damaged_chain))), err=True)
    finally:
        desk.db.dispose()


@guarded
def restore(
    path: Annotated[Path, typer.Argument(help="A backup made by `stationdesk backup`")],
    other_station: Annotated[bool, typer.Option("--other-station", help="Allow a backup of another station")] = False,
    db: DbOpt = None,
) -> None:
    """恢复: verify a backup, keep a copy of the current database, then restore."""
    from datetime import datetime

    from stationdesk import paths
    from stationdesk.services.backup import restore as run_restore
    from stationdesk.cli.common import phrase, say

    from stationdesk.domain.roles import Permission

    target = db or paths.default_db_path()
    if target.exists():  # replacing a station's database is an administrator's decision
        from stationdesk.services.backup import verify

        current = verify(target)
        if current.damaged_file or current.station is None:
            # nobody can sign in to a broken file: the admin signs in with the accounts in the backup
            typer.echo(say(phrase("cli.restore_damaged", path=target)), err=True)
            _sign_in_against(path)
        else:
            desk, _who = signed_in(target, None, need=Permission.RESTORE)
            desk.db.dispose()
    checked, saved = run_restore(target, path, now=datetime.now().astimezone(), other_station=other_station)
    if saved is not None:
        typer.echo(say(phrase("cli.restore_saved", saved=saved)))
    typer.echo(say(phrase("cli.restored", path=target, station=checked.station, n=checked.orders, backup=path)))


def _sign_in_against(backup_path: Path) -> None:
    """Sign in as an admin with the accounts of ``backup_path``, on a scratch copy of it (a sign-in
    counts failures: the backup itself is never written)."""
    import shutil
    import tempfile

    from stationdesk.domain.roles import Permission
    from stationdesk.services.backup import verify

    if not verify(backup_path).ok:
        return  # the restore refuses it, naming why
    with tempfile.TemporaryDirectory(prefix="stationdesk-restore-") as scratch:
        copy = Path(scratch) / "backup.db"
        shutil.copy2(backup_path, copy)
        desk, _who = signed_in(copy, None, need=Permission.RESTORE)
        desk.db.dispose()


audit_app = typer.Typer(help="审计: the tamper-evident trail of every action.", no_args_is_help=True)


@audit_app.command("verify")
@guarded
def audit_verify(db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Walk the chain of events; exit 1 naming the first row edited, deleted or inserted."""
    from stationdesk.cli.common import phrase, say
    from stationdesk.domain.text import clean_text
    from stationdesk.services.audit_trail import verify

    desk = opened(db, config)
    try:
        report = verify(desk.db)
    finally:
        desk.db.dispose()
    if report.ok:
        typer.echo(say(phrase("cli.audit_intact", path=desk.db.path, n=report.events)))
        return
    typer.echo(f"{desk.db.path}: {clean_text(say(report.problem))}", err=True)
    raise typer.Exit(ExitCode.DAMAGE)


@audit_app.command("acknowledge")
@guarded
def audit_acknowledge(db: DbOpt = None, config: ConfigOpt = None) -> None:
    """An admin has seen the broken audit chain and reported it: the desks stop showing it."""
    from datetime import datetime

    from stationdesk.domain.roles import Permission
    from stationdesk.cli.common import phrase, say
    from stationdesk.domain.text import clean_text
    from stationdesk.services.damage import acknowledge

    desk, who = signed_in(db, config, need=Permission.RESTORE)
    try:
        found = acknowledge(desk.db, who, datetime.now().astimezone())
    finally:
        desk.db.dispose()
    if found is None:
        typer.echo(say(phrase("cli.no_damage", path=desk.db.path)))
    else:
        typer.echo(say(phrase("cli.damage_acknowledged", path=desk.db.path, what=clean_text(found))))


@guarded
def keys(
    config: ConfigOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    excel: ExcelOpt = False,
) -> None:
    """Every key of the screens: action id (what [keys] in config.toml names), key, default, where."""
    from stationdesk import config as config_mod
    from stationdesk import keymap, paths
    from stationdesk.cli.formats import emit

    cfg = config_mod.load(config if config is not None else paths.default_config_path())
    current = keymap.keys_of(cfg.keys)
    rows = [
        {"action": a.id, "key": current[a.id], "default": a.key, "where": keymap.SCOPES[a.scope][0],
         "what": a.zh, "what_en": a.en}
        for a in keymap.ACTIONS
    ]
    columns = [("action", "action id", 24), ("key", "键 key", 14), ("default", "默认 default", 14),
               ("where", "范围 where", 16), ("what", "功能", 16), ("what_en", "what", 28)]
    emit(rows, columns, fmt, output, excel=excel, sheet="keys")
