"""The `stationdesk` command: every use case for scripts and a supervisor's cron jobs.

Entrypoints only parse input and call a service. Heavy imports (SQLAlchemy, Textual) happen
inside the commands that need them, so `stationdesk --help` stays instant.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from stationdesk.domain.roles import Operator, Permission
    from stationdesk.services.context import Desk

app = typer.Typer(
    name="stationdesk",
    help="stationdesk: 网点电商订单 (e-commerce pickup orders) at the keyboard.",
    no_args_is_help=False,
    add_completion=True,  # stationdesk --install-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
config_app = typer.Typer(help="config.toml: where it is and what it says.", no_args_is_help=True)
app.add_typer(config_app, name="config")

DbOpt = Annotated[
    Path | None,
    typer.Option("--db", envvar="STATIONDESK_DB", help="Station database file [default: station.db in the user data dir]"),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", envvar="STATIONDESK_CONFIG", help="config.toml [default: the user config dir]"),
]
OperatorOpt = Annotated[
    str | None, typer.Option("--operator", envvar="STATIONDESK_OPERATOR", help="Who is acting (recorded on every event)")
]
from stationdesk.cli.formats import ExcelOpt, Format, FormatOpt, OutputOpt  # noqa: E402  (shared by the groups)
from stationdesk.cli.exits import ExitCode  # noqa: E402 - kept with the names the groups import from here

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


def _say(thing: Any) -> str:
    """A refusal, an outcome or a warning in the operator's language."""
    from stationdesk.domain.words import speak

    return speak(thing, _language())


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
            _refuse(func, _say(exc), str(exc))
        except (typer.Exit, typer.Abort):
            raise
        except OSError as exc:  # a file or path problem: named, never a traceback
            where = exc.filename if exc.filename is not None else ""
            _refuse(func, f"{where}: {exc.strerror or exc}" if where else str(exc.strerror or exc))
        except KeyboardInterrupt:
            typer.echo("stationdesk: interrupted", err=True)
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except OverflowError:  # a stored time no calendar arithmetic can take (from before times were checked)
            _refuse(func, _say(_words("cli.time_out_of_range")))
        except Exception as exc:
            from stationdesk.store.errors import damage_message

            if (said := damage_message(exc)) is None:
                raise
            _refuse(func, said)

    return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature Typer reads; mypy sees a plain callable


def _words(key: str, **params: Any) -> Any:
    from stationdesk.domain.words import Words

    return Words(key, **params)


def _refuse(func: Callable[..., Any], message: str, logged: str | None = None) -> None:
    """One line on stderr in the operator's language, and one in the log (``logged``: the
    message as the admin's log keeps it), then exit 1 (ExitCode.REFUSED)."""
    from stationdesk.domain.text import clean_text
    from stationdesk.logs import log_refusal

    text = clean_text(message)
    log_refusal(func.__name__, clean_text(logged) if logged is not None else text)
    typer.echo(f"stationdesk: {text}", err=True)
    raise typer.Exit(ExitCode.REFUSED) from None


def _open(db: Path | None, config: Path | None, operator: str | None = None, *,
          need: Permission | None = None) -> Desk:
    """The desk, with the person signed in (once accounts exist) and ``need`` checked."""
    return _open_as(db, config, operator, need=need)[0]


def _open_as(db: Path | None, config: Path | None, operator: str | None = None, *,
             need: Permission | None = None) -> tuple[Desk, Operator]:
    """The desk and who acts on it. While no account exists (open mode) the name is taken as
    given and nothing is refused; after, the person signs in with STATIONDESK_OPERATOR (or
    --operator) and STATIONDESK_PASSWORD, or a hidden prompt on a terminal."""
    from stationdesk.bootstrap import open_desk
    from stationdesk.cli.adapters import password_hasher

    desk = open_desk(db, config, hasher=password_hasher())
    try:
        who = _sign_in(desk, operator)
        if need is not None:
            who.require(need)
    except BaseException:
        desk.db.dispose()
        raise
    return desk, who


def _reading(db: Path | None, config: Path | None, operator: str | None = None, *,
             need: Permission | None = None) -> tuple[Desk, Operator]:
    """Like _open_as, for a command that only reads: the file opened with sqlite3 alone
    (stationdesk.reader) when it is ready as it is and the station is in open mode. With accounts,
    signing in counts the attempt in a write transaction: the desk then opens the ordinary way,
    and the person signs in exactly as for any other command."""
    from stationdesk.reader import open_reader

    opened = open_reader(db, config)
    if opened is None:
        return _open_as(db, config, operator, need=need)
    desk, accounts = opened
    if accounts:
        desk.db.dispose()
        return _open_as(db, config, operator, need=need)
    try:
        who = _sign_in(desk, operator, accounts=False)
        if need is not None:
            who.require(need)
    except BaseException:
        desk.db.dispose()
        raise
    return desk, who


