"""`stationdesk hq audit ...`: head office's audit (考核) on its PostgreSQL, and the station's
`stationdesk notices`: the penalty notices head office sent, with the time left to appeal.

Every command prints a table or JSON (the shapes in README "Audit"), and the week report also CSV
or XLSX. The logic is stationdesk.sync.hq_audit; these only parse and print.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from stationdesk.cli import ConfigOpt, DbOpt, OperatorOpt, Refused, _open, guarded
from stationdesk.cli.sync import UrlOpt, _engine, _now
from stationdesk.domain.roles import Permission

hq_audit_app = typer.Typer(help="考核: close the week, notices, appeals, decisions, refunds, rewards, review.",
                           no_args_is_help=True)

JsonFormatOpt = Annotated[str, typer.Option("--format", "-f", help="table or json")]
ReportFormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, json, csv or xlsx")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (required for xlsx)")]


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _format(fmt: str, allowed: tuple[str, ...] = ("table", "json")) -> str:
    if fmt not in allowed:
        raise Refused(f"--format '{fmt[:20]}': expected {', '.join(allowed)}")
    return fmt


def _ready(url: str) -> Any:
    from stationdesk.sync import hq_schema

    engine = _engine(url)
    hq_schema.ensure_current(engine)
    return engine


def _month(text: str) -> tuple[int, int]:
    try:
        y, m = text.strip().split("-")[:2]
        month = (int(y), int(m))
    except ValueError:
        raise Refused(f"--month '{text[:20]}': expected YYYY-MM") from None
    if not 1 <= month[1] <= 12:
        raise Refused(f"--month '{text[:20]}': month must be 01-12")
    return month


def _table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    from stationdesk.domain.text import clean_text
    from stationdesk.reports import writers

    import sys

    writers.write_table(sys.stdout, [(c, c, max(len(c), 8)) for c in columns],
                        [{c: clean_text(str(r.get(c))) if r.get(c) is not None else "" for c in columns} for r in rows])


WEEK_COLUMNS = (("section", "分类", 8), ("province", "省份", 8), ("station", "网点", 8), ("name", "网点名称", 14),
                ("kind", "违规类型", 20), ("count", "单数", 6), ("fine", "罚款(元)", 8))


def _week_rows(report: Any) -> list[dict[str, Any]]:
    rows = [{"section": "province", **r} for r in report.by_province]
    rows += [{"section": "station", **r} for r in report.by_station]
    rows += [{"section": "kind", **r, "kind": r["label"]} for r in report.by_kind]
    return rows


def _print_week(report: Any, fmt: str, output: Path | None) -> None:
    if fmt == "json":
        _json(report.as_json())
        return
    from stationdesk.cli.report import _emit

    _emit(_week_rows(report), WEEK_COLUMNS, fmt, output, f"周报 {report.week}")
    if fmt == "table":
        typer.echo(f"{report.week}: 通知 {len(report.notices)} 个网点, 罚款合计 "
                   f"{sum(n['total_fine'] for n in report.notices)} 元, 结周时记录未处理超时 {report.recorded_at_close} 单")


@hq_audit_app.command("close-week")
@guarded
def close_week(
    week: Annotated[str, typer.Argument(help="ISO week, e.g. 2026-W48")],
    url: UrlOpt, fmt: ReportFormatOpt = "table", output: OutputOpt = None,
) -> None:
    """The Monday job: confirm the week's violations, issue one notice per station, write the network report."""
    from stationdesk.sync import hq_audit

    _format(fmt, ("table", "json", "csv", "xlsx"))
    engine = _ready(url)
    try:
        report = hq_audit.close_week(engine, week, _now())
    finally:
        engine.dispose()
    _print_week(report, fmt, output)


@hq_audit_app.command("week-report")
@guarded
def week_report(
    week: Annotated[str, typer.Argument(help="ISO week, e.g. 2026-W48")],
    url: UrlOpt, fmt: ReportFormatOpt = "table", output: OutputOpt = None,
) -> None:
    """A closed week's network report, as written at the close."""
    from stationdesk.sync import hq_audit

    _format(fmt, ("table", "json", "csv", "xlsx"))
    engine = _ready(url)
    try:
        report = hq_audit.report_of(engine, week)
    finally:
        engine.dispose()
    _print_week(report, fmt, output)


@hq_audit_app.command("violations")
@guarded
def violations(
    url: UrlOpt,
    station: Annotated[str | None, typer.Option("--station", help="One station's code")] = None,
    week: Annotated[str | None, typer.Option("--week", help="ISO week of the deadline, e.g. 2026-W48")] = None,
    fmt: JsonFormatOpt = "table",
) -> None:
    """Head office's ledger: {kind, fine, state, station, deadline, at} per violation."""
    from stationdesk.sync import hq_audit

    _format(fmt)
    engine = _ready(url)
    try:
        rows = hq_audit.violations_of(engine, station, week)
    finally:
        engine.dispose()
    if fmt == "json":
        _json(rows)
    else:
        _table(rows, ["id", "station", "logistics_no", "kind", "fine", "state", "deadline", "at"])


@hq_audit_app.command("appeals")
@guarded
def appeals(
    url: UrlOpt,
    state: Annotated[str | None, typer.Option("--state", help="open, upheld, withdrawn or refused")] = None,
    fmt: JsonFormatOpt = "table",
) -> None:
    """Appeals from stations: {id, station, logistics_no, kind, state, note, decision}."""
    from stationdesk.sync import hq_audit

    _format(fmt)
    engine = _ready(url)
    try:
        rows = hq_audit.appeals(engine, state)
    finally:
        engine.dispose()
    if fmt == "json":
        _json(rows)
    else:
        _table(rows, ["id", "station", "logistics_no", "kind", "state", "note", "decision"])


