"""`stationdesk hq audit ...`: head office's audit (考核) on its PostgreSQL, and the station's
`stationdesk notices`: the penalty notices head office sent, with the time left to appeal.

Every command prints rows in the shared formats (stationdesk.cli.formats: --format table, json,
jsonl, csv, the week report also xlsx; -o PATH; --excel), the JSON in the shapes of README "Audit".
The logic is stationdesk.sync.hq_audit; these only parse and print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from stationdesk.cli import light
from stationdesk.cli.common import (
    ExcelOpt, Format, FormatOpt, OperatorOpt, OutputOpt, Refused, ReportFormat, ReportFormatOpt, UrlOpt, guarded, hq_engine,
    parse_month, phrase, say, system_now, typer_command,
)
from stationdesk.cli.formats import emit, value_of, write_document

hq_audit_app = typer.Typer(help="考核: close the week, notices, appeals, decisions, refunds, rewards, review.",
                           no_args_is_help=True)

VIOLATION_COLUMNS = (("id", "编号", 6), ("logistics_no", "物流号", 12), ("kind", "违规类型", 16), ("fine", "罚款(元)", 8),
                     ("state", "状态", 12), ("station", "网点", 8), ("deadline", "时限", 25), ("at", "发生时间", 25))
APPEAL_COLUMNS = (("id", "编号", 6), ("station", "网点", 8), ("logistics_no", "物流号", 12), ("kind", "违规类型", 16),
                  ("state", "状态", 10), ("note", "申诉理由", 24), ("decision", "总部决定", 24))
REFUND_COLUMNS = (("station", "网点", 8), ("month", "月份", 8), ("fine", "罚款(元)", 8), ("refund_60", "返还60%", 8),
                  ("refund_60_status", "60%状态", 8), ("refund_40", "返还40%", 8), ("refund_40_status", "40%状态", 8),
                  ("refunded", "已返还", 8))
REWARD_COLUMNS = (("province", "省份", 8), ("places", "名额", 6), ("rank", "名次", 6), ("station", "网点", 8),
                  ("name", "网点名称", 14), ("send_parcel_orders", "我要寄快递单数", 8), ("amount", "奖励(元)", 8))
REVIEW_COLUMNS = (("id", "编号", 6), ("station", "网点", 8), ("logistics_no", "物流号", 12), ("kind", "疑似类型", 16),
                  ("fine", "罚款(元)", 8), ("state", "状态", 10), ("evidence", "证据", 40))


def _ready(url: str) -> Any:
    from stationdesk.sync import hq_schema

    engine = hq_engine(url)
    hq_schema.ensure_current(engine)
    return engine


WEEK_COLUMNS = (("section", "分类", 8), ("province", "省份", 8), ("station", "网点", 8), ("name", "网点名称", 14),
                ("kind", "违规类型", 20), ("count", "单数", 6), ("fine", "罚款(元)", 8))


def _week_rows(report: Any) -> list[dict[str, Any]]:
    rows = [{"section": "province", **r} for r in report.by_province]
    rows += [{"section": "station", **r} for r in report.by_station]
    rows += [{"section": "kind", **r, "kind": r["label"]} for r in report.by_kind]
    return rows


def _print_week(report: Any, fmt: ReportFormat, output: Path | None, excel: bool) -> None:
    if value_of(fmt) == "json":
        write_document(report.as_json(), output)
        return
    emit(_week_rows(report), WEEK_COLUMNS, fmt, output, excel=excel, sheet=f"周报 {report.week}")
    if value_of(fmt) == "table":
        typer.echo(f"{report.week}: 通知 {len(report.notices)} 个网点, 罚款合计 "
                   f"{sum(n['total_fine'] for n in report.notices)} 元, 结周时记录未处理超时 {report.recorded_at_close} 单",
                   err=output is not None)


@hq_audit_app.command("close-week")
@guarded
def close_week(
    week: Annotated[str, typer.Argument(help="ISO week, e.g. 2026-W48")],
    url: UrlOpt, fmt: ReportFormatOpt = ReportFormat.table, output: OutputOpt = None, excel: ExcelOpt = False,
) -> None:
    """The Monday job: confirm the week's violations, issue one notice per station, write the network report."""
    from stationdesk.sync import hq_audit

    from stationdesk.cli.formats import check_writable

    if value_of(fmt) == "xlsx" and output is None:  # refused before the week is closed
        raise Refused("opt.xlsx_output")
    if output is not None:
        check_writable(output)
    engine = _ready(url)
    try:
        report = hq_audit.close_week(engine, week, system_now())
    finally:
        engine.dispose()
    _print_week(report, fmt, output, excel)


@hq_audit_app.command("week-report")
@guarded
def week_report(
    week: Annotated[str, typer.Argument(help="ISO week, e.g. 2026-W48")],
    url: UrlOpt, fmt: ReportFormatOpt = ReportFormat.table, output: OutputOpt = None, excel: ExcelOpt = False,
) -> None:
    """A closed week's network report, as written at the close."""
    from stationdesk.sync import hq_audit

    engine = _ready(url)
    try:
        report = hq_audit.report_of(engine, week)
    finally:
        engine.dispose()
    _print_week(report, fmt, output, excel)


@hq_audit_app.command("violations")
@guarded
def violations(
    url: UrlOpt,
    station: Annotated[str | None, typer.Option("--station", help="One station's code")] = None,
    week: Annotated[str | None, typer.Option("--week", help="ISO week of the deadline, e.g. 2026-W48")] = None,
    fmt: FormatOpt = Format.table, output: OutputOpt = None, excel: ExcelOpt = False,
) -> None:
    """Head office's ledger: {id, logistics_no, kind, fine, state, station, deadline, at} per violation."""
    from stationdesk.sync import hq_audit

    engine = _ready(url)
    try:
        rows = hq_audit.violations_of(engine, station, week)
    finally:
        engine.dispose()
    emit(rows, VIOLATION_COLUMNS, fmt, output, excel=excel, sheet="违规")


