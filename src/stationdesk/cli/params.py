"""The options and arguments of the shared options and of the light commands, written once, as
data with no Typer in it. Two readers take them: stationdesk.cli.common turns each into the
``Annotated[..., typer.Option(...)]`` Typer builds its commands (help, errors, completion) from,
and ``parse`` reads a light command's line with them before Typer is even imported. ``parse``
takes only a plain, valid line; anything else (help, an unknown or repeated option, a value
Typer would refuse) is left to Typer, so what a person sees for those stays Typer's own."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from stationdesk.cli.formats import Format, ReportFormat


@dataclass(frozen=True)
class Param:
    """One option (``decls`` its names, e.g. ("--format", "-f") or ("--out-of-area/--in-area",))
    or, with no ``decls``, one argument. ``kind`` is str, int, Path, bool or an Enum; ``optional``
    makes it ``kind | None``; ``multiple`` a repeatable option (a list)."""

    name: str
    decls: tuple[str, ...]
    kind: Any
    default: Any = None
    help: str = ""
    envvar: str | None = None
    optional: bool = False
    multiple: bool = False
    min: int | None = None
    metavar: str | None = None

    def with_(self, **changes: Any) -> Param:
        """The same parameter with some fields changed (a command's own help or default)."""
        return Param(**{**self.__dict__, **changes})


DB = Param("db", ("--db",), Path, envvar="STATIONDESK_DB", optional=True,
           help="Station database file [default: station.db in the user data dir]")
CONFIG = Param("config", ("--config",), Path, envvar="STATIONDESK_CONFIG", optional=True,
               help="config.toml [default: the user config dir]")
OPERATOR = Param("operator", ("--operator",), str, envvar="STATIONDESK_OPERATOR", optional=True,
                 help="Who is acting (recorded on every event)")
FORMAT = Param("fmt", ("--format", "-f"), Format, Format.table,
               help="table for people; json, jsonl or csv for programs (English keys)")
REPORT_FORMAT = Param("fmt", ("--format", "-f"), ReportFormat, ReportFormat.table,
                      help="table, json, jsonl, csv, or xlsx (with -o FILE.xlsx)")
OUTPUT = Param("output", ("--output", "-o"), Path, optional=True, metavar="PATH",
               help="Write to this file instead of the screen (CSV then opens in Excel)")
EXCEL = Param("excel", ("--excel",), bool, False,
              help="CSV for Excel even into a pipe: BOM, Chinese headings, station time without offset")


def parse(params: Sequence[Param], argv: Sequence[str]) -> dict[str, Any] | None:
    """The values of ``params`` on a command line (after the command's own words), with the
    environment and the defaults filling what it leaves out; None when the line is anything but
    plain and valid, for Typer to read and answer."""
    names: dict[str, tuple[Param, bool]] = {}
    for p in params:
        for decl in p.decls:
            on, _, off = decl.partition("/")
            names[on] = (p, True)
            if off:
                names[off] = (p, False)
    arguments = [p for p in params if not p.decls]
    given: dict[str, Any] = {}
    words: list[str] = []
    rest = list(argv)
    while rest:
        word = rest.pop(0)
        if not word.startswith("-") or word == "-":
            words.append(word)
            continue
        name, eq, attached = word.partition("=") if word.startswith("--") else (word, "", "")
        if name not in names:
            return None  # help, `--`, an unknown option or a short one with its value attached
        p, on = names[name]
        if p.kind is bool:
            if eq or p.name in given:
                return None
            given[p.name] = on
            continue
        if not eq:
            if not rest or rest[0].startswith("-"):
                return None
            attached = rest.pop(0)
        value = _convert(p, attached)
        if value is None:
            return None
        if p.multiple:
            given.setdefault(p.name, []).append(value)
        elif p.name in given:
            return None
        else:
            given[p.name] = value
    if len(words) != len(arguments):
        return None
    for p, word in zip(arguments, words, strict=True):
        if (value := _convert(p, word)) is None:
            return None
        given[p.name] = value
    for p in params:
        if p.name in given:
            continue
        if p.envvar and os.environ.get(p.envvar):
            if (value := _convert(p, os.environ[p.envvar])) is None:
                return None
            given[p.name] = [value] if p.multiple else value
        elif p.default is None and not p.optional:
            return None  # a required option or argument left out: Typer says so
        else:
            given[p.name] = p.default
    return given


def _convert(p: Param, text: str) -> Any:
    """``text`` as ``p`` takes it, or None where Typer would refuse it (or might read it otherwise)."""
    if not text:
        return None
    if isinstance(p.kind, type) and issubclass(p.kind, Enum):
        return next((m for m in p.kind if m.value == text), None)
    if p.kind is int:
        try:
            number = int(text)
        except ValueError:
            return None
        return None if p.min is not None and number < p.min else number
    if p.kind is Path:
        return Path(text)
    return text
