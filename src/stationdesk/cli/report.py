"""`stationdesk report ...`: the supervisor's reports and appeals, for people and cron jobs.

Every report prints as a table or JSON, or writes CSV (UTF-8 with BOM, for Excel) or XLSX.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from stationdesk.cli import light
from stationdesk.cli.choices import KindChoice
from stationdesk.cli.common import (
    ConfigOpt, DbOpt, ExcelOpt, OperatorOpt, OutputOpt, Refused, ReportFormat, ReportFormatOpt, acting, annotated,
    day_dates, day_span, guarded, opened, parse_month, print_count, say, typer_command,
)
from stationdesk.domain.roles import Permission

report_app = typer.Typer(help="报表: 网点未揽收查询, violations, weekly and monthly reports, appeals.", no_args_is_help=True)

FromOpt = annotated(light.REPORT_FROM)
ToOpt = annotated(light.REPORT_TO)
FullPhonesOpt = annotated(light.FULL_PHONES)

Columns = Sequence[tuple[str, str, int]]


def _emit(rows: Iterable[dict[str, Any]], columns: Columns, fmt: Any, output: Path | None, sheet: str, *,
          excel: bool = False) -> int:
    """Write ``rows`` in ``fmt`` to ``output`` or stdout (the one writer); returns how many were written."""
    from stationdesk.cli.formats import emit

    return emit(rows, columns, fmt, output, excel=excel, sheet=sheet)


# 网点未揽收查询 is a light command (stationdesk.cli.light): it runs before Typer loads.
report_app.command("unscanned")(typer_command(light.unscanned, light.UNSCANNED))


@report_app.command("unattended")
@guarded
def unattended(
    date_from: FromOpt = None, date_to: ToOpt = None, fmt: ReportFormatOpt = ReportFormat.table, output: OutputOpt = None,
    excel: ExcelOpt = False,
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """登录时段: per day, the working-hour minutes with no one signed in at the desk (supervisor)."""
    from stationdesk.services.sessions import REPORT_COLUMNS, unattended_report

    desk = opened(db, config, operator, need=Permission.VIOLATIONS)
    first, last = day_dates(desk, date_from, date_to)
    n = _emit(unattended_report(desk, first, last), REPORT_COLUMNS, fmt, output, "无人登录", excel=excel)
    print_count(n, fmt, output, "days")


@report_app.command("exceptions")
@guarded
def exceptions(
    date_from: FromOpt = None, date_to: ToOpt = None, fmt: ReportFormatOpt = ReportFormat.table, output: OutputOpt = None,
    excel: ExcelOpt = False,
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """物流异常: exceptions recorded in the range by kind, contacted, resolved, hours to resolve (supervisor)."""
    from stationdesk.services.logistics import REPORT_COLUMNS, exceptions_report

    desk = opened(db, config, operator, need=Permission.VIOLATIONS)
    start, end = day_span(desk, date_from, date_to)
    n = _emit(exceptions_report(desk, start, end), REPORT_COLUMNS, fmt, output, "物流异常", excel=excel)
    print_count(n, fmt, output, "kinds")


@report_app.command("complaints")
@guarded
def complaints(
    date_from: FromOpt = None, date_to: ToOpt = None, fmt: ReportFormatOpt = ReportFormat.table, output: OutputOpt = None,
    excel: ExcelOpt = False,
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """客户投诉: complaints received in the range by category, closed in time or late, hours to close (supervisor)."""
    from stationdesk.services.complaints import REPORT_COLUMNS, complaints_report

    desk = opened(db, config, operator, need=Permission.VIOLATIONS)
    start, end = day_span(desk, date_from, date_to)
    n = _emit(complaints_report(desk, start, end), REPORT_COLUMNS, fmt, output, "客户投诉", excel=excel)
    print_count(n, fmt, output, "categories")


# 违规明细 is a light command too: it runs before Typer loads.
report_app.command("violations")(typer_command(light.violations, light.VIOLATIONS))


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

    desk = opened(db, config, operator, need=Permission.VIOLATIONS)
    if week is None:
        day = desk.now().astimezone(desk.config.tz).date() - timedelta(days=7)
    elif (day := parse_day(week)) is None:
        raise Refused("opt.week", option="--week", value=week)
    summary = run_weekly(desk, day)
    _emit(summary.rows(), SUMMARY_COLUMNS, fmt, output, "周报", excel=excel)


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

    desk = opened(db, config, operator, need=Permission.VIOLATIONS)
    chosen = parse_month(month) if month else month_of(desk.now().astimezone(desk.config.tz).date())
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

    desk = opened(db, config, operator, need=Permission.VIOLATIONS)
    first = parse_month(date_from)
    rows = run_refunds(desk, first, parse_month(date_to) if date_to else first)
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

    desk, who = acting(db, config, operator, need=Permission.APPEAL)
    outcome = run_appeal(desk, number, kind.value, note, who)

    typer.echo(clean_text(say(outcome.message)))
