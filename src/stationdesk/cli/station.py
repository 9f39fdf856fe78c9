"""Setting up a station at the command line: create its database, import an order feed, add demo
orders, and list the station directory."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from stationdesk.cli.common import (
    ConfigOpt, DbOpt, ExcelOpt, ExitCode, Format, FormatOpt, OperatorOpt, OutputOpt, guarded, opened, phrase, say,
    signed_in,
)


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

        desk, _who = signed_in(path, None, need=Permission.CONFIG)
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
        return bool(conn.execute("SELECT count(*) FROM operator").fetchone()[0] > 0)
    except sqlite3.DatabaseError:
        return False  # no such table yet (or not a database: init says so)
    finally:
        conn.close()


@guarded
def import_(
    file: Annotated[Path, typer.Argument(help="Order feed: CSV (UTF-8 or GB18030) or JSON Lines")],
    db: DbOpt = None,
    config: ConfigOpt = None,
    operator: OperatorOpt = None,
) -> None:
    """Import an order feed; prints imported, updated, rejected (with line numbers)."""
    from stationdesk.services.feed_import import import_feed

    desk, who = signed_in(db, config, operator)
    report = import_feed(desk, file, operator=who.name or "feed")
    typer.echo(say(phrase("cli.import_summary", file=file, format=report.format, encoding=report.encoding,
                          imported=report.imported, updated=report.updated, cancelled=report.cancelled,
                          unchanged=report.unchanged, rejected=len(report.rejected))))
    from stationdesk.domain.text import clean_text

    for err in report.remarks:
        typer.echo(clean_text(say(phrase("cli.import_remark", file=file, what=err))))
    if report.duplicates:
        typer.echo(say(phrase("cli.import_duplicates", n=report.duplicates)))
    for err in report.rejected:
        typer.echo(f"{file}: {clean_text(say(err))}", err=True)
    from stationdesk.logs import log_event

    log_event("import", f"{file.name}: imported {report.imported}, updated {report.updated}, "
              f"rejected {len(report.rejected)}")
    if report.rejected:
        taken = report.imported + report.updated + report.cancelled + report.unchanged
        raise typer.Exit(ExitCode.PARTIAL if taken else ExitCode.REFUSED)


@guarded
def seed(
    orders: Annotated[int, typer.Option("--orders", min=1, help="How many demo orders to add")] = 2000,
    seed_value: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same orders")] = 1,
    days: Annotated[int, typer.Option("--days", min=1, max=90, help="Spread over this many recent days")] = 14,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Add realistic demo orders to a demo database (refused on a station's real one)."""
    from stationdesk.services.seed import CHUNK, seed_demo

    desk = opened(db, config)
    shown = orders > CHUNK and sys.stderr.isatty()  # how far a long seed got, on the terminal only

    def progress(done: int) -> None:
        sys.stderr.write(f"\r{say(phrase('cli.seeding', done=done, n=orders))}")
        sys.stderr.flush()

    try:
        n = seed_demo(desk, orders, seed_value, days, progress=progress if shown else None)
    finally:
        if shown:
            sys.stderr.write("\n")
        desk.db.dispose()
    typer.echo(say(phrase("cli.seeded", path=desk.db.path, n=n)))


STATION_COLUMNS = (("here", "本站", 4), ("code", "代码 code", 10), ("name", "名称 name", 16),
                   ("province", "省份", 8), ("districts", "区县 districts", 30), ("kind", "kind", 10))


@guarded
def stations(db: DbOpt = None, config: ConfigOpt = None, fmt: FormatOpt = Format.table,
             output: OutputOpt = None, excel: ExcelOpt = False) -> None:
    """The station directory: codes, names and the districts they serve (* marks this station)."""
    from stationdesk.cli.formats import emit

    desk = opened(db, config)
    rows = [{"here": s.code == desk.station.code, "code": s.code, "name": s.name, "province": s.province,
             "districts": ";".join(sorted(s.districts)), "kind": s.kind.value}
            for s in sorted(desk.directory, key=lambda s: (s.is_datacenter, s.code))]
    if fmt == Format.table:
        rows = [{**r, "here": "*" if r["here"] else ""} for r in rows]
    emit(rows, STATION_COLUMNS, fmt, output, excel=excel, tz=desk.config.tz, sheet="网点")
