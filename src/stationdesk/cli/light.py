"""The light commands: what a shell, a cron line or a status bar runs all day, each a read that
needs no write path (`orders show`, `orders list`, `alerts check`, `report unscanned`, `report violations`, `notices`).

They run before Typer is imported: ``run`` reads their line with the parameters written once in
stationdesk.cli.params (and here), and calls the command; help, a wrong line and completion go
to Typer, which builds these same commands from the same parameters (stationdesk.cli.common's
``typer_command``), so what a person sees there is Typer's own. Nothing here imports Typer, click,
SQLAlchemy or the write path (tests/test_light_commands.py checks each in a new process)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stationdesk.cli import params
from stationdesk.cli.base import (
    ExitCode, Refused, _language, channel_filter, check_format, day_dates, day_span, echo, guarded, log_on_demand, parse_when,
    phrase, print_count, reading, ready_to_log, say, signed_in,
)
from stationdesk.cli.choices import BusinessTypeChoice, ChannelChoice, ChannelOrAll, StatusChoice
from stationdesk.cli.formats import Format, emit, value_of, write_document
from stationdesk.cli.params import Param
from stationdesk.domain.roles import Permission

if TYPE_CHECKING:
    from stationdesk.services.context import Desk
    from stationdesk.store.values import OrderFilter


class CancelFilter(str, Enum):
    """Query way 1's cancellation filter (撤单处理)."""

    all = "all"
    unhandled = "unhandled"
    handled = "handled"


LIST_COLUMNS = (
    ("logistics_no", "物流号", 18), ("waybill_no", "运单号", 15), ("source", "来源", 12),
    ("business_type_label", "业务类型", 10), ("order_time_short", "下单时间", 16), ("status_label", "状态", 8),
    ("sender_name", "寄件人", 8), ("sender_phone", "电话", 11), ("sender_district", "区县", 8),
    ("area", "超区", 11), ("violations", "违规", 14),
)




def _filter(desk: Desk, *, date_from: str | None, date_to: str | None, status: list[str] | None, cancel: str,
            source: str | None, channel: str | None, business_type: str | None, out_of_area: bool | None) -> OrderFilter:
    from stationdesk.domain.errors import InvalidInput
    from stationdesk.domain.fields import parse_business_type, parse_channel
    from stationdesk.domain.statuses import Status
    from stationdesk.store.values import OrderFilter

    tz = desk.config.tz
    statuses = []
    for s in status or []:
        match = next((x for x in Status if s in (x.value, x.label)), None)
        if match is None:
            raise Refused("opt.choices", option="--status", value=s, valid=", ".join(x.value for x in Status))
        statuses.append(match.value)
    if cancel not in ("all", "unhandled", "handled"):
        raise Refused("opt.cancel", option="--cancel", value=cancel)
    try:
        ch = parse_channel(channel).value if channel else None
        bt = parse_business_type(business_type).value if business_type else None
    except InvalidInput as exc:
        raise Refused("opt.invalid", option="--channel/--business-type", why=exc) from None
    return OrderFilter(
        start=parse_when(date_from, tz, end=False) if date_from else None,
        end=parse_when(date_to, tz, end=True) if date_to else None,
        statuses=tuple(statuses), cancel=cancel, source=source, channel=ch, business_type=bt,  # type: ignore[arg-type]  # statuses, channel and type were parsed to their codes just above
        out_of_area=out_of_area,
    )


def _summaries(desk: Desk, rows: Any) -> Iterator[dict[str, Any]]:
    from stationdesk.services.views import order_listing

    now, tz = desk.now(), desk.config.tz
    return (order_listing(row, now, tz) for row in rows)


