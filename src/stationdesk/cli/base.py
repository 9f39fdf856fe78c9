"""What every `stationdesk` command shares that needs no Typer: refusals and the operator's
language, `guarded` (a refusal is one line on stderr, never a traceback), opening the desk and
signing in, and the small parsers of the command line. The light commands (stationdesk.cli.light)
run on this alone, before Typer is imported; stationdesk.cli.common adds Typer's options."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from stationdesk.cli.exits import ExitCode

if TYPE_CHECKING:
    from stationdesk.domain.roles import Operator, Permission
    from stationdesk.services.context import Desk


def echo(text: str, *, err: bool = False) -> None:
    """One line on standard output (or standard error), as click.echo writes it."""
    stream = sys.stderr if err else sys.stdout
    stream.write(f"{text}\n")
    stream.flush()


F = TypeVar("F", bound=Callable[..., Any])


class Refused(Exception):
    """A refusal found by the CLI itself (bad option); printed like a domain refusal. Given a key
    of the catalogue (stationdesk.domain.words) and its parameters, it is said in the operator's
    language; the ``--option`` messages name options and stay as they are."""

    def __init__(self, message: str = "", /, **params: Any) -> None:
        from stationdesk.domain.words import MESSAGES, Words

        self.words = Words(message, **params) if message in MESSAGES else None
        super().__init__(str(self.words) if self.words is not None else message)


_SPEAKING: dict[str, Any] = {}  # the running command's --config, for the language of what it says


def _language() -> str:
    """The operator's language: ``[station] language`` of the config in force; Chinese (the
    clerks' own) when the config cannot be read (that refusal is its own message)."""
    if "lang" not in _SPEAKING:
        from stationdesk import config as config_mod
        from stationdesk import paths
        from stationdesk.domain.words import lang_of

        try:
            path = _SPEAKING.get("config") or paths.default_config_path()
            _SPEAKING["lang"] = lang_of(config_mod.load(path).station.language)
        except Exception:  # noqa: BLE001 - any unreadable config: the command refuses it in its own words
            _SPEAKING["lang"] = "zh"
    return str(_SPEAKING["lang"])


def say(thing: Any) -> str:
    """A refusal, an outcome or a warning in the operator's language."""
    from stationdesk.domain.words import speak

    return speak(thing, _language())


def phrase(key: str, **params: Any) -> Any:
    """The catalogue's words for ``key`` (stationdesk.domain.words), to be said with ``say``."""
    from stationdesk.domain.words import Words

    return Words(key, **params)


def guarded(func: F) -> F:
    """Print any refusal as one line on stderr and exit non-zero; never a traceback for a person."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from stationdesk.config import ConfigError
        from stationdesk.domain.errors import DomainError
        from stationdesk.store.errors import StoreError

        _SPEAKING.clear()
        _SPEAKING["config"] = kwargs.get("config")
        try:
            return func(*args, **kwargs)
        except (DomainError, StoreError, ConfigError, Refused) as exc:
            _refuse(func, say(exc), str(exc))
        except BrokenPipeError:
            _output_closed()
        except OSError as exc:  # a file or path problem: named, never a traceback
            where = exc.filename if exc.filename is not None else ""
            _refuse(func, f"{where}: {exc.strerror or exc}" if where else str(exc.strerror or exc))
        except KeyboardInterrupt:
            echo("stationdesk: interrupted", err=True)
            raise SystemExit(ExitCode.INTERRUPTED) from None
        except OverflowError:  # a stored time no calendar arithmetic can take (from before times were checked)
            _refuse(func, say(phrase("cli.time_out_of_range")))
        except Exception as exc:
            from stationdesk.store.errors import damage_message

            if _clicks(exc) or (damaged := damage_message(exc)) is None:
                raise
            _refuse(func, say(damaged))

    return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature Typer reads


def _output_closed() -> NoReturn:
    """The reader of standard output is gone (``stationdesk report … | head``): stop as quietly as
    a tool the pipe's signal ends, with nothing left to flush into the closed pipe at exit."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise SystemExit(ExitCode.OUTPUT_CLOSED)


def _clicks(exc: BaseException) -> bool:
    """Whether ``exc`` is click's own way to end a command (typer.Exit, typer.Abort), once loaded."""
    click = sys.modules.get("click.exceptions")
    return click is not None and isinstance(exc, (click.Exit, click.Abort))


