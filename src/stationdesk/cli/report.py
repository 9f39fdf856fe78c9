"""`stationdesk report ...`: the supervisor's reports and appeals, for people and cron jobs.

Every report prints as a table or JSON, or writes CSV (UTF-8 with BOM, for Excel) or XLSX.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from stationdesk.cli import ConfigOpt, DbOpt, OperatorOpt, Refused, _acting, _open, _open_as, _parse_when, _reading, guarded
from stationdesk.domain.roles import Permission

if TYPE_CHECKING:
    from stationdesk.services.context import Desk

report_app = typer.Typer(help="报表: 网点未揽收查询, violations, weekly and monthly reports, appeals.", no_args_is_help=True)

FromOpt = Annotated[str | None, typer.Option("--from", help="From: YYYY-MM-DD (station time) or an ISO date-time [default: today]")]
ToOpt = Annotated[str | None, typer.Option("--to", help="To, inclusive: YYYY-MM-DD or an ISO date-time [default: today]")]
from stationdesk.cli.choices import ChannelOrAll, KindChoice  # noqa: E402 - after the option types above, as the groups share them
from stationdesk.cli.formats import ExcelOpt, OutputOpt, ReportFormat, ReportFormatOpt  # noqa: E402 - after the option types above, as the groups share them
FullPhonesOpt = Annotated[bool, typer.Option(
    "--full-phones", help="Full phone numbers instead of 138****5678 (supervisor; every order shown is written to the access log)")]

Columns = Sequence[tuple[str, str, int]]


def _emit(rows: Iterable[dict[str, Any]], columns: Columns, fmt: Any, output: Path | None, sheet: str, *,
          excel: bool = False) -> int:
    """Write ``rows`` in ``fmt`` to ``output`` or stdout (the one writer); returns how many were written."""
    from stationdesk.cli.formats import emit

    return emit(rows, columns, fmt, output, excel=excel, sheet=sheet)


def _days(desk: Desk, date_from: str | None, date_to: str | None) -> tuple[datetime, datetime]:
    tz = desk.config.tz
    today = desk.now().astimezone(tz).date()
    start = _parse_when(date_from, tz, end=False) if date_from else _parse_when(today.isoformat(), tz, end=False)
    end = _parse_when(date_to, tz, end=True) if date_to else _parse_when(today.isoformat(), tz, end=True)
    if end <= start:
        raise Refused(f"--from {date_from or today} is not before --to {date_to or today}")
    return start, end


def _dates(desk: Desk, date_from: str | None, date_to: str | None) -> tuple[date, date]:
    start, end = _days(desk, date_from, date_to)
    tz = desk.config.tz
    return start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()


def _channel(channel: str) -> str | None:
    from stationdesk.domain.errors import InvalidInput
    from stationdesk.domain.fields import parse_channel

    if channel.strip().lower() in ("all", "全部"):
        return None
    try:
        return parse_channel(channel).value
    except InvalidInput as exc:
        raise Refused(f"--channel: {exc}; or all/全部") from None


def _done(n: int, fmt: str, output: Path | None, what: str) -> None:
    if output is not None or fmt == ReportFormat.table:
        typer.echo(f"({n} {what}{f' -> {output}' if output else ''})", err=True)


@report_app.command("unscanned")
@guarded
def unscanned(
    date_from: FromOpt = None, date_to: ToOpt = None,
    channel: Annotated[ChannelOrAll, typer.Option("--channel", help="线上/线下/全部")] = ChannelOrAll("all"),
    fmt: ReportFormatOpt = ReportFormat.table, output: OutputOpt = None, excel: ExcelOpt = False,
    full_phones: FullPhonesOpt = False,
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """网点未揽收查询: orders accepted or pickup-confirmed with no pickup scan, oldest first,
    with the time left (or overdue) against the 16-hour pickup rule."""
    from stationdesk.services.unscanned import REPORT_COLUMNS, UnscannedQuery, unscanned_report

    # showing full phones writes to the access log: that opens the write path
    desk, who = (_open_as if full_phones else _reading)(db, config, operator,
                                                        need=Permission.FULL_PHONES if full_phones else None)
    start, end = _days(desk, date_from, date_to)
    query = UnscannedQuery(start, end, _channel(channel.value))
    rows = unscanned_report(desk, query, reveal_to=who if full_phones else None)
    n = _emit(rows, REPORT_COLUMNS, fmt, output, "网点未揽收", excel=excel)
    _done(n, fmt, output, "unscanned orders")


@report_app.command("unattended")
@guarded
def unattended(
    date_from: FromOpt = None, date_to: ToOpt = None, fmt: ReportFormatOpt = ReportFormat.table, output: OutputOpt = None,
    excel: ExcelOpt = False,
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """登录时段: per day, the working-hour minutes with no one signed in at the desk (supervisor)."""
    from stationdesk.services.sessions import REPORT_COLUMNS, unattended_report

    desk = _open(db, config, operator, need=Permission.VIOLATIONS)
    first, last = _dates(desk, date_from, date_to)
    n = _emit(unattended_report(desk, first, last), REPORT_COLUMNS, fmt, output, "无人登录", excel=excel)
    _done(n, fmt, output, "days")


@report_app.command("exceptions")
@guarded
def exceptions(
    date_from: FromOpt = None, date_to: ToOpt = None, fmt: ReportFormatOpt = ReportFormat.table, output: OutputOpt = None,
    excel: ExcelOpt = False,
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """物流异常: exceptions recorded in the range by kind, contacted, resolved, hours to resolve (supervisor)."""
    from stationdesk.services.logistics import REPORT_COLUMNS, exceptions_report

    desk = _open(db, config, operator, need=Permission.VIOLATIONS)
    start, end = _days(desk, date_from, date_to)
    n = _emit(exceptions_report(desk, start, end), REPORT_COLUMNS, fmt, output, "物流异常", excel=excel)
    _done(n, fmt, output, "kinds")


@report_app.command("complaints")
@guarded
def complaints(
    date_from: FromOpt = None, date_to: ToOpt = None, fmt: ReportFormatOpt = ReportFormat.table, output: OutputOpt = None,
    excel: ExcelOpt = False,
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """客户投诉: complaints received in the range by category, closed in time or late, hours to close (supervisor)."""
    from stationdesk.services.complaints import REPORT_COLUMNS, complaints_report

    desk = _open(db, config, operator, need=Permission.VIOLATIONS)
    start, end = _days(desk, date_from, date_to)
    n = _emit(complaints_report(desk, start, end), REPORT_COLUMNS, fmt, output, "客户投诉", excel=excel)
    _done(n, fmt, output, "categories")


@report_app.command("violations")
@guarded
def violations(
    date_from: FromOpt = None, date_to: ToOpt = None, fmt: ReportFormatOpt = ReportFormat.table, output: OutputOpt = None,
    excel: ExcelOpt = False,
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """Violations per order and kind, with fines and appeals, for orders placed in the range (supervisor)."""
    from stationdesk.services.violations import REPORT_COLUMNS, violation_rows

    desk = _open(db, config, operator, need=Permission.VIOLATIONS)
    first, last = _dates(desk, date_from, date_to)
    n = _emit(violation_rows(desk, first, last), REPORT_COLUMNS, fmt, output, "违规明细", excel=excel)
    _done(n, fmt, output, "violations")


@report_app.command("weekly")
@guarded
def weekly(
    week: Annotated[str | None, typer.Option("--week", help="Any day of the week (YYYY-MM-DD) [default: last week]")] = None,
    fmt: ReportFormatOpt = ReportFormat.table, output: OutputOpt = None, excel: ExcelOpt = False,
    db: DbOpt = None, config: ConfigOpt = None,
    operator: OperatorOpt = None,
) -> None:
    """The weekly report (Monday to Sunday): violations and fines per kind, and the total (supervisor)."""
    from stationdesk.domain.fields import parse_day
    from stationdesk.services.violations import SUMMARY_COLUMNS
    from stationdesk.services.violations import weekly as run_weekly

    desk = _open(db, config, operator, need=Permission.VIOLATIONS)
    if week is None:
        day = desk.now().astimezone(desk.config.tz).date() - timedelta(days=7)
    elif (day := parse_day(week)) is None:
        raise Refused(f"--week '{week}': expected a date YYYY-MM-DD")
    summary = run_weekly(desk, day)
    _emit(summary.rows(), SUMMARY_COLUMNS, fmt, output, "周报", excel=excel)


def _month(text: str) -> tuple[int, int]:
    try:
        y, m = text.strip().split("-")[:2]
        month = (int(y), int(m))
    except ValueError:
        raise Refused(f"--month '{text}': expected YYYY-MM") from None
    if not 1 <= month[1] <= 12:
        raise Refused(f"--month '{text}': month must be 01-12")
    return month


@report_app.command("monthly")
@guarded
def monthly(
    month: Annotated[str | None, typer.Option("--month", help="YYYY-MM [default: this month]")] = None,
    fmt: ReportFormatOpt = ReportFormat.table, output: OutputOpt = None, excel: ExcelOpt = False,
    db: DbOpt = None, config: ConfigOpt = None,
    operator: OperatorOpt = None,
) -> None:
    """The month's violations and fines per kind, and the total (supervisor)."""
    from stationdesk.domain.audit import month_of
    from stationdesk.services.violations import SUMMARY_COLUMNS
    from stationdesk.services.violations import monthly as run_monthly

    desk = _open(db, config, operator, need=Permission.VIOLATIONS)
    chosen = _month(month) if month else month_of(desk.now().astimezone(desk.config.tz).date())
    _emit(run_monthly(desk, chosen).rows(), SUMMARY_COLUMNS, fmt, output, "月报", excel=excel)