# Every field of an order summary, with the heading a spreadsheet shows (CSV for Excel, XLSX).
EXPORT_HEADINGS = {
    "logistics_no": "物流号", "waybill_no": "运单号", "source": "数据来源", "channel": "线上/线下",
    "business_type": "业务类型", "status": "状态代码", "status_label": "状态", "order_time": "下单时间",
    "station": "网点", "out_of_area": "超区", "suggested_station": "应属网点", "cancelled": "撤单",
    "cancel_handled": "已做撤单处理", "accept_deadline": "接单时限", "pickup_deadline": "揽收时限",
    "sender_name": "寄件人", "sender_phone": "电话", "sender_district": "区县", "sender_address": "地址",
    "violations": "违规", "duplicate_of": "重复下单?", "awaiting_waybill": "待补运单号", "remark": "备注",
}
_TIME_FIELDS = ("order_time", "accept_deadline", "pickup_deadline")


def _export_columns() -> list[tuple[str, str, int]]:
    from stationdesk.services.views import EXTRA_FIELDS, SUMMARY_FIELDS

    return [(k, EXPORT_HEADINGS.get(k, k), 12) for k in (*SUMMARY_FIELDS, *EXTRA_FIELDS)]


def _typed(s: dict[str, Any]) -> dict[str, Any]:
    """Times as date-times again, so that each format writes them its own way (ISO, Excel)."""
    from datetime import datetime

    return {**s, **{k: datetime.fromisoformat(s[k]) for k in _TIME_FIELDS if s.get(k)}}


def _with_links(conn: Any, rows: Any) -> Iterator[Any]:
    """The rows with ``duplicate_of`` (the earlier order's logistics number, or None), a chunk at a time."""
    from itertools import islice

    from stationdesk.store.reads import duplicate_links

    it = iter(rows)
    while chunk := list(islice(it, 500)):
        links = duplicate_links(conn, [r["id"] for r in chunk])
        for r in chunk:
            yield {**r, "duplicate_of": links.get(r["id"])}


def _emit(desk: Desk, rows: Any, fmt: Any, output: Any = None, excel: bool = False, conn: Any = None) -> int:
    items = _summaries(desk, _with_links(conn, rows) if conn is not None else rows)
    if value_of(fmt) == "table":
        return emit(items, LIST_COLUMNS, fmt, output, tz=desk.config.tz)
    return emit((_typed(s) for s in items), _export_columns(), fmt, output, excel=excel, tz=desk.config.tz,
                sheet="电商订单")


LIST = (
    Param("date_from", ("--from",), str, optional=True, help="Order date from: YYYY-MM-DD (station time) or ISO"),
    Param("date_to", ("--to",), str, optional=True, help="Order date to, inclusive"),
    Param("status", ("--status",), StatusChoice, optional=True, multiple=True, help="Status (repeatable)"),
    Param("cancel", ("--cancel",), CancelFilter, CancelFilter.all, help="unhandled: 未做撤单处理, handled: 已做撤单处理"),
    Param("source", ("--source",), str, optional=True, help="数据来源: a name (淘宝) or its code (LP, KD, wx, IS, CT_H_, ali)"),
    Param("channel", ("--channel",), ChannelChoice, optional=True, help="线上/线下"),
    Param("business_type", ("--business-type",), BusinessTypeChoice, optional=True, help="业务类型"),
    Param("out_of_area", ("--out-of-area/--in-area",), bool, optional=True, help="Only orders outside / inside the area"),
    Param("limit", ("--limit",), int, optional=True, min=1, help="Stop after N orders (default: all)"),
    Param("awaiting_waybill", ("--awaiting-waybill",), bool, False,
          help="Picked up without a waybill number (在线下单): waiting for the customer's number"),
    params.FORMAT, params.OUTPUT, params.EXCEL, params.DB, params.CONFIG,
)


@guarded
def orders_list(date_from: str | None, date_to: str | None, status: list[Any] | None, cancel: Any, source: str | None,
                channel: Any, business_type: Any, out_of_area: bool | None, limit: int | None, awaiting_waybill: bool,
                fmt: Any, output: Path | None, excel: bool, db: Path | None, config: Path | None) -> None:
    """电商订单查询 by date range and filters; every match is printed, streamed."""
    from stationdesk.store import reads

    check_format(fmt)
    desk = reading(db, config)[0]
    flt = _filter(desk, date_from=date_from, date_to=date_to, status=[s.value for s in status or []],
                  cancel=cancel.value, source=source, channel=channel.value if channel else None,
                  business_type=business_type.value if business_type else None, out_of_area=out_of_area)
    if awaiting_waybill:
        flt = flt.with_(awaiting_waybill=True)
    with desk.db.read() as conn:
        n = _emit(desk, reads.stream(conn, flt, limit), fmt, output, excel, conn)
    if fmt == Format.table or output is not None:
        echo(say(phrase("cli.count_line", count=phrase("count.orders", n=n),
                         to=phrase("cli.count_to", path=output) if output else "")), err=True)