_LOG_ON_DEMAND: list[bool] = []  # the light path attaches the log file at its first line, not before


def log_on_demand() -> None:
    """Attach the log file when the first line is written (``ready_to_log``), not at the start:
    a light command that logs nothing pays for neither logging nor finding the log folder."""
    _LOG_ON_DEMAND.append(True)


def ready_to_log() -> None:
    """Before a line goes to the log: the file is attached, if that was left until now."""
    if _LOG_ON_DEMAND:
        from stationdesk.logs import setup_logging

        setup_logging(config_path=_SPEAKING.get("config"))


def option_value(argv: list[str], option: str) -> str | None:
    """The value a command line gives ``option`` (``--config PATH`` or ``--config=PATH``), before it
    is parsed: the log's level is set before the command reads its line."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == option and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(option + "="):
            return arg[len(option) + 1:]
    return None


def _refuse(func: Callable[..., Any], message: str, logged: str | None = None) -> None:
    """One line on stderr in the operator's language, and one in the log (``logged``: the
    message as the admin's log keeps it), then exit 1 (ExitCode.REFUSED)."""
    from stationdesk.domain.text import clean_text
    from stationdesk.logs import log_refusal

    text = clean_text(message)
    ready_to_log()
    log_refusal(func.__name__, clean_text(logged) if logged is not None else text)
    echo(f"stationdesk: {text}", err=True)
    raise SystemExit(ExitCode.REFUSED) from None


# ---------------------------------------------------------------- opening the desk and signing in


def opened(db: Path | None, config: Path | None, operator: str | None = None, *,
           need: Permission | None = None) -> Desk:
    """The desk, with the person signed in (once accounts exist) and ``need`` checked."""
    return signed_in(db, config, operator, need=need)[0]


def signed_in(db: Path | None, config: Path | None, operator: str | None = None, *,
              need: Permission | None = None) -> tuple[Desk, Operator]:
    """The desk and who acts on it. While no account exists (open mode) the name is taken as
    given and nothing is refused; after, the person signs in with STATIONDESK_OPERATOR (or
    --operator) and STATIONDESK_PASSWORD, or a hidden prompt on a terminal."""
    from stationdesk.bootstrap import open_desk

    from stationdesk.cli.adapters import password_hasher

    desk = open_desk(db, config, hasher=password_hasher())
    return desk, _signed_in_on(desk, operator, need)


def reading(db: Path | None, config: Path | None, operator: str | None = None, *,
            need: Permission | None = None) -> tuple[Desk, Operator]:
    """Like signed_in, for a command that only reads: the file opened with sqlite3 alone
    (stationdesk.reader) when it is ready as it is and the station is in open mode. With accounts,
    signing in counts the attempt in a write transaction: the desk then opens the ordinary way,
    and the person signs in exactly as for any other command."""
    from stationdesk.reader import open_reader

    found = open_reader(db, config)
    if found is None:
        return signed_in(db, config, operator, need=need)
    desk, accounts = found
    if accounts:
        desk.db.dispose()
        return signed_in(db, config, operator, need=need)
    return desk, _signed_in_on(desk, operator, need, accounts=False)


def _signed_in_on(desk: Desk, operator: str | None, need: Permission | None, accounts: bool | None = None) -> Operator:
    """Who acts on ``desk``, with ``need`` checked; a refusal closes the desk before it goes up."""
    try:
        who = sign_in(desk, operator, accounts=accounts)
        if need is not None:
            who.require(need)
    except BaseException:
        desk.db.dispose()
        raise
    return who


def sign_in(desk: Desk, operator: str | None, *, accounts: bool | None = None) -> Operator:
    """Who acts: the name as given in open mode; with accounts, that person's password checked."""
    from stationdesk.domain.roles import Operator
    from stationdesk.domain.text import clean_text

    name = clean_text(operator or os.environ.get("STATIONDESK_OPERATOR") or "")
    if accounts is None:
        from stationdesk.services.operators import accounts_exist

        accounts = accounts_exist(desk)
    if not accounts:
        return Operator(name)
    from stationdesk.services.operators import authenticate

    if not name:
        raise Refused("cli.sign_in")
    return authenticate(desk, name, read_secret("STATIONDESK_PASSWORD", say(phrase("cli.password_prompt", name=name))))


def read_secret(env: str, prompt: str) -> str:
    """A password from the environment, or typed at a terminal without echo; never an option."""
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise Refused("cli.password_env", env=env)
    import getpass

    return getpass.getpass(prompt)


