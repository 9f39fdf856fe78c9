"""电商订单 and 揽收扫描 on the command line: list, show and act on orders; record pickup scans."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from enum import Enum
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from stationdesk.cli import (
    ConfigOpt, DbOpt, ExcelOpt, ExitCode, Format, FormatOpt, OperatorOpt, OutputOpt, Refused, _acting, _check_format,
    _done, _open, _operator, _parse_when, _reading, guarded,
)

if TYPE_CHECKING:
    from stationdesk.services.context import Desk
    from stationdesk.store.values import OrderFilter

class CancelFilter(str, Enum):
    """Query way 1's cancellation filter (撤单处理)."""

    all = "all"
    unhandled = "unhandled"
    handled = "handled"


from stationdesk.cli.choices import BusinessTypeChoice, ChannelChoice, ReasonChoice, StatusChoice  # noqa: E402 - after the filters above, as the groups share them

orders_app = typer.Typer(help="电商订单: list, show and act on orders.", no_args_is_help=True)
scan_app = typer.Typer(help="揽收扫描: record pickup scans.", no_args_is_help=True)

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
            raise Refused(f"--status '{s}': expected one of {', '.join(x.value for x in Status)}")
        statuses.append(match.value)
    if cancel not in ("all", "unhandled", "handled"):
        raise Refused(f"--cancel '{cancel}': expected all, unhandled (未做撤单处理) or handled (已做撤单处理)")
    try:
        ch = parse_channel(channel).value if channel else None
        bt = parse_business_type(business_type).value if business_type else None
    except InvalidInput as exc:
        raise Refused(f"--channel/--business-type: {exc}") from None
    return OrderFilter(
        start=_parse_when(date_from, tz, end=False) if date_from else None,
        end=_parse_when(date_to, tz, end=True) if date_to else None,
        statuses=tuple(statuses), cancel=cancel, source=source, channel=ch, business_type=bt,  # type: ignore[arg-type]  # statuses, channel and type were parsed to their codes just above
        out_of_area=out_of_area,
    )


def _summaries(desk: Desk, rows: Any) -> Iterator[dict[str, Any]]:
    from stationdesk.domain.fields import BusinessType
    from stationdesk.domain.sources import source_remark
    from stationdesk.services.views import order_summary

    now, tz = desk.now(), desk.config.tz
    for row in rows:
        s = order_summary(row, now, tz)
        s["business_type_label"] = BusinessType(s["business_type"]).label
        s["order_time_short"] = s["order_time"][:16].replace("T", " ")
        s["area"] = f"超区→{s['suggested_station'] or ''}" if s["out_of_area"] else ""
        s["duplicate_of"] = row.get("duplicate_of") if hasattr(row, "get") else None
        s["awaiting_waybill"] = row["status"] == "picked_up" and not row["waybill_no"]
        s["remark"] = source_remark(row["source"], row["logistics_no"])
        yield s


# Every field of an order summary, with the heading a spreadsheet shows (CSV for Excel, XLSX).
EXPORT_HEADINGS = {
    "logistics_no": "物流号", "waybill_no": "运单号", "source": "数据来源", "channel": "线上/线下",
    "business_type": "业务类型", "status": "状态代码", "status_label": "状态", "order_time": "下单时间",
    "station": "网点", "out_of_area": "超区", "suggested_station": "应属网点", "cancelled": "撤单",
    "cancel_handled": "已做撤单处理", "accept_deadline": "接单时限", "pickup_deadline": "揽收时限",
    "sender_name": "寄件人", "sender_phone": "电话", "sender_district": "区县", "sender_address": "地址",
    "violations": "违规", "duplicate_of": "重复下单?", "awaiting_waybill": "待补运单号", "remark": "备注",
}
EXTRA_FIELDS = ("duplicate_of", "awaiting_waybill", "remark")  # beside the summary in every listing
_TIME_FIELDS = ("order_time", "accept_deadline", "pickup_deadline")


def _export_columns() -> list[tuple[str, str, int]]:
    from stationdesk.services.views import SUMMARY_FIELDS

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
    from stationdesk.cli.formats import emit, value_of

    items = _summaries(desk, _with_links(conn, rows) if conn is not None else rows)
    if value_of(fmt) == "table":
        return emit(items, LIST_COLUMNS, fmt, output, tz=desk.config.tz)
    return emit((_typed(s) for s in items), _export_columns(), fmt, output, excel=excel, tz=desk.config.tz,
                sheet="电商订单")




