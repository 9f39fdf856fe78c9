"""What every `stationdesk` command shares: the options (written once in stationdesk.cli.params,
made Typer's here), `guarded` (a refusal is one line on stderr, never a traceback), signing in,
the operator's language, the output formats and the small parsers of the command line (the
Typer-free part lives in stationdesk.cli.base). Command modules import from here; nothing here
imports a command."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer

from stationdesk.cli import params
from stationdesk.cli.base import (
    Refused, acting, channel_filter, check_format, day_dates, day_span, echo, guarded, hq_engine, opened,
    operator_name, parse_month, parse_when, phrase, print_count, print_outcome, read_secret, reading, say, sign_in, signed_in,
    system_now,
)
from stationdesk.cli.exits import ExitCode
from stationdesk.cli.formats import Format, ReportFormat
from stationdesk.cli.params import Param

__all__ = [
    "ConfigOpt", "DbOpt", "ExcelOpt", "ExitCode", "Format", "FormatOpt", "OperatorOpt", "OutputOpt", "Refused",
    "ReportFormat", "ReportFormatOpt", "UrlOpt", "acting", "annotated", "channel_filter", "check_format", "day_dates",
    "day_span", "echo", "guarded", "hq_engine", "opened", "operator_name", "parse_month", "parse_when", "phrase", "print_count",
    "print_outcome", "read_secret", "reading", "say", "sign_in", "signed_in", "system_now", "typer_command",
]


def annotated(p: Param) -> Any:
    """``p`` as Typer reads a parameter: ``Annotated[kind, typer.Option(...)]`` (or Argument)."""
    kind: Any = list[p.kind] if p.multiple else p.kind
    if p.optional:
        kind = kind | None
    extra = {k: v for k, v in (("envvar", p.envvar), ("min", p.min), ("metavar", p.metavar)) if v is not None}
    info = typer.Option(*p.decls, help=p.help, **extra) if p.decls else typer.Argument(help=p.help, **extra)
    return Annotated[kind, info]


def typer_command(body: Callable[..., Any], spec: Sequence[Param]) -> Callable[..., Any]:
    """``body`` with the signature Typer builds its command from, read from ``spec``."""

    @functools.wraps(body)
    def command(**values: Any) -> Any:
        return body(**values)

    command.__signature__ = inspect.Signature([  # type: ignore[attr-defined]  # what inspect.signature reads first
        inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotated(p),
                          default=inspect.Parameter.empty if p.default is None and not p.optional else p.default)
        for p in spec])
    command.__annotations__ = {}
    return command


DbOpt = annotated(params.DB)
ConfigOpt = annotated(params.CONFIG)
OperatorOpt = annotated(params.OPERATOR)
FormatOpt = annotated(params.FORMAT)
ReportFormatOpt = annotated(params.REPORT_FORMAT)
OutputOpt = annotated(params.OUTPUT)
ExcelOpt = annotated(params.EXCEL)
UrlOpt = Annotated[str, typer.Option("--url", envvar="STATIONDESK_HQ_URL", help="postgresql+psycopg://user@host:port/db")]