def operator_name(operator: str | None) -> str:
    """The acting person's name, cleaned; refused when there is none."""
    from stationdesk.domain.text import clean_text

    name = clean_text(operator or "")
    if not name:
        raise Refused("cli.operator")
    return name


def acting(db: Path | None, config: Path | None, operator: str | None, *,
           need: Permission | None = None) -> tuple[Desk, str]:
    """The desk and the name its events record: the person who signed in with that same name (in
    open mode, the name as given), so the recorded name can never differ from the signed-in one."""
    desk, who = signed_in(db, config, operator_name(operator), need=need)
    return desk, who.name


def print_outcome(outcome: Any) -> None:
    """A use case's outcome on stdout and its warnings on stderr, in the operator's language."""
    from stationdesk.domain.text import clean_text

    echo(clean_text(say(outcome.message)))
    for warning in outcome.warnings:
        echo(f"{say(phrase('note.prefix'))}: {clean_text(say(warning))}", err=True)


# ---------------------------------------------------------------- parsing the command line


def parse_month(text: str) -> tuple[int, int]:
    """A --month value, YYYY-MM, as (year, month)."""
    try:
        y, m = text.strip().split("-")[:2]
        month = (int(y), int(m))
    except ValueError:
        raise Refused("opt.month", option="--month", value=text[:20]) from None
    if not 1 <= month[1] <= 12:
        raise Refused("opt.month_range", option="--month", value=text[:20])
    return month


def parse_when(text: str, tz: Any, *, end: bool) -> datetime:
    """A day (whole day, inclusive, station time) or an ISO date-time."""
    from stationdesk.domain.fields import day_range, parse_day

    value = text.strip()
    if (day := parse_day(value)) is not None:
        return day_range(day, day, tz)[1 if end else 0]
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Refused("opt.date", option="--to" if end else "--from", value=value) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def check_format(fmt: str) -> str:
    """The plain name of a listing's --format, refused when the writers have none by that name."""
    from stationdesk.cli.formats import value_of
    from stationdesk.reports.writers import FORMATS

    name = value_of(fmt)
    if name not in FORMATS:
        raise Refused("opt.choices", option="--format", value=name, valid=", ".join(FORMATS))
    return name


def day_span(desk: Desk, date_from: str | None, date_to: str | None) -> tuple[datetime, datetime]:
    """A report's --from and --to as a half-open span of station time; each defaults to today."""
    tz = desk.config.tz
    today = desk.now().astimezone(tz).date()
    start = parse_when(date_from, tz, end=False) if date_from else parse_when(today.isoformat(), tz, end=False)
    end = parse_when(date_to, tz, end=True) if date_to else parse_when(today.isoformat(), tz, end=True)
    if end <= start:
        raise Refused("opt.from_to", start=date_from or today, end=date_to or today)
    return start, end


def day_dates(desk: Desk, date_from: str | None, date_to: str | None) -> tuple[date, date]:
    """A report's --from and --to as the first and last station day."""
    start, end = day_span(desk, date_from, date_to)
    tz = desk.config.tz
    return start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()


def print_count(n: int, fmt: Any, output: Path | None, what: str) -> None:
    """How many rows a report wrote, on stderr, for a table on screen or a file."""
    from stationdesk.cli.formats import value_of

    if output is not None or value_of(fmt) == "table":
        echo(say(phrase("cli.count_line", count=phrase(f"count.{what}", n=n),
                         to=phrase("cli.count_to", path=output) if output else "")), err=True)


def channel_filter(channel: str) -> str | None:
    """A report's --channel: a channel's code, or None for all/全部."""
    from stationdesk.domain.errors import InvalidInput
    from stationdesk.domain.fields import parse_channel

    if channel.strip().lower() in ("all", "全部"):
        return None
    try:
        return parse_channel(channel).value
    except InvalidInput as exc:
        raise Refused("opt.channel_or_all", option="--channel", why=exc) from None


# ---------------------------------------------------------------- head office's tools


def hq_engine(url: str) -> Any:
    """An engine on head office's PostgreSQL at ``url``."""
    from stationdesk.sync import hq_schema

    return hq_schema.connect(url)


def system_now() -> Any:
    """The machine's clock, as the services take it."""
    from stationdesk.services.context import system_clock

    return system_clock()