def _sign_in(desk: Desk, operator: str | None, *, accounts: bool | None = None) -> Operator:
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
    return authenticate(desk, name, _secret("STATIONDESK_PASSWORD", _say(_words("cli.password_prompt", name=name))))


def _secret(env: str, prompt: str) -> str:
    """A password from the environment, or typed at a terminal without echo; never an option."""
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise Refused("cli.password_env", env=env)
    import getpass

    return getpass.getpass(prompt)


def _operator(operator: str | None) -> str:
    from stationdesk.domain.text import clean_text

    name = clean_text(operator or "")
    if not name:
        raise Refused("cli.operator")
    return name


def _acting(db: Path | None, config: Path | None, operator: str | None, *,
            need: Permission | None = None) -> tuple[Desk, str]:
    """The desk and the name its events record: the person who signed in with that same name (in
    open mode, the name as given), so the recorded name can never differ from the signed-in one."""
    desk, who = _open_as(db, config, _operator(operator), need=need)
    return desk, who.name


def _done(outcome: Any) -> None:
    from stationdesk.domain.text import clean_text

    typer.echo(clean_text(_say(outcome.message)))
    for warning in outcome.warnings:
        typer.echo(f"{_say(_words('note.prefix'))}: {clean_text(_say(warning))}", err=True)


# ---------------------------------------------------------------- setup


