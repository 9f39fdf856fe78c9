"""`stationdesk sync`, `stationdesk hq ...` and `stationdesk conflicts ...`: head office sync at the command line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from stationdesk.cli.common import (
    ConfigOpt, DbOpt, ExcelOpt, Format, FormatOpt, OperatorOpt, OutputOpt, Refused, UrlOpt, acting, guarded, hq_engine,
    opened, system_now,
)
from stationdesk.cli.hq_audit import hq_audit_app
from stationdesk.cli.hq_service import review as hq_review
from stationdesk.cli.hq_service import serve as hq_serve
from stationdesk.cli.hq_service import station_app

hq_app = typer.Typer(help="总部: head office PostgreSQL (init, import, cancel, dispatch).", no_args_is_help=True)
conflicts_app = typer.Typer(help="同步冲突: clashes head office found with this station's actions.", no_args_is_help=True)


@hq_app.command("init")
@guarded
def hq_init(
    url: UrlOpt,
    stations: Annotated[Path | None, typer.Option("--stations", help="Directory CSV: code,name,province,districts,kind")] = None,
) -> None:
    """Create or upgrade the head office schema and load the station directory."""
    from stationdesk.services.setup import parse_directory, shipped_directory_text
    from stationdesk.sync import hq_schema

    if stations is not None:
        try:
            directory = parse_directory(stations.read_text(encoding="utf-8-sig"), str(stations))
        except (OSError, UnicodeDecodeError) as exc:
            raise Refused("opt.cannot_read", path=stations, why=str(exc)) from None
    else:
        directory = parse_directory(shipped_directory_text(), "data/stations.csv")
    engine = hq_engine(url)
    try:
        hq_schema.upgrade(engine)
        hq_schema.store_directory(engine, directory)
    finally:
        engine.dispose()
    typer.echo(f"{engine.url.render_as_string(hide_password=True)}: 总部数据库就绪, {len(directory)} 个网点")


@hq_app.command("import")
@guarded
def hq_import(
    file: Annotated[Path, typer.Argument(help="Order feed: the same CSV / JSON Lines a station imports")],
    url: UrlOpt,
    config: ConfigOpt = None,
) -> None:
    """Import a feed at head office; each order goes to the station of its sender's district (else the data center)."""
    from types import SimpleNamespace

    from stationdesk import config as cfg_mod
    from stationdesk import paths
    from stationdesk.domain.text import clean_text
    from stationdesk.domain.waybill import WaybillRule
    from stationdesk.domain.words import Words
    from stationdesk.services.feed_import import RowError, field_parsers, validate
    from stationdesk.services.feed_read import read_feed
    from stationdesk.sync import hq, hq_schema

    cfg = cfg_mod.load(config or paths.default_config_path())
    rules = SimpleNamespace(waybill=WaybillRule(cfg.waybill.pattern, cfg.waybill.description))
    parsers = field_parsers(rules, system_now())  # type: ignore[arg-type]  # a stand-in for the Desk with the one rule the parsers read
    _fmt, _enc, records = read_feed(file)
    good, bad = [], []
    for record in records:
        if record.values is None:
            bad.append(RowError(record.line, None, record.error or Words("feed.unreadable")))
            continue
        result = validate(record, rules, parsers)  # type: ignore[arg-type]  # a stand-in for the Desk with the one rule the parsers read
        if isinstance(result, list):
            bad.extend(result)
        else:
            good.append((result.line, result.values))
    engine = hq_engine(url)
    try:
        hq_schema.ensure_current(engine)
        report = hq.import_orders(engine, good, system_now())
    finally:
        engine.dispose()
    routed = ", ".join(f"{code} {n}" for code, n in sorted(report.routed.items())) or "-"
    from stationdesk.cli.common import phrase, say

    typer.echo(say(phrase("cli.hq_import_summary", file=file, imported=report.imported, routed=routed,
                           cancelled=report.cancelled, unchanged=report.unchanged, rejected=len(bad) + len(report.rejected))))
    for line in [*bad, *report.rejected]:
        typer.echo(f"{file}: {clean_text(say(line))}", err=True)
    if bad or report.rejected:
        raise typer.Exit(1)


@hq_app.command("cancel")
@guarded
def hq_cancel(number: str, url: UrlOpt) -> None:
    """撤单 at head office, as the channel would; the order's station receives it on its next sync."""
    from stationdesk.sync import hq, hq_schema

    engine = hq_engine(url)
    try:
        hq_schema.ensure_current(engine)
        row = hq.cancel(engine, number, system_now())
    finally:
        engine.dispose()
    typer.echo(f"订单 {row['logistics_no']} 已撤单 (网点 {row['station_code']})")