@orders_app.command("list")
@guarded
def orders_list(
    date_from: Annotated[str | None, typer.Option("--from", help="Order date from: YYYY-MM-DD (station time) or ISO")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Order date to, inclusive")] = None,
    status: Annotated[list[StatusChoice] | None, typer.Option("--status", help="Status (repeatable)")] = None,
    cancel: Annotated[CancelFilter, typer.Option("--cancel", help="unhandled: 未做撤单处理, handled: 已做撤单处理")] = CancelFilter.all,
    source: Annotated[str | None, typer.Option("--source", help="数据来源: a name (淘宝) or its code (LP, KD, wx, IS, CT_H_, ali)")] = None,
    channel: Annotated[ChannelChoice | None, typer.Option("--channel", help="线上/线下")] = None,
    business_type: Annotated[BusinessTypeChoice | None, typer.Option("--business-type", help="业务类型")] = None,
    out_of_area: Annotated[bool | None, typer.Option("--out-of-area/--in-area", help="Only orders outside / inside the area")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Stop after N orders (default: all)")] = None,
    awaiting_waybill: Annotated[bool, typer.Option("--awaiting-waybill", help="Picked up without a waybill number (在线下单): waiting for the customer's number")] = False,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    excel: ExcelOpt = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """电商订单查询 by date range and filters; every match is printed, streamed."""
    from stationdesk.store import reads

    _check_format(fmt)
    desk = _reading(db, config)[0]
    flt = _filter(desk, date_from=date_from, date_to=date_to, status=[s.value for s in status or []],
                  cancel=cancel.value, source=source, channel=channel.value if channel else None,
                  business_type=business_type.value if business_type else None, out_of_area=out_of_area)
    if awaiting_waybill:
        flt = flt.with_(awaiting_waybill=True)
    with desk.db.read() as conn:
        n = _emit(desk, reads.stream(conn, flt, limit), fmt, output, excel, conn)
    if fmt == Format.table or output is not None:
        typer.echo(f"({n} orders{f' -> {output}' if output else ''})", err=True)


@orders_app.command("show")
@guarded
def orders_show(
    number: Annotated[str, typer.Argument(help="Logistics number (物流号) or waybill number (运单号)")],
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """详细数据: one order with its deadlines, violations and full history (phone masked)."""
    import json

    from stationdesk.services.lookup import find
    from stationdesk.services.views import history_entry, violation_json
    from stationdesk.store import reads

    _check_format(fmt)
    desk = _reading(db, config)[0]
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
        from stationdesk.services.views import SUMMARY_FIELDS

        extra = {k: summary[k] for k in EXTRA_FIELDS}
        typer.echo(json.dumps({**{k: summary[k] for k in SUMMARY_FIELDS}, **extra, "history": history},
                              ensure_ascii=False, indent=2 if fmt == Format.json else None))
        return
    if fmt == Format.csv:
        _emit(desk, [row], fmt)
        return
    from stationdesk.domain.text import clean_text

    for key, value in summary.items():
        if key in ("violations",):
            value = ", ".join(f"{v['kind']} {v['fine']}元 {v['state']} ({v['station']})" for v in value) or "-"
        typer.echo(f"{key:20} {clean_text(str(value)) if value is not None else '-'}")
    typer.echo("history:")
    for h in history:
        typer.echo(f"  {h['at']}  {clean_text(h['operator'])}  {h['action']}  {h['before'] or '-'} -> {h['after']}")


@orders_app.command("accept")
@guarded
def orders_accept(
    numbers: Annotated[list[str] | None, typer.Argument(help="Orders to accept (批量接单: all or none)")] = None,
    all_waiting: Annotated[bool, typer.Option("--all-waiting", help="Every waiting order in this station's area")] = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
    operator: OperatorOpt = None,
) -> None:
    """网点接单: accept one order or a selection, all in one transaction."""
    from stationdesk.services import accept

    _operator(operator)  # no name is refused before anything else
    if bool(numbers) == all_waiting:
        raise Refused("give order numbers or --all-waiting (not both)")
    desk, who = _acting(db, config, operator)
    keys: list[int | str] = list(numbers or [])
    if all_waiting:
        keys = list(accept.waiting_in_area_ids(desk))
        if not keys:
            typer.echo("没有等待接单的订单 (nothing waiting)")
            return
    _done(accept.accept(desk, keys, who))


def _reason(code: str) -> Any:
    from stationdesk.domain.reasons import parse_reason

    return parse_reason(code)


ReasonOpt = Annotated[ReasonChoice, typer.Option("--reason", help="A truthful reason (code or 中文)")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="Explanation (required for 'other')")]


@orders_app.command("fail-accept")
@guarded
def orders_fail_accept(number: str, reason: ReasonOpt, note: NoteOpt = None, db: DbOpt = None,
                       config: ConfigOpt = None, operator: OperatorOpt = None) -> None:
    """接单失败 with a truthful reason."""
    from stationdesk.services.accept import fail_accept

    desk, who = _acting(db, config, operator)
    _done(fail_accept(desk, number, _reason(reason.value), note, who))


@orders_app.command("transfer")
@guarded
def orders_transfer(
    number: str,
    to: Annotated[str, typer.Option("--to", help="Station code, or the data center's code")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """转单 to another station or the data center."""
    from stationdesk.services.transfer import transfer

    desk, who = _acting(db, config, operator)
    _done(transfer(desk, number, to, who))


@orders_app.command("pickup")
@guarded
def orders_pickup(
    number: str,
    waybill: Annotated[str | None, typer.Option("--waybill", help="运单号 (required unless the order has one)")] = None,
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """揽件确认: the order is picked up, with its waybill number."""
    from stationdesk.services.pickup import confirm_pickup

    desk, who = _acting(db, config, operator)
    _done(confirm_pickup(desk, number, waybill, who))


@orders_app.command("fail-pickup")
@guarded
def orders_fail_pickup(number: str, reason: ReasonOpt, note: NoteOpt = None, db: DbOpt = None,
                       config: ConfigOpt = None, operator: OperatorOpt = None) -> None:
    """揽收失败 with a truthful cancellation reason."""
    from stationdesk.services.pickup import fail_pickup

    desk, who = _acting(db, config, operator)
    _done(fail_pickup(desk, number, _reason(reason.value), note, who))


@orders_app.command("cancel-handled")
@guarded
def orders_cancel_handled(number: str, db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None) -> None:
    """已做撤单处理: mark a cancelled order as handled."""
    from stationdesk.services.cancel import mark_cancel_handled

    desk, who = _acting(db, config, operator)
    _done(mark_cancel_handled(desk, number, who))


@orders_app.command("correct")
@guarded
def orders_correct(
    number: str,
    set_: Annotated[list[str], typer.Option("--set", help="field=value, e.g. sender_phone=13800001111 (repeatable)")],
    reason: Annotated[str | None, typer.Option("--why", help="Why the details changed, e.g. 客户来电更正地址")] = None,
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """更正客户信息: record corrected customer details (address, phone, name, ...)."""
    from stationdesk.services.correct import correct_info

    _operator(operator)  # no name is refused before anything else
    fields: dict[str, str] = {}
    for item in set_:
        key, sep, value = item.partition("=")
        if not sep:
            raise Refused(f"--set '{item}': expected field=value")
        fields[key.strip()] = value
    desk, who = _acting(db, config, operator)
    _done(correct_info(desk, number, fields, who, reason))


DUPLICATE_COLUMNS = (
    ("logistics_no", "物流号", 18), ("duplicate_of", "重复下单? 同", 18), ("status", "状态", 10),
    ("earlier_status", "前单状态", 10), ("order_time", "下单时间", 16), ("earlier_time", "前单下单时间", 16),
    ("sender_phone", "电话", 11), ("detected_at", "标记时间", 16), ("advice", "处理建议", 30),
)
DUPLICATE_TABLE = (
    ("logistics_no", "物流号", 18), ("duplicate_of", "重复下单? 同", 18), ("earlier_time", "前单下单时间", 16),
    ("earlier_status_label", "前单状态", 8), ("sender_phone", "电话", 11), ("advice", "处理建议", 30),
)


@orders_app.command("duplicates")
@guarded
def orders_duplicates(fmt: FormatOpt = Format.table, output: OutputOpt = None, excel: ExcelOpt = False,
                      db: DbOpt = None, config: ConfigOpt = None) -> None:
    """重复下单?: orders flagged as a likely second submission, with the earlier order and what to do."""
    from stationdesk.cli.formats import emit, value_of
    from stationdesk.domain.masking import mask_phone
    from stationdesk.domain.statuses import Status
    from stationdesk.services.duplicates import list_duplicates

    desk = _open(db, config)
    tz = desk.config.tz
    items = ({"logistics_no": r["logistics_no"], "duplicate_of": r["earlier_no"], "status": r["status"],
              "earlier_status": r["earlier_status"], "earlier_status_label": Status(r["earlier_status"]).label,
              "order_time": r["order_time"].astimezone(tz), "earlier_time": r["earlier_time"].astimezone(tz),
              "sender_phone": mask_phone(r["sender_phone"]), "detected_at": r["detected_at"].astimezone(tz),
              "advice": r["advice"]} for r in list_duplicates(desk))
    table = value_of(fmt) == "table"
    n = emit(items, DUPLICATE_TABLE if table else DUPLICATE_COLUMNS, fmt, output, excel=excel, tz=tz, sheet="重复下单")
    if table or output is not None:
        typer.echo(f"({n} flagged{f' -> {output}' if output else ''})", err=True)


@orders_app.command("not-duplicate")
@guarded
def orders_not_duplicate(number: str, db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None) -> None:
    """Clear the 重复下单? flag: the customer really placed both orders."""
    from stationdesk.services.duplicates import clear_duplicate

    desk, who = _acting(db, config, operator)
    _done(clear_duplicate(desk, number, who))


@orders_app.command("fail-duplicate")
@guarded
def orders_fail_duplicate(number: str, note: NoteOpt = None, db: DbOpt = None, config: ConfigOpt = None,
                          operator: OperatorOpt = None) -> None:
    """接单失败 with reason 重复下单 for a flagged order (then tell the customer)."""
    from stationdesk.services.duplicates import fail_as_duplicate

    desk, who = _acting(db, config, operator)
    _done(fail_as_duplicate(desk, number, who, note))


@orders_app.command("exception")
@guarded
def orders_exception(
    number: str,
    kind: Annotated[str, typer.Option("--kind", help="lost (丢失), damaged (破损) or delayed (延误)")],
    note: Annotated[str, typer.Option("--note", help="The cause, as known (required)")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """物流异常: record a lost, damaged or delayed parcel with its cause."""
    from stationdesk.domain.exceptions import parse_kind
    from stationdesk.services.logistics import record_exception

    desk, who = _acting(db, config, operator)
    _done(record_exception(desk, number, parse_kind(kind), note, who))


@orders_app.command("exception-contacted")
@guarded
def orders_exception_contacted(number: str, note: NoteOpt = None, db: DbOpt = None, config: ConfigOpt = None,
                               operator: OperatorOpt = None) -> None:
    """The customer was told about the order's open logistics exception."""
    from stationdesk.services.logistics import mark_contacted

    desk, who = _acting(db, config, operator)
    _done(mark_contacted(desk, number, note, who))


@orders_app.command("exception-resolved")
@guarded
def orders_exception_resolved(
    number: str,
    outcome: Annotated[str, typer.Option("--outcome", help="What came of it, e.g. 已找回并送达 / 已赔付 (required)")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """Close the order's open logistics exception with its outcome."""
    from stationdesk.services.logistics import resolve_exception

    desk, who = _acting(db, config, operator)
    _done(resolve_exception(desk, number, outcome, who))


EXCEPTION_COLUMNS = (
    ("logistics_no", "物流号", 18), ("kind", "类型代码", 8), ("kind_label", "异常类型", 8), ("note", "原因", 30),
    ("recorded_at", "登记时间", 16), ("age_minutes", "已过分钟", 8), ("contacted", "已联系客户", 10),
)
EXCEPTION_TABLE = (
    ("logistics_no", "物流号", 18), ("kind_label", "异常类型", 8), ("age", "已过", 12),
    ("contacted_label", "联系客户", 10), ("note", "原因", 30),
)


@orders_app.command("exceptions")
@guarded
def orders_exceptions(fmt: FormatOpt = Format.table, output: OutputOpt = None, excel: ExcelOpt = False,
                      db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Open logistics exceptions, oldest first, with their age and whether the customer was contacted."""
    from stationdesk.cli.formats import emit, value_of
    from stationdesk.domain.exceptions import label
    from stationdesk.domain.sla import format_time_left
    from stationdesk.services.logistics import open_exceptions

    desk = _open(db, config)
    tz = desk.config.tz
    items = ({"logistics_no": r["logistics_no"], "kind": r["kind"], "kind_label": label(r["kind"]), "note": r["note"],
              "recorded_at": r["recorded_at"].astimezone(tz), "age_minutes": int(r["age"].total_seconds() // 60),
              "age": format_time_left(timedelta(minutes=int(r["age"].total_seconds() // 60)), hours=True),
              "contacted": r["contacted"], "contacted_label": "已联系客户" if r["contacted"] else "未联系客户"}
             for r in open_exceptions(desk))
    table = value_of(fmt) == "table"
    n = emit(items, EXCEPTION_TABLE if table else EXCEPTION_COLUMNS, fmt, output, excel=excel, tz=tz, sheet="物流异常")
    if table or output is not None:
        typer.echo(f"({n} open{f' -> {output}' if output else ''})", err=True)


@orders_app.command("complain")
@guarded
def orders_complain(
    number: str,
    channel: Annotated[str, typer.Option("--channel", help="phone (电话), online (网上), wechat (微信), visit (到店)")],
    category: Annotated[str, typer.Option("--category", help="logistics (物流), service (服务), quality (质量)")],
    note: Annotated[str, typer.Option("--note", help="What the customer complains about (required)")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """客户投诉: record a complaint against an order; it must be closed within 48 hours."""
    from stationdesk.domain.exceptions import parse_category, parse_channel
    from stationdesk.services.complaints import record_complaint

    desk, who = _acting(db, config, operator)
    _done(record_complaint(desk, number, parse_channel(channel), parse_category(category), note, who))


COMPLAINT_COLUMNS = (
    ("id", "编号", 6), ("logistics_no", "物流号", 18), ("channel", "渠道代码", 8), ("channel_label", "投诉渠道", 8),
    ("category", "类别代码", 10), ("category_label", "投诉类别", 8), ("note", "投诉内容", 30),
    ("deadline", "关闭时限", 16), ("minutes_left", "剩余分钟", 8), ("state", "状态代码", 8), ("state_label", "状态", 8),
)
COMPLAINT_TABLE = (
    ("number", "#", 6), ("logistics_no", "物流号", 18), ("kind", "类别/渠道", 12), ("left", "剩余", 12),
    ("state_label", "状态", 8), ("note", "投诉内容", 30),
)


@orders_app.command("complaints")
@guarded
def orders_complaints(fmt: FormatOpt = Format.table, output: OutputOpt = None, excel: ExcelOpt = False,
                      db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Open complaints, nearest deadline first, with the time left of their 48 hours."""
    from stationdesk.cli.formats import emit, value_of
    from stationdesk.domain.exceptions import STATE_LABELS, label
    from stationdesk.domain.sla import format_time_left
    from stationdesk.services.complaints import open_complaints

    desk = _open(db, config)
    tz = desk.config.tz

    def item(r: Any) -> dict[str, Any]:
        minutes = int(r["left"].total_seconds() // 60)
        return {"id": r["id"], "number": f"#{r['id']}", "logistics_no": r["logistics_no"], "channel": r["channel"],
                "channel_label": label(r["channel"]), "category": r["category"], "category_label": label(r["category"]),
                "kind": f"{label(r['category'])}/{label(r['channel'])}", "note": r["note"],
                "deadline": r["deadline"].astimezone(tz), "minutes_left": minutes,
                "left": format_time_left(timedelta(minutes=minutes), hours=True),
                "state": r["state"], "state_label": STATE_LABELS[r["state"]][0]}

    table = value_of(fmt) == "table"
    n = emit((item(r) for r in open_complaints(desk)), COMPLAINT_TABLE if table else COMPLAINT_COLUMNS, fmt, output,
             excel=excel, tz=tz, sheet="客户投诉")
    if table or output is not None:
        typer.echo(f"({n} open{f' -> {output}' if output else ''})", err=True)


@orders_app.command("close-complaint")
@guarded
def orders_close_complaint(
    complaint: Annotated[int, typer.Argument(help="The complaint number (#) from `orders complaints`")],
    confirmation: Annotated[str, typer.Option("--confirmation", help="The customer's confirmation (required)")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """Close a complaint with the customer's confirmation."""
    from stationdesk.services.complaints import close_complaint

    desk, who = _acting(db, config, operator)
    _done(close_complaint(desk, complaint, confirmation, who))


# ---------------------------------------------------------------- scans


@scan_app.command("pickup")
@guarded
def scan_pickup(
    waybills: Annotated[list[str], typer.Argument(help="Waybill numbers, or - to read one per line from stdin")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """揽收扫描: each scan is recorded at once; refused scans are listed on stderr."""
    from stationdesk.cli import _say, _words
    from stationdesk.domain.text import clean_text
    from stationdesk.services.pickup import record_scan

    desk, who = _acting(db, config, operator)
    source: Any = (line.strip() for line in sys.stdin) if waybills == ["-"] else iter(waybills)
    ok = refused = 0
    for number in source:
        if not number:
            continue
        result = record_scan(desk, number, who)
        if result.accepted:
            ok += 1
            typer.echo(clean_text(_say(result.message)))
        else:
            refused += 1
            typer.echo(clean_text(_say(_words("cli.scan_refused", what=result.message))), err=True)
    typer.echo(_say(_words("cli.scan_counts", ok=ok, refused=refused)), err=True)
    if refused:
        raise typer.Exit(ExitCode.PARTIAL if ok else ExitCode.REFUSED)
