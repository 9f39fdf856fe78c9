"""The `stationdesk` command: every use case for scripts and a supervisor's cron jobs.

This module only assembles the app: the root (its help, --version, the desk with no command)
and the table of where each command and group lives. What the commands share is in
stationdesk.cli.common; each command module parses its input and calls a service. Heavy imports
(SQLAlchemy, Textual) happen inside the commands that need them, and a command line loads only
the module of the command it names, so `stationdesk --help` and a cron line stay quick; the
light commands (stationdesk.cli.light) run before Typer is imported at all.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

# (name, module under stationdesk.cli, attribute), in the order help lists them.
COMMANDS = (
    ("init", "station", "init"), ("import", "station", "import_"), ("seed", "station", "seed"),
    ("demo", "desk", "demo"), ("tui", "desk", "tui"), ("check", "checking", "check"),
    ("stations", "station", "stations"), ("backup", "admin", "backup"), ("restore", "admin", "restore"),
    ("keys", "admin", "keys"), ("sync", "sync", "sync_command"), ("notices", "hq_audit", "notices"),
    ("logs", "logs_cmd", "logs"), ("serve", "serve", "serve"),
)
GROUPS = (
    ("config", "config_cmd", "config_app"), ("orders", "orders", "orders_app"), ("scan", "orders", "scan_app"),
    ("report", "report", "report_app"), ("audit", "admin", "audit_app"), ("hq", "sync", "hq_app"),
    ("conflicts", "sync", "conflicts_app"), ("alerts", "alerts", "alerts_app"), ("user", "users", "users_app"),
)


def _load(module: str, attr: str) -> Any:
    return getattr(import_module(f"stationdesk.cli.{module}"), attr)


def assemble(only: str | None = None) -> typer.Typer:
    """The `stationdesk` app with every command and group, or with only the one named ``only``
    (the others' modules are then not even imported)."""
    import typer

    from stationdesk.cli.desk import root

    app = typer.Typer(
        name="stationdesk",
        help="stationdesk: 网点电商订单 (e-commerce pickup orders) at the keyboard.",
        no_args_is_help=False,
        add_completion=True,  # stationdesk --install-completion (bash, zsh, fish, PowerShell)
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback(invoke_without_command=True)(root)
    for name, module, attr in COMMANDS:
        if only in (None, name):
            app.command(name)(_load(module, attr))
    for name, module, attr in GROUPS:
        if only in (None, name):
            app.add_typer(_load(module, attr), name=name)
    return app


_WHOLE: list[typer.Typer] = []


def whole() -> typer.Typer:
    """The app with every command (built once): what help at the top, completion and tests see."""
    if not _WHOLE:
        _WHOLE.append(assemble())
    return _WHOLE[0]


def __getattr__(name: str) -> Any:
    if name == "app":  # `from stationdesk.cli import app`: the whole app, assembled on first use
        return whole()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    from stationdesk.cli.desk_line import run as run_desk

    if run_desk(sys.argv[1:]):  # the desk's plain line, before Typer is imported
        return
    from stationdesk.cli.light import run

    if run(sys.argv[1:]):  # a light command's plain line runs before Typer is imported
        return
    from stationdesk.cli.base import option_value
    from stationdesk.logs import setup_logging

    setup_logging(config_path=option_value(sys.argv[1:], "--config"))
    command(sys.argv[1:])(prog_name="stationdesk")


def command(argv: list[str] | None = None) -> Any:
    """The click command behind `stationdesk`, with plain help (no type names): what main runs.

    Given the arguments, only the command they name is imported and built: building all of them
    costs a command from a shell or a cron line more than its own read (tens of milliseconds).
    Help at the top or of a group, shell completion and anything not naming a command get the
    whole tree."""
    from stationdesk.cli.helptext import build

    completing = any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)
    narrowed = None
    if not completing and argv and not argv[0].startswith("-"):
        narrowed = _narrowed(assemble(argv[0]), argv)
    return build(narrowed if narrowed is not None else whole())


def _narrowed(group: typer.Typer, argv: list[str]) -> typer.Typer | None:
    """A copy of ``group`` holding only the command the leading words of ``argv`` name, or None."""
    import copy

    from typer.main import get_command_name

    if not argv or argv[0].startswith("-"):
        return None
    name, rest = argv[0], argv[1:]
    for info in group.registered_commands:
        if (info.name or get_command_name(info.callback.__name__)) == name:  # type: ignore[union-attr]  # a command always has a callback
            narrowed = copy.copy(group)
            narrowed.registered_commands, narrowed.registered_groups = [info], []
            return narrowed
    for info in group.registered_groups:
        if info.name == name and (inner := _narrowed(info.typer_instance, rest)) is not None:  # type: ignore[arg-type]  # a registered group has its Typer
            one = copy.copy(info)
            one.typer_instance = inner
            narrowed = copy.copy(group)
            narrowed.registered_commands, narrowed.registered_groups = [], [one]
            return narrowed
    return None