SHOW = (
    Param("number", (), str, help="Logistics number (物流号) or waybill number (运单号)"),
    params.FORMAT, params.DB, params.CONFIG,
)


@guarded
def orders_show(number: str, fmt: Any, db: Path | None, config: Path | None) -> None:
    """详细数据: one order with its deadlines, violations and full history (phone masked)."""
    from stationdesk.services.lookup import find
    from stationdesk.services.views import history_entry, violation_json
    from stationdesk.store import reads

    check_format(fmt)
    desk = reading(db, config)[0]
    with desk.db.read() as conn:
        row = find(conn, number)
        events = reads.events_of(conn, row["id"])
        recorded = reads.violations_of(conn, row["id"])
        row = {**row, "duplicate_of": reads.duplicate_links(conn, [row["id"]]).get(row["id"])}
    summary = next(_summaries(desk, [row]))
    # the recorded violations (考核台账), not today's clocks: {kind, fine, state, station, deadline, at}
    summary["violations"] = [violation_json(v, desk.config.tz) for v in recorded]
    history = [history_entry(e, desk.config.tz) for e in events]
    if fmt in (Format.json, Format.jsonl):
        from stationdesk.services.views import EXTRA_FIELDS, SUMMARY_FIELDS

        extra = {k: summary[k] for k in EXTRA_FIELDS}
        import json

        echo(json.dumps({**{k: summary[k] for k in SUMMARY_FIELDS}, **extra, "history": history},
                              ensure_ascii=False, indent=2 if fmt == Format.json else None))
        return
    if fmt == Format.csv:
        _emit(desk, [row], fmt)
        return
    from stationdesk.domain.text import clean_text

    for key, value in summary.items():
        if key in ("violations",):
            value = ", ".join(f"{v['kind']} {v['fine']}元 {v['state']} ({v['station']})" for v in value) or "-"
        echo(f"{key:20} {clean_text(str(value)) if value is not None else '-'}")
    echo("history:")
    for h in history:
        echo(f"  {h['at']}  {clean_text(h['operator'])}  {h['action']}  {h['before'] or '-'} -> {h['after']}")


ALERTS = (params.DB, params.CONFIG, params.FORMAT, params.OUTPUT, params.EXCEL)


