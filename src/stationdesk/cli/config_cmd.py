"""`stationdesk config ...`: where config.toml is, what it says, the commented file, and the sample feeds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stationdesk.cli.common import ConfigOpt, Refused, guarded, phrase, say
from stationdesk.cli.logs_cmd import samples

config_app = typer.Typer(help="config.toml: where it is and what it says.", no_args_is_help=True)


@config_app.command("path")
def config_path() -> None:
    """Where config.toml and the database are looked for."""
    from stationdesk import paths

    typer.echo(f"config: {paths.default_config_path()}")
    typer.echo(f"database: {paths.default_db_path()}")
    typer.echo(f"demo database: {paths.demo_db_path()}")


@config_app.command("show")
@guarded
def config_show(config: ConfigOpt = None) -> None:
    """The settings in force (the file over the defaults), as TOML."""
    from stationdesk import config as cfg_mod
    from stationdesk import paths

    path = config or paths.default_config_path()
    cfg = cfg_mod.load(path)
    typer.echo(f"# {path}{'' if path.exists() else ' (not found: defaults)'}")
    typer.echo(cfg_mod.dump_toml(cfg_mod.as_dict(cfg), mask_secrets=True), nl=False)


@config_app.command("init")
@guarded
def config_init(
    config: ConfigOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="PATH",
                                                help="Write here instead of the config path")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file")] = False,
) -> None:
    """Write the commented config.toml (every key with its default) to the config path."""
    from stationdesk import paths
    from stationdesk.cli.formats import check_writable
    from stationdesk.config import shipped_config_text

    path = output or config or paths.default_config_path()
    if path.exists() and not force:
        raise Refused("opt.exists", path=path)
    if output is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    check_writable(path)
    path.write_text(shipped_config_text(), encoding="utf-8")
    typer.echo(say(phrase("cli.config_written", path=path)))


config_app.command("samples")(samples)