@report_app.command("refunds")
@guarded
def refunds(
    date_from: Annotated[str, typer.Option("--from", help="First fined month, YYYY-MM")],
    date_to: Annotated[str | None, typer.Option("--to", help="Last fined month, YYYY-MM [default: --from]")] = None,
    fmt: ReportFormatOpt = ReportFormat.table, output: OutputOpt = None, excel: ExcelOpt = False,
    db: DbOpt = None, config: ConfigOpt = None,
    operator: OperatorOpt = None,
) -> None:
    """The refund schedule: 60% of a month's fines back after a clean next month, 40% after a second (supervisor)."""
    from stationdesk.services.violations import REFUND_COLUMNS
    from stationdesk.services.violations import refunds as run_refunds

    desk = _open(db, config, operator, need=Permission.VIOLATIONS)
    first = _month(date_from)
    rows = run_refunds(desk, first, _month(date_to) if date_to else first)
    _emit(rows, REFUND_COLUMNS, fmt, output, "返还", excel=excel)


@report_app.command("appeal")
@guarded
def appeal(
    number: Annotated[str, typer.Argument(help="Logistics number (物流号) or waybill number (运单号)")],
    kind: Annotated[KindChoice, typer.Option("--kind", help="The violation to appeal")],
    note: Annotated[str, typer.Option("--note", help="Why the violation is wrong (required)")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """违规申诉: appeal one violation of an order, within 3 days of it (supervisor)."""
    from stationdesk.domain.text import clean_text
    from stationdesk.services.appeal import appeal as run_appeal

    desk, who = _acting(db, config, operator, need=Permission.APPEAL)
    outcome = run_appeal(desk, number, kind.value, note, who)
    from stationdesk.cli import _say

    typer.echo(clean_text(_say(outcome.message)))