@guarded
def check(db: Path | None, config: Path | None, fmt: Any, output: Path | None, excel: bool) -> None:
    """What the alert job would raise now; exit code 3 while orders wait for acceptance."""
    from datetime import timedelta

    from stationdesk.alerts.reading import load_waiting
    from stationdesk.alerts.rule import TITLE, alert_for, counts_text, escalation_for, in_working_hours

    desk = reading(db, config)[0]
    cfg, now = desk.config, desk.now()
    hours, tz, warn = cfg.hours_for(desk.station.province), cfg.tz, cfg.alerts.warn_before_minutes
    waiting = load_waiting(desk.db, now, timedelta(minutes=warn))
    in_hours = in_working_hours(now, hours, tz)
    alert = alert_for(waiting, now, hours, tz, warn_minutes=warn, pending=False)
    escalation, _ = escalation_for(waiting, now, hours, tz, {})
    due = escalation.orders if escalation else ()
    urgent = waiting.most_urgent
    span = f"{hours[0]:%H:%M}-{hours[1]:%H:%M}"

    def order(o: Any) -> dict[str, Any]:
        return {"id": o.id, "logistics_no": o.ref, "accept_deadline": o.deadline.astimezone(tz).isoformat()}

    state = {
        "at": now.astimezone(tz).isoformat(), "working_hours": span, "in_hours": in_hours,
        "waiting": waiting.waiting, "overdue": waiting.overdue, "due_soon": waiting.due_soon,
        "warn_before_minutes": warn, "alert": TITLE[0] if alert else None,
        "escalation": due, "most_urgent": order(urgent) if urgent else None,  # each due order written for JSON only
    }
    from stationdesk.logs import log_event

    ready_to_log()
    log_event("alerts", f"alerts check: {waiting.waiting} waiting, {waiting.overdue} overdue, "
              f"{waiting.due_soon} due soon{', alert' if alert else ''}")
    if fmt in (Format.json, Format.jsonl) and output is None:
        import json

        echo(json.dumps({**state, "escalation": [order(o) for o in due]}, ensure_ascii=False))
    elif fmt != Format.table:
        row = {**state, "at": now.astimezone(tz), "escalation": len(due),
               "most_urgent": urgent.ref if urgent else None,
               "most_urgent_deadline": urgent.deadline.astimezone(tz) if urgent else None}
        columns = [("at", "时间", 19), ("working_hours", "工作时间", 11), ("in_hours", "工作时间内", 6),
                   ("waiting", "等待接单", 6), ("overdue", "已超时", 6), ("due_soon", "即将超时", 6),
                   ("warn_before_minutes", "提前提醒分钟", 6), ("alert", "提醒", 20), ("escalation", "即将超时单数", 6),
                   ("most_urgent", "最紧急", 18), ("most_urgent_deadline", "接单时限", 19)]
        emit([row], columns, fmt, output, excel=excel, tz=tz, sheet="未接订单提醒")
    elif not waiting.waiting:
        echo(say(phrase("cli.nothing_waiting")))
    else:
        lang = _language()
        echo(counts_text(waiting.waiting, waiting.overdue, waiting.due_soon, warn, lang))
        if alert:
            echo(TITLE[1] if lang == "en" else TITLE[0])
        if not in_hours:
            echo(say(phrase("cli.out_of_hours", span=span)))
        if escalation:
            echo(say(phrase("cli.titled", title=escalation.title(lang), text=escalation.text(now, tz, lang))))
        if urgent:
            echo(say(phrase("cli.most_urgent", ref=urgent.ref, deadline=f"{urgent.deadline.astimezone(tz):%m-%d %H:%M}")))
    if waiting.waiting:
        raise SystemExit(ExitCode.ORDERS_WAITING)


REPORT_FROM = Param("date_from", ("--from",), str, optional=True,
                    help="From: YYYY-MM-DD (station time) or an ISO date-time [default: today]")
REPORT_TO = Param("date_to", ("--to",), str, optional=True,
                  help="To, inclusive: YYYY-MM-DD or an ISO date-time [default: today]")
FULL_PHONES = Param("full_phones", ("--full-phones",), bool, False,
                    help="Full phone numbers instead of 138****5678 (supervisor; every order shown is written to the access log)")
UNSCANNED = (
    REPORT_FROM, REPORT_TO, Param("channel", ("--channel",), ChannelOrAll, ChannelOrAll("all"), help="线上/线下/全部"),
    params.REPORT_FORMAT, params.OUTPUT, params.EXCEL, FULL_PHONES, params.DB, params.CONFIG, params.OPERATOR,
)


@guarded
def unscanned(date_from: str | None, date_to: str | None, channel: Any, fmt: Any, output: Path | None, excel: bool,
              full_phones: bool, db: Path | None, config: Path | None, operator: str | None) -> None:
    """网点未揽收查询: orders accepted or pickup-confirmed with no pickup scan, oldest first,
    with the time left (or overdue) against the 16-hour pickup rule."""
    from stationdesk.services.unscanned import REPORT_COLUMNS, UnscannedQuery, unscanned_report

    # showing full phones writes to the access log: that opens the write path
    desk, who = (signed_in if full_phones else reading)(db, config, operator,
                                                        need=Permission.FULL_PHONES if full_phones else None)
    start, end = day_span(desk, date_from, date_to)
    query = UnscannedQuery(start, end, channel_filter(channel.value))
    rows = unscanned_report(desk, query, reveal_to=who if full_phones else None)
    n = emit(rows, REPORT_COLUMNS, fmt, output, excel=excel, sheet="网点未揽收")
    print_count(n, fmt, output, "unscanned")


