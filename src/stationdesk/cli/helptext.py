"""Help that reads like gh's or httpie's: `--from FROM`, `--limit N`, `--db PATH`, never `<str>`
or `<int range>`. Every option and argument of the built command tree that names no metavar of
its own gets one here, from its type and its name; choices (enums) keep their list of values."""

from __future__ import annotations

import typing
from typing import Any

import typer

def _metavar(param: Any) -> str | None:
    """Typer describes a parameter's type by its annotation (``type_descriptor``)."""
    desc = getattr(param, "type_descriptor", None)
    if desc is not None:
        if desc.is_choice:
            if desc.is_list:  # typer would show "<list[a|b]>": the values, and the option repeats
                return "[" + "|".join(str(getattr(c, "value", c)) for c in desc.choices or ()) + "]"
            return None  # the values themselves are the help
        if desc.is_path or desc.is_file:
            return "PATH"
        annotation = desc.annotation
        if desc.is_list:
            annotation = (typing.get_args(annotation) or (str,))[0]
        if annotation in (int, float):
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
        if param.param_type_name == "argument" and param.metavar is not None:
            # Typer prints an argument's type beside its name ("NUMBERS <list[str]>"): the name says it
            param.display_type_rich = lambda ctx: None
    for sub in getattr(command, "commands", {}).values():
        tidy(sub)
    return command


def build(app: typer.Typer) -> Any:
    """The click command for ``app`` with plain help: what `stationdesk` runs."""
    return tidy(typer.main.get_command(app))
