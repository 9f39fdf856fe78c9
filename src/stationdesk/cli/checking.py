"""`stationdesk check`: the database's integrity, consistency, audit ledger and chain; its help (what
the quick check covers and leaves out, in its docstring) and the full check's estimate, said before it starts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from stationdesk.cli.common import ConfigOpt, DbOpt, ExitCode, guarded, phrase, say, signed_in

def announce(path: Path, quick: bool) -> None:
    """Before a full check of a big file: how long it will take, and the quick alternative."""
    if quick or not path.is_file():
        return
    from stationdesk.services.check import estimate_seconds

    seconds = estimate_seconds(path)
    if seconds >= 10:
        size = path.stat().st_size / 2**30
        typer.echo(say(phrase("cli.check_estimate", path=path, duration=_duration(seconds), size=size)), err=True)


def _duration(seconds: float) -> object:
    from stationdesk.domain.words import Words

    return Words("cli.minutes", n=seconds / 60) if seconds >= 90 else Words("cli.seconds", n=seconds)


QuickOpt = Annotated[bool, typer.Option(
    "--quick", help="For cron: SQLite's quick_check, every consistency rule, and the audit chain and ledger "
                    "since the last check (see above for what it leaves out)")]


@guarded
def check(db: DbOpt = None, config: ConfigOpt = None, quick: QuickOpt = False) -> None:
    """Integrity, consistency (every order change has its event and outbox op), the audit ledger and the audit chain.

    The full check (for an admin; it says first how long it will take) runs SQLite's integrity_check, every
    consistency rule, re-hashes the whole audit chain and replays every order's history against the ledger.

    --quick (for cron; seconds on a million orders) runs SQLite's quick_check (every page read), the accounts'
    chain, head office's last word, the totals that any change outside the app upsets (no event id missing, the
    orders' versions adding up to the events, one outbox op per event), and from where the last check that found
    nothing wrong got to (or, before any, the last 50,000 events): each new event re-hashed, the event at that
    position re-hashed and still carrying its link, and every consistency rule and the ledger replay over the
    orders touched since. It leaves out: the index-to-table cross-check of integrity_check; the foreign keys;
    re-hashing events before that position (an old event edited in place alone); the rules and the ledger of
    orders untouched since (named by the full check). Run the full check weekly. Exit 5 when anything is found (cli/exits.py)."""
    from stationdesk import paths
    from stationdesk.services.check import check_file

    path = Path(db) if db is not None else paths.default_db_path()
    announce(path, quick)
    report = check_file(path, quick)  # read-only, sqlite3 alone: works on a file the desk cannot open
    if report.damaged_file:  # nobody can sign in to a broken file: the damage is named to whoever asks
        _say_problems(path, report)
    desk, who = signed_in(db, config)
    if report.audit_problem:
        from stationdesk.services.damage import record_audit_damage

        record_audit_damage(desk.db, report.audit_problem, datetime.now().astimezone())
    from stationdesk.services.passwords import PRODUCTION, weak_accounts

    for name, cost in weak_accounts(desk):
        typer.echo(say(phrase("cli.weak_hash", name=name, cost=cost or "not argon2", full=PRODUCTION)), err=True)
    if who.role is None:
        typer.echo(say(phrase("cli.open_station")), err=True)
    if report.ok:
        from stationdesk.services.check import record_position

        record_position(desk.db, report, datetime.now().astimezone().isoformat(timespec="seconds"))
        covered = phrase("cli.check_covered", what=report.covered) if report.quick else ""
        typer.echo(say(phrase("cli.check_ok", path=desk.db.path, orders=report.orders, events=report.events,
                              covered=covered)))
        return
    _say_problems(desk.db.path, report)


def _say_problems(path: Path, report: Any) -> None:
    from stationdesk.domain.text import clean_text

    for problem in report.problems:
        typer.echo(f"{path}: {clean_text(say(problem))}", err=True)
    typer.echo(say(phrase("cli.check_count", path=path, n=len(report.problems))), err=True)
    for line in report.advice:
        typer.echo(say(phrase("cli.what_to_do", what=line)), err=True)
    raise typer.Exit(ExitCode.DAMAGE)