@hq_app.command("dispatch")
@guarded
def hq_dispatch(number: str, to: Annotated[str, typer.Option("--to", help="Station code or the data center")],
                url: UrlOpt, operator: OperatorOpt = None) -> None:
    """分件: head office moves an order to a station; both stations receive it on their next sync."""
    from stationdesk.sync import hq, hq_schema

    engine = hq_engine(url)
    try:
        hq_schema.ensure_current(engine)
        row = hq.dispatch(engine, number, to.strip(), system_now(), operator=operator or "电商总部")
    finally:
        engine.dispose()
    typer.echo(f"订单 {row['logistics_no']} 已分件至 {row['station_code']}")


@guarded
def sync_command(
    hq_url: Annotated[str | None, typer.Option("--hq", envvar="STATIONDESK_SYNC_URL", help="Head office's sync service, https://... [default: [sync] url in config.toml]")] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
    save_token: Annotated[bool, typer.Option("--save-token", help="Read the station's token from stdin into the owner-only token file, then stop")] = False,
) -> None:
    """Push this station's actions to head office and pull what head office has for it.

    The token comes from STATIONDESK_HQ_TOKEN or the token file (`--save-token` writes it)."""
    import sys

    from stationdesk.sync import client, station

    if save_token:
        path = client.save_token(sys.stdin.readline())
        from stationdesk.cli.common import phrase, say

        typer.echo(say(phrase("cli.token_saved", path=path)))
        return
    desk = opened(db, config)
    url = hq_url or desk.config.sync.url
    if not url:
        raise Refused("cli.no_hq")
    link = client.HeadOffice(url, client.load_token())
    bar: Any = None

    def progress(p: station.Progress) -> None:
        nonlocal bar
        if p.total < 1000:  # a bar only for long runs
            return
        if bar is None or bar.label != p.phase:
            if bar is not None:
                bar.__exit__(None, None, None)
            bar = typer.progressbar(length=p.total, label=p.phase, file=None)
            bar.__enter__()
            bar.done = 0
        bar.update(p.done - bar.done)
        bar.done = p.done

    try:
        report = station.sync(desk.db, desk.station.code, link, desk.now, progress=progress,
                              duplicate_window=timedelta(minutes=desk.config.duplicates.window_minutes))
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
        link.close()
    from stationdesk.domain.text import clean_text

    from stationdesk.cli.common import phrase, say

    typer.echo(say(phrase("sync.station_line", station=desk.station.code, what=report.summary())))
    for message in report.messages:
        typer.echo(clean_text(say(phrase("sync.conflict_line", what=message))), err=True)


@conflicts_app.command("list")
@guarded
def conflicts_list(
    all_: Annotated[bool, typer.Option("--all", help="Resolved ones too")] = False,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    excel: ExcelOpt = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """The conflicts head office reported, open ones first until a person resolves them."""
    from stationdesk.cli.formats import emit
    from stationdesk.store.values import to_db
    from stationdesk.sync import station

    desk = opened(db, config)
    rows = station.list_conflicts(desk.db, include_resolved=all_)
    fields = (("id", "编号", 4), ("logistics_no", "物流号", 18), ("kind", "类型", 10), ("action", "操作", 14),
              ("hq_status", "总部状态", 10), ("hq_station", "总部网点", 8), ("detected_at", "发现时间", 20),
              ("resolved_by", "处理人", 8), ("resolution", "处理说明", 20), ("message", "说明", 60))
    items = [{k: (to_db(r[k]) if hasattr(r[k], "tzinfo") else r[k]) for k, _, _ in fields} for r in rows]
    if fmt == Format.table:
        cols = [c for c in fields if c[0] in ("id", "logistics_no", "kind", "action", "hq_status", "message")]
        emit(items, cols, fmt, output)
        typer.echo(f"({len(items)} conflicts)", err=True)
    else:
        emit(items, fields, fmt, output, excel=excel, tz=desk.config.tz, sheet="同步冲突")


@conflicts_app.command("resolve")
@guarded
def conflicts_resolve(
    conflict_id: Annotated[int, typer.Argument(help="The conflict's id from `conflicts list`")],
    note: Annotated[str, typer.Option("--note", help="The new action that settled it, e.g. 已做撤单处理")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """Close a conflict with what was done about it; head office hears on the next sync."""
    from stationdesk.sync import station

    desk, who = acting(db, config, operator)
    row = station.resolve_conflict(desk.db, conflict_id, note, who, desk.now())
    typer.echo(f"冲突 {conflict_id} (订单 {row['logistics_no']}) 已处理")


hq_app.add_typer(station_app, name="station")
hq_app.command("serve")(hq_serve)
hq_app.command("review")(hq_review)
hq_app.add_typer(hq_audit_app, name="audit")