@hq_audit_app.command("appeals")
@guarded
def appeals(
    url: UrlOpt,
    state: Annotated[str | None, typer.Option("--state", help="open, upheld, withdrawn or refused")] = None,
    fmt: FormatOpt = Format.table, output: OutputOpt = None, excel: ExcelOpt = False,
) -> None:
    """Appeals from stations: {id, station, logistics_no, kind, state, note, decision}."""
    from stationdesk.sync import hq_audit

    engine = _ready(url)
    try:
        rows = hq_audit.appeals(engine, state)
    finally:
        engine.dispose()
    emit(rows, APPEAL_COLUMNS, fmt, output, excel=excel, sheet="申诉")


@hq_audit_app.command("decide")
@guarded
def decide(
    appeal_id: Annotated[int, typer.Argument(help="The appeal's id (hq audit appeals)")],
    url: UrlOpt,
    uphold: Annotated[bool, typer.Option("--uphold", help="Keep the fine")] = False,
    withdraw: Annotated[bool, typer.Option("--withdraw", help="Withdraw the fine")] = False,
    note: Annotated[str, typer.Option("--note", help="The reason for the decision (required)")] = "",
    fmt: FormatOpt = Format.table, output: OutputOpt = None, excel: ExcelOpt = False, operator: OperatorOpt = None,
) -> None:
    """Decide an open appeal; the station receives the decision at its next sync.

    --format json prints the decided appeal as one object; table, jsonl and csv print it as one row."""
    from stationdesk.cli.formats import check_writable
    from stationdesk.sync import hq_audit

    if uphold == withdraw:
        raise Refused("opt.one_of_two", a="--uphold", b="--withdraw")
    if output is not None:
        check_writable(output)  # before the decision is recorded
    engine = _ready(url)
    try:
        row = hq_audit.decide(engine, appeal_id, uphold, note, system_now(), operator or "电商总部")
    finally:
        engine.dispose()
    if value_of(fmt) == "json":
        write_document(row, output)
        return
    emit([row], APPEAL_COLUMNS, fmt, output, excel=excel, sheet="申诉")
    if value_of(fmt) == "table":
        typer.echo(f"申诉 {row['id']} (订单 {row['logistics_no']}, {row['station']}): {row['state']}",
                   err=output is not None)


@hq_audit_app.command("refunds")
@guarded
def refunds(
    url: UrlOpt, month: Annotated[str, typer.Option("--month", help="The fined month, YYYY-MM")],
    fmt: FormatOpt = Format.table, output: OutputOpt = None, excel: ExcelOpt = False,
) -> None:
    """60% of a month's fines back after a clean next month (online orders, no violation), 40% after a second."""
    from stationdesk.sync import hq_audit

    chosen = parse_month(month)
    engine = _ready(url)
    try:
        rows = hq_audit.refunds(engine, chosen, system_now())
    finally:
        engine.dispose()
    emit(rows, REFUND_COLUMNS, fmt, output, excel=excel, sheet=f"返还 {month.strip()}")


@hq_audit_app.command("rewards")
@guarded
def rewards(
    url: UrlOpt, month: Annotated[str, typer.Option("--month", help="YYYY-MM")],
    fmt: FormatOpt = Format.table, output: OutputOpt = None, excel: ExcelOpt = False,
) -> None:
    """200 places of 200 yuan, by province (first-level stations) and 我要寄快递 volume without violations."""
    from stationdesk.sync import hq_audit

    chosen = parse_month(month)
    engine = _ready(url)
    try:
        rows = hq_audit.rewards(engine, chosen)
    finally:
        engine.dispose()
    emit(rows, REWARD_COLUMNS, fmt, output, excel=excel, sheet=f"奖励 {month.strip()}")


@hq_audit_app.command("review")
@guarded
def review(
    url: UrlOpt,
    scan_week: Annotated[str | None, typer.Option("--scan", help="First look for suspicions in orders of this ISO week")] = None,
    state: Annotated[str, typer.Option("--state", help="open, confirmed, dismissed or all")] = "open",
    fmt: FormatOpt = Format.table, output: OutputOpt = None, excel: ExcelOpt = False,
) -> None:
    """The truthfulness queue: suspected false reasons, false waybills and wrong transfers, with the evidence."""
    from stationdesk.sync import hq_audit

    engine = _ready(url)
    try:
        if scan_week:
            start, end = hq_audit.week_range(scan_week)
            found = hq_audit.scan_suspicions(engine, start, end, system_now())
            typer.echo(say(phrase("cli.count_line", count=phrase("count.suspicions", n=found), to="")), err=True)
        rows = hq_audit.reviews(engine, None if state == "all" else state)
    finally:
        engine.dispose()
    emit(rows, REVIEW_COLUMNS, fmt, output, excel=excel, sheet="复核")


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
        raise Refused("opt.one_of_two", a="--confirm", b="--dismiss")
    engine = _ready(url)
    try:
        row = hq_audit.decide_review(engine, review_id, confirm, system_now(), operator or "电商总部")
    finally:
        engine.dispose()
    typer.echo(f"复核 {row['id']}: {row['state']}")


# 处罚通知 is a light command (stationdesk.cli.light): it runs before Typer loads.
notices = typer_command(light.notices, light.NOTICES)