def _version(value: bool) -> None:
    if value:
        from stationdesk import __version__

        typer.echo(f"stationdesk {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
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


@app.command()
@guarded
def init(
    station: Annotated[str, typer.Option("--station", help="This station's code in the directory, e.g. HZ001")],
    stations: Annotated[Path | None, typer.Option("--stations", help="Directory CSV: code,name,province,districts,kind")] = None,
    db: DbOpt = None,
) -> None:
    """Create the station database (or refresh its station directory)."""
    from stationdesk import paths
    from stationdesk.services.setup import init_database

    path = db or paths.default_db_path()
    if _has_accounts(path):  # re-initialising a station's directory is a configuration change
        from stationdesk.domain.roles import Permission

        desk, _who = _open_as(path, None, need=Permission.CONFIG)
        desk.db.dispose()
    home = init_database(path, station.strip(), stations)
    typer.echo(f"{path}: 网点 {home.code} {home.name} ({', '.join(sorted(home.districts))})")


def _has_accounts(path: Path) -> bool:
    """Whether the database at ``path`` exists and has operator accounts (read with sqlite3 alone)."""
    import sqlite3

    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return conn.execute("SELECT count(*) FROM operator").fetchone()[0] > 0
    except sqlite3.DatabaseError:
        return False  # no such table yet (or not a database: init says so)
    finally:
        conn.close()


@app.command("import")
@guarded
def import_(
    file: Annotated[Path, typer.Argument(help="Order feed: CSV (UTF-8 or GB18030) or JSON Lines")],
    db: DbOpt = None,
    config: ConfigOpt = None,
    operator: OperatorOpt = None,
) -> None:
    """Import an order feed; prints imported, updated, rejected (with line numbers)."""
    from stationdesk.services.feed_import import import_feed

    desk, who = _open_as(db, config, operator)
    report = import_feed(desk, file, operator=who.name or "feed")
    typer.echo(
        f"{file}: {report.format}, {report.encoding}: imported {report.imported}, updated {report.updated}, "
        f"cancelled {report.cancelled}, unchanged {report.unchanged}, rejected {len(report.rejected)}"
    )
    from stationdesk.domain.text import clean_text

    for err in report.remarks:
        typer.echo(f"{file}: 备注 (remark): {clean_text(str(err))}")
    if report.duplicates:
        typer.echo(f"重复下单? {report.duplicates} 单已标记 (flagged as likely duplicates): `stationdesk orders duplicates`")
    for err in report.rejected:
        typer.echo(f"{file}: {clean_text(str(err))}", err=True)
    from stationdesk.logs import log_event

    log_event("import", f"{file.name}: imported {report.imported}, updated {report.updated}, "
              f"rejected {len(report.rejected)}")
    if report.rejected:
        taken = report.imported + report.updated + report.cancelled + report.unchanged
        raise typer.Exit(ExitCode.PARTIAL if taken else ExitCode.REFUSED)


@app.command()
@guarded
def seed(
    orders: Annotated[int, typer.Option("--orders", min=1, help="How many demo orders to add")] = 2000,
    seed_value: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same orders")] = 1,
    days: Annotated[int, typer.Option("--days", min=1, max=90, help="Spread over this many recent days")] = 14,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Add realistic demo orders to a demo database (refused on a station's real one)."""
    from stationdesk.services.seed import seed_demo

    desk = _open(db, config)
    try:
        n = seed_demo(desk, orders, seed_value, days)
    finally:
        desk.db.dispose()
    typer.echo(f"{desk.db.path}: added {n} demo orders")


@app.command()
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
        typer.echo(f"creating demo database {path} ...", err=True)
        init_database(path, "HZ001")
        seeding = _open(path, config)
        try:
            run_seed(seeding, orders, 1)
        finally:
            seeding.db.dispose()
    _run_tui(path, config, operator or "演示员")


@app.command()
@guarded
def tui(db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None) -> None:
    """Open the desk (full-screen) on a station database."""
    _run_tui(db, config, operator or os.environ.get("USER") or "clerk")


def _run_tui(db: Path | None, config: Path | None, operator: str) -> None:
    """The desk on ``db``; with accounts it opens on its log-in screen and ``operator`` is unused."""
    served = os.environ.get("STATIONDESK_SERVED") == "1" and "TEXTUAL_DRIVER" in os.environ  # a browser tab
    if not served and (not sys.stdout.isatty() or not sys.stdin.isatty()):
        raise Refused("the desk needs a terminal (stdin and stdout are not a TTY); use the `orders` commands in scripts")
    from stationdesk.tui.start import run  # Textual loads only for the screen, SQLAlchemy after its first paint

    run(db, config, operator)


from stationdesk.cli.checking import HELP as CHECK_HELP  # noqa: E402  (words only: typer is loaded already)


@app.command(help=CHECK_HELP)
@guarded
def check(db: DbOpt = None, config: ConfigOpt = None, quick: Annotated[bool, typer.Option(
        "--quick", help="For cron: SQLite's quick_check, every consistency rule, and the audit chain and ledger "
                        "since the last check (see above for what it leaves out)")] = False) -> None:
    from stationdesk import paths
    from stationdesk.cli.checking import announce
    from stationdesk.services.check import check_file

    path = Path(db) if db is not None else paths.default_db_path()
    announce(path, quick)
    report = check_file(path, quick)  # read-only, sqlite3 alone: works on a file the desk cannot open
    if report.damaged_file:  # nobody can sign in to a broken file: the damage is named to whoever asks
        _say_problems(path, report)
    desk, who = _open_as(db, config)
    if report.audit_problem:
        from stationdesk.services.damage import record_audit_damage

        record_audit_damage(desk.db, report.audit_problem, datetime.now().astimezone())
    from stationdesk.services.passwords import PRODUCTION, weak_accounts

    for name, cost in weak_accounts(desk):
        typer.echo(_say(_words("cli.weak_hash", name=name, cost=cost or "not argon2", full=PRODUCTION)), err=True)
    if who.role is None:
        typer.echo(_say(_words("cli.open_station")), err=True)
    if report.ok:
        from stationdesk.services.check import record_position

        record_position(desk.db, report, datetime.now().astimezone().isoformat(timespec="seconds"))
        covered = f"; quick: {report.covered}" if report.quick else ""
        typer.echo(f"{desk.db.path}: ok ({report.orders} orders, {report.events} events{covered})")
        return
    _say_problems(desk.db.path, report)


def _say_problems(path: Path, report: Any) -> None:
    from stationdesk.domain.text import clean_text

    for problem in report.problems:
        typer.echo(f"{path}: {clean_text(problem)}", err=True)
    typer.echo(f"{path}: {len(report.problems)} problem(s)", err=True)
    for line in report.advice:
        typer.echo(f"what to do: {line}", err=True)
    raise typer.Exit(ExitCode.DAMAGE)


STATION_COLUMNS = (("here", "本站", 4), ("code", "代码 code", 10), ("name", "名称 name", 16),
                   ("province", "省份", 8), ("districts", "区县 districts", 30), ("kind", "kind", 10))


@app.command()
@guarded
def stations(db: DbOpt = None, config: ConfigOpt = None, fmt: FormatOpt = Format.table,
             output: OutputOpt = None, excel: ExcelOpt = False) -> None:
    """The station directory: codes, names and the districts they serve (* marks this station)."""
    from stationdesk.cli.formats import emit

    desk = _open(db, config)
    rows = [{"here": s.code == desk.station.code, "code": s.code, "name": s.name, "province": s.province,
             "districts": ";".join(sorted(s.districts)), "kind": s.kind.value}
            for s in sorted(desk.directory, key=lambda s: (s.is_datacenter, s.code))]
    if fmt == Format.table:
        rows = [{**r, "here": "*" if r["here"] else ""} for r in rows]
    emit(rows, STATION_COLUMNS, fmt, output, excel=excel, tz=desk.config.tz, sheet="网点")


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
        raise Refused(f"{path}: exists already (--force replaces it; `stationdesk config show` prints what is in force)")
    if output is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    check_writable(path)
    path.write_text(shipped_config_text(), encoding="utf-8")
    typer.echo(f"{path}: written; edit it, then `stationdesk config show` checks it")


# ---------------------------------------------------------------- shared by command groups


def _parse_when(text: str, tz: Any, *, end: bool) -> datetime:
    """A day (whole day, inclusive, station time) or an ISO date-time."""
    from stationdesk.domain.fields import day_range, parse_day

    value = text.strip()
    if (day := parse_day(value)) is not None:
        return day_range(day, day, tz)[1 if end else 0]
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Refused(f"{'--to' if end else '--from'} '{value}': expected YYYY-MM-DD or an ISO date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _check_format(fmt: str) -> str:
    from stationdesk.cli.formats import value_of
    from stationdesk.reports.writers import FORMATS

    name = value_of(fmt)
    if name not in FORMATS:
        raise Refused(f"--format '{name}': expected {', '.join(FORMATS)}")
    return name


# Command groups kept in modules of their own (stationdesk/cli/<group>.py) define a typer.Typer,
# use the helpers above, and are registered here, after those helpers exist.
from stationdesk.cli.orders import orders_app, scan_app  # noqa: E402 - registered after the helpers above, which the module imports back

app.add_typer(orders_app, name="orders")
app.add_typer(scan_app, name="scan")

from stationdesk.cli.report import report_app  # noqa: E402 - registered after the helpers above, which the module imports back

app.add_typer(report_app, name="report")

from stationdesk.cli.admin import audit_app, backup as _backup, keys as _keys, restore as _restore  # noqa: E402 - registered after the helpers above, which the module imports back

app.command("backup")(_backup)
app.command("restore")(_restore)
app.add_typer(audit_app, name="audit")
app.command("keys")(_keys)

from stationdesk.cli.sync import conflicts_app as _conflicts_app  # noqa: E402 - registered after the helpers above, which the module imports back
from stationdesk.cli.sync import hq_app as _hq_app  # noqa: E402 - registered after the helpers above, which the module imports back
from stationdesk.cli.sync import sync_command as _sync_command  # noqa: E402 - registered after the helpers above, which the module imports back

app.add_typer(_hq_app, name="hq")
app.add_typer(_conflicts_app, name="conflicts")
app.command("sync")(_sync_command)

from stationdesk.cli.alerts import alerts_app  # noqa: E402 - registered after the helpers above, which the module imports back

app.add_typer(alerts_app, name="alerts")

from stationdesk.cli.users import users_app  # noqa: E402 - registered after the helpers above, which the module imports back

app.add_typer(users_app, name="user")

from stationdesk.cli.hq_audit import hq_audit_app as _hq_audit_app, notices as _notices  # noqa: E402 - registered after the helpers above, which the module imports back

_hq_app.add_typer(_hq_audit_app, name="audit")
app.command("notices")(_notices)


from stationdesk.cli.logs_cmd import logs as _logs  # noqa: E402 - registered after the helpers above, which the module imports back
from stationdesk.cli.serve import serve as _serve  # noqa: E402 - registered after the helpers above, which the module imports back
from stationdesk.cli.logs_cmd import samples as _samples  # noqa: E402 - registered after the helpers above, which the module imports back

app.command("logs")(_logs)
app.command("serve")(_serve)
config_app.command("samples")(_samples)


def main() -> None:
    from stationdesk.logs import setup_logging

    setup_logging()
    command(sys.argv[1:])(prog_name="stationdesk")


def command(argv: list[str] | None = None) -> Any:
    """The click command behind `stationdesk`, with plain help (no type names): what main runs.

    Given the arguments, only the command they name is built: building all of them costs a
    command from a shell or a cron line more than its own read (tens of milliseconds). Help at the
    top or of a group, shell completion and anything not naming a command get the whole tree."""
    from stationdesk.cli.helptext import build

    completing = any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)
    narrowed = None if completing or not argv else _narrowed(app, argv)
    return build(narrowed if narrowed is not None else app)


def _narrowed(group: typer.Typer, argv: list[str]) -> typer.Typer | None:
    """A copy of ``group`` holding only the command the leading words of ``argv`` name, or None."""
    import copy

    from typer.main import get_command_name

    if not argv or argv[0].startswith("-"):
        return None
    name, rest = argv[0], argv[1:]
    for info in group.registered_commands:
        if (info.name or get_command_name(info.callback.__name__)) == name:  # type: ignore[union-attr]  # a registered command always has its callback
            narrowed = copy.copy(group)
            narrowed.registered_commands, narrowed.registered_groups = [info], []
            return narrowed
    for info in group.registered_groups:
        if info.name == name and (inner := _narrowed(info.typer_instance, rest)) is not None:  # type: ignore[arg-type]  # a registered group always has its Typer
            one = copy.copy(info)
            one.typer_instance = inner
            narrowed = copy.copy(group)
            narrowed.registered_commands, narrowed.registered_groups = [], [one]
            return narrowed
    return None