@hq_audit_app.command("decide")
@guarded
def decide(
    appeal_id: Annotated[int, typer.Argument(help="The appeal's id (hq audit appeals)")],
    url: UrlOpt,
    uphold: Annotated[bool, typer.Option("--uphold", help="Keep the fine")] = False,
    withdraw: Annotated[bool, typer.Option("--withdraw", help="Withdraw the fine")] = False,
    note: Annotated[str, typer.Option("--note", help="The reason for the decision (required)")] = "",
    fmt: JsonFormatOpt = "table", operator: OperatorOpt = None,
) -> None:
    """Decide an open appeal; the station receives the decision at its next sync."""
    from stationdesk.sync import hq_audit

    _format(fmt)
    if uphold == withdraw:
        raise Refused("give exactly one of --uphold or --withdraw")
    engine = _ready(url)
    try:
        row = hq_audit.decide(engine, appeal_id, uphold, note, _now(), operator or "电商总部")
    finally:
        engine.dispose()
    if fmt == "json":
        _json(row)
    else:
        typer.echo(f"申诉 {row['id']} (订单 {row['logistics_no']}, {row['station']}): {row['state']}")


@hq_audit_app.command("refunds")
@guarded
def refunds(
    url: UrlOpt, month: Annotated[str, typer.Option("--month", help="The fined month, YYYY-MM")],
    fmt: JsonFormatOpt = "table",
) -> None:
    """60% of a month's fines back after a clean next month (online orders, no violation), 40% after a second."""
    from stationdesk.sync import hq_audit

    _format(fmt)
    chosen = _month(month)
    engine = _ready(url)
    try:
        rows = hq_audit.refunds(engine, chosen, _now())
    finally:
        engine.dispose()
    if fmt == "json":
        _json(rows)
    else:
        _table(rows, ["station", "month", "fine", "refund_60", "refund_60_status", "refund_40", "refund_40_status",
                      "refunded"])


@hq_audit_app.command("rewards")
@guarded
def rewards(
    url: UrlOpt, month: Annotated[str, typer.Option("--month", help="YYYY-MM")], fmt: JsonFormatOpt = "table",
) -> None:
    """200 places of 200 yuan, by province (first-level stations) and 我要寄快递 volume without violations."""
    from stationdesk.sync import hq_audit

    _format(fmt)
    chosen = _month(month)
    engine = _ready(url)
    try:
        rows = hq_audit.rewards(engine, chosen)
    finally:
        engine.dispose()
    if fmt == "json":
        _json(rows)
    else:
        _table(rows, ["province", "places", "rank", "station", "name", "send_parcel_orders", "amount"])


@hq_audit_app.command("review")
@guarded
def review(
    url: UrlOpt,
    scan_week: Annotated[str | None, typer.Option("--scan", help="First look for suspicions in orders of this ISO week")] = None,
    state: Annotated[str, typer.Option("--state", help="open, confirmed, dismissed or all")] = "open",
    fmt: JsonFormatOpt = "table",
) -> None:
    """The truthfulness queue: suspected false reasons, false waybills and wrong transfers, with the evidence."""
    from stationdesk.sync import hq_audit

    _format(fmt)
    engine = _ready(url)
    try:
        if scan_week:
            start, end = hq_audit.week_range(scan_week)
            found = hq_audit.scan_suspicions(engine, start, end, _now())
            typer.echo(f"({found} new suspicions)", err=True)
        rows = hq_audit.reviews(engine, None if state == "all" else state)
    finally:
        engine.dispose()
    if fmt == "json":
        _json(rows)
    else:
        _table(rows, ["id", "station", "logistics_no", "kind", "fine", "state", "evidence"])


@hq_audit_app.command("review-decide")
@guarded
def review_decide(
    review_id: Annotated[int, typer.Argument(help="The suspicion's id (hq audit review)")], url: UrlOpt,
    confirm: Annotated[bool, typer.Option("--confirm", help="It is a violation")] = False,
    dismiss: Annotated[bool, typer.Option("--dismiss", help="It is not")] = False,
    operator: OperatorOpt = None,
) -> None:
    """Confirm a suspicion (it becomes a violation of its week) or dismiss it."""
    from stationdesk.sync import hq_audit

    if confirm == dismiss:
        raise Refused("give exactly one of --confirm or --dismiss")
    engine = _ready(url)
    try:
        row = hq_audit.decide_review(engine, review_id, confirm, _now(), operator or "电商总部")
    finally:
        engine.dispose()
    typer.echo(f"复核 {row['id']}: {row['state']}")


@guarded
def notices(fmt: JsonFormatOpt = "table", db: DbOpt = None, config: ConfigOpt = None,
            operator: OperatorOpt = None) -> None:
    """处罚通知: the penalty notices head office sent this station, with the time left to appeal (supervisor)."""
    from stationdesk.services.notices import notice_list

    _format(fmt)
    desk = _open(db, config, operator, need=Permission.VIOLATIONS)
    rows = notice_list(desk)
    if fmt == "json":
        _json(rows)
        return
    if not rows:
        typer.echo("(没有处罚通知 / no notices)")
    for n in rows:
        typer.echo(f"通知 {n['id']} {n['week']} 发出 {n['issued_at']} 罚款 {n['total_fine']} 元, "
                   f"申诉截止 {n['appeal_deadline']} ({n['time_left']})")
        for v in n["violations"]:
            typer.echo(f"  {v['logistics_no']}  {v['kind']}  {v['fine']} 元  {v['state']}")