VIOLATIONS = (REPORT_FROM, REPORT_TO, params.REPORT_FORMAT, params.OUTPUT, params.EXCEL, params.DB, params.CONFIG,
              params.OPERATOR)


@guarded
def violations(date_from: str | None, date_to: str | None, fmt: Any, output: Path | None, excel: bool,
               db: Path | None, config: Path | None, operator: str | None) -> None:
    """Violations per order and kind, with fines and appeals, for orders placed in the range (supervisor)."""
    from stationdesk.services.violation_report import REPORT_COLUMNS, violation_rows

    desk = reading(db, config, operator, need=Permission.VIOLATIONS)[0]
    first, last = day_dates(desk, date_from, date_to)
    n = emit(violation_rows(desk, first, last), REPORT_COLUMNS, fmt, output, excel=excel, sheet="违规明细")
    print_count(n, fmt, output, "violations")


NOTICE_COLUMNS = (("notice", "通知", 6), ("week", "周", 8), ("station", "网点", 8), ("issued_at", "发出时间", 25),
                  ("appeal_deadline", "申诉截止", 25), ("time_left", "剩余", 10), ("total_fine", "罚款合计(元)", 8),
                  ("logistics_no", "物流号", 12), ("kind", "违规类型", 16), ("fine", "罚款(元)", 8), ("state", "状态", 10))

NOTICES = (params.FORMAT, params.OUTPUT, params.EXCEL, params.DB, params.CONFIG, params.OPERATOR)


def _notice_rows(notices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per violation of each notice (a notice without violations keeps one row of its own)."""
    rows = []
    for n in notices:
        head = {"notice": n["id"], "week": n["week"], "station": n["station"], "issued_at": n["issued_at"],
                "appeal_deadline": n["appeal_deadline"], "time_left": n["time_left"], "total_fine": n["total_fine"]}
        rows += [{**head, **v} for v in n["violations"]] or [head]
    return rows


@guarded
def notices(fmt: Any, output: Path | None, excel: bool, db: Path | None, config: Path | None,
            operator: str | None) -> None:
    """处罚通知: the penalty notices head office sent this station, with the time left to appeal (supervisor).

    --format json prints each notice with its violations; table, jsonl and csv print one row per violation."""
    from stationdesk.services.notices import notice_list

    desk = reading(db, config, operator, need=Permission.VIOLATIONS)[0]
    rows = notice_list(desk)
    if value_of(fmt) == "json":
        write_document(rows, output)
        return
    if not rows and value_of(fmt) == "table" and output is None:
        echo("(没有处罚通知 / no notices)")
        return
    emit(_notice_rows(rows), NOTICE_COLUMNS, fmt, output, excel=excel, tz=desk.config.tz, sheet="处罚通知")


# Each light command: the words that name it, its body, its parameters (in the order help lists them).
LIGHT: dict[tuple[str, ...], tuple[Any, Sequence[Param]]] = {
    ("orders", "show"): (orders_show, SHOW), ("orders", "list"): (orders_list, LIST),
    ("alerts", "check"): (check, ALERTS), ("report", "unscanned"): (unscanned, UNSCANNED), ("notices",): (notices, NOTICES),
    ("report", "violations"): (violations, VIOLATIONS),
}


def run(argv: Sequence[str]) -> bool:
    """Run the light command ``argv`` names, when it is one and its line is plain and valid;
    False (having done nothing) for Typer to take the line."""
    if any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
        return False  # shell completion is Typer's
    for words, (body, spec) in LIGHT.items():
        if tuple(argv[:len(words)]) == words:
            values = params.parse(spec, argv[len(words):])
            if values is None:
                return False
            log_on_demand()
            body(**values)
            return True
    return False
