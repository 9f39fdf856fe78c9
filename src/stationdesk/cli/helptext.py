"""Help that reads like gh's or httpie's: `--from FROM`, `--limit N`, `--db PATH`, never `TEXT`,
`INTEGER` or `<int range>`. Every option and argument of the built command tree that names no
metavar of its own gets one here, from its click type and its name; choices (enums) keep their
list of values."""

from __future__ import annotations

from typing import Any

import click
import typer


def _metavar(param: Any) -> str | None:
    """A plain metavar from the parameter's click type: the values of a choice, PATH, N, or its name."""
    kind = param.type
    if isinstance(kind, click.Choice):
        if getattr(param, "multiple", False) or param.nargs != 1:  # the values, and the option repeats
            return "[" + "|".join(str(getattr(c, "value", c)) for c in kind.choices) + "]"
        return None  # click lists the values themselves
    if isinstance(kind, (click.Path, click.File)):
        return "PATH"
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):  # INT, FLOAT and their ranges
        return "N"
    longs = [o for o in getattr(param, "opts", ()) if o.startswith("--")]
    label = longs[0].lstrip("-") if longs else (param.name or "value")
    return label.replace("-", "_").upper()


def tidy(command: Any) -> Any:
    """Name every parameter of ``command`` and its subcommands plainly; returns ``command``."""
    for param in command.params:
        if param.metavar is not None or getattr(param, "is_flag", False) or getattr(param, "count", False):
            continue
        param.metavar = _metavar(param)
    for sub in getattr(command, "commands", {}).values():
        tidy(sub)
    return command


def build(app: typer.Typer) -> Any:
    """The click command for ``app`` with plain help: what `stationdesk` runs."""
    return tidy(typer.main.get_command(app))
