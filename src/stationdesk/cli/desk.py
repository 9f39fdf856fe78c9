"""Opening the desk (the full-screen TUI) from the command line, on a station's database or a demo; and
the root of `stationdesk` (--version, and the desk when no command is named)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from stationdesk.cli.common import ConfigOpt, DbOpt, OperatorOpt, guarded, opened, phrase, say
from stationdesk.cli.desk_line import run_desk


def _version(value: bool) -> None:  # --version, before anything else is read
    if value:
        from stationdesk import __version__

        typer.echo(f"stationdesk {__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Print the version and exit")] = False,
) -> None:
    """With no command, open the desk (the TUI) on the default database."""
    if ctx.invoked_subcommand is None:
        env = os.environ.get
        tui(db=Path(env("STATIONDESK_DB")) if env("STATIONDESK_DB") else None,
            config=Path(env("STATIONDESK_CONFIG")) if env("STATIONDESK_CONFIG") else None,
            operator=env("STATIONDESK_OPERATOR"))


@guarded
def demo(
    db: DbOpt = None,
    orders: Annotated[int, typer.Option("--orders", min=1, help="Demo orders when creating the database")] = 3000,
    operator: OperatorOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Create a seeded demo database if there is none, and open the desk on it."""
    from stationdesk import paths
    from stationdesk.services.seed import seed_demo as run_seed
    from stationdesk.services.setup import init_database

    path = db or paths.demo_db_path()
    if db is not None:  # a demo elsewhere keeps everything it writes beside its database
        beside = path.expanduser().absolute().parent
        os.environ["STATIONDESK_BACKUP_DIR"] = str(beside / f"{path.stem}-backups")
        os.environ["STATIONDESK_LOG_DIR"] = str(beside / f"{path.stem}-logs")
        from stationdesk.logs import setup_logging

        setup_logging(restart=True)
    if not path.exists():
        typer.echo(say(phrase("cli.creating_demo", path=path)), err=True)
        init_database(path, "HZ001")
        seeding = opened(path, config)
        try:
            run_seed(seeding, orders, 1)
        finally:
            seeding.db.dispose()
    run_desk(path, config, operator or "演示员")


@guarded
def tui(db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None) -> None:
    """Open the desk (full-screen) on a station database."""
    run_desk(db, config, operator or os.environ.get("USER") or "clerk")
