"""电商订单 and 揽收扫描 on the command line: list, show and act on orders; record pickup scans."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Annotated, Any

import typer

from stationdesk.cli import light
from stationdesk.cli.choices import ReasonChoice
from stationdesk.cli.common import (
    ConfigOpt, DbOpt, ExcelOpt, ExitCode, Format, FormatOpt, OperatorOpt, OutputOpt, Refused, acting, guarded, opened,
    operator_name, phrase, print_count, print_outcome, say, typer_command,
)

orders_app = typer.Typer(help="电商订单: list, show and act on orders.", no_args_is_help=True)
scan_app = typer.Typer(help="揽收扫描: record pickup scans.", no_args_is_help=True)

# 电商订单查询 and 详细数据 are light commands (stationdesk.cli.light): they run before Typer loads.
orders_app.command("list")(typer_command(light.orders_list, light.LIST))
orders_app.command("show")(typer_command(light.orders_show, light.SHOW))


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

    operator_name(operator)  # no name is refused before anything else
    if bool(numbers) == all_waiting:
        raise Refused("opt.numbers_or_all")
    desk, who = acting(db, config, operator)
    keys: list[int | str] = list(numbers or [])
    if all_waiting:
        keys = list(accept.waiting_in_area_ids(desk))
        if not keys:
            typer.echo(say(phrase("cli.nothing_waiting")))
            return
    print_outcome(accept.accept(desk, keys, who))


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

    desk, who = acting(db, config, operator)
    print_outcome(fail_accept(desk, number, _reason(reason.value), note, who))


@orders_app.command("transfer")
@guarded
def orders_transfer(
    number: str,
    to: Annotated[str, typer.Option("--to", help="Station code, or the data center's code")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """转单 to another station or the data center."""
    from stationdesk.services.transfer import transfer

    desk, who = acting(db, config, operator)
    print_outcome(transfer(desk, number, to, who))


@orders_app.command("pickup")
@guarded
def orders_pickup(
    number: str,
    waybill: Annotated[str | None, typer.Option("--waybill", help="运单号 (required unless the order has one)")] = None,
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """揽件确认: the order is picked up, with its waybill number."""
    from stationdesk.services.pickup import confirm_pickup

    desk, who = acting(db, config, operator)
    print_outcome(confirm_pickup(desk, number, waybill, who))


@orders_app.command("fail-pickup")
@guarded
def orders_fail_pickup(number: str, reason: ReasonOpt, note: NoteOpt = None, db: DbOpt = None,
                       config: ConfigOpt = None, operator: OperatorOpt = None) -> None:
    """揽收失败 with a truthful cancellation reason."""
    from stationdesk.services.pickup import fail_pickup

    desk, who = acting(db, config, operator)
    print_outcome(fail_pickup(desk, number, _reason(reason.value), note, who))


@orders_app.command("cancel-handled")
@guarded
def orders_cancel_handled(number: str, db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None) -> None:
    """已做撤单处理: mark a cancelled order as handled."""
    from stationdesk.services.cancel import mark_cancel_handled

    desk, who = acting(db, config, operator)
    print_outcome(mark_cancel_handled(desk, number, who))


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

    operator_name(operator)  # no name is refused before anything else
    fields: dict[str, str] = {}
    for item in set_:
        key, sep, value = item.partition("=")
        if not sep:
            raise Refused("opt.set", option="--set", value=item)
        fields[key.strip()] = value
    desk, who = acting(db, config, operator)
    print_outcome(correct_info(desk, number, fields, who, reason))


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

    desk = opened(db, config)
    tz = desk.config.tz
    items = ({"logistics_no": r["logistics_no"], "duplicate_of": r["earlier_no"], "status": r["status"],
              "earlier_status": r["earlier_status"], "earlier_status_label": Status(r["earlier_status"]).label,
              "order_time": r["order_time"].astimezone(tz), "earlier_time": r["earlier_time"].astimezone(tz),
              "sender_phone": mask_phone(r["sender_phone"]), "detected_at": r["detected_at"].astimezone(tz),
              "advice": r["advice"]} for r in list_duplicates(desk))
    table = value_of(fmt) == "table"
    n = emit(items, DUPLICATE_TABLE if table else DUPLICATE_COLUMNS, fmt, output, excel=excel, tz=tz, sheet="重复下单")
    print_count(n, fmt, output, "flagged")


@orders_app.command("not-duplicate")
@guarded
def orders_not_duplicate(number: str, db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None) -> None:
    """Clear the 重复下单? flag: the customer really placed both orders."""
    from stationdesk.services.duplicates import clear_duplicate

    desk, who = acting(db, config, operator)
    print_outcome(clear_duplicate(desk, number, who))


@orders_app.command("fail-duplicate")
@guarded
def orders_fail_duplicate(number: str, note: NoteOpt = None, db: DbOpt = None, config: ConfigOpt = None,
                          operator: OperatorOpt = None) -> None:
    """接单失败 with reason 重复下单 for a flagged order (then tell the customer)."""
    from stationdesk.services.duplicates import fail_as_duplicate

    desk, who = acting(db, config, operator)
    print_outcome(fail_as_duplicate(desk, number, who, note))


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

    desk, who = acting(db, config, operator)
    print_outcome(record_exception(desk, number, parse_kind(kind), note, who))


@orders_app.command("exception-contacted")
@guarded
def orders_exception_contacted(number: str, note: NoteOpt = None, db: DbOpt = None, config: ConfigOpt = None,
                               operator: OperatorOpt = None) -> None:
    """The customer was told about the order's open logistics exception."""
    from stationdesk.services.logistics import mark_contacted

    desk, who = acting(db, config, operator)
    print_outcome(mark_contacted(desk, number, note, who))


@orders_app.command("exception-resolved")
@guarded
def orders_exception_resolved(
    number: str,
    outcome: Annotated[str, typer.Option("--outcome", help="What came of it, e.g. 已找回并送达 / 已赔付 (required)")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """Close the order's open logistics exception with its outcome."""
    from stationdesk.services.logistics import resolve_exception

    desk, who = acting(db, config, operator)
    print_outcome(resolve_exception(desk, number, outcome, who))


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

    desk = opened(db, config)
    tz = desk.config.tz
    items = ({"logistics_no": r["logistics_no"], "kind": r["kind"], "kind_label": label(r["kind"]), "note": r["note"],
              "recorded_at": r["recorded_at"].astimezone(tz), "age_minutes": int(r["age"].total_seconds() // 60),
              "age": format_time_left(timedelta(minutes=int(r["age"].total_seconds() // 60)), hours=True),
              "contacted": r["contacted"], "contacted_label": "已联系客户" if r["contacted"] else "未联系客户"}
             for r in open_exceptions(desk))
    table = value_of(fmt) == "table"
    n = emit(items, EXCEPTION_TABLE if table else EXCEPTION_COLUMNS, fmt, output, excel=excel, tz=tz, sheet="物流异常")
    print_count(n, fmt, output, "open")


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

    desk, who = acting(db, config, operator)
    print_outcome(record_complaint(desk, number, parse_channel(channel), parse_category(category), note, who))


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

    desk = opened(db, config)
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
    print_count(n, fmt, output, "open")


@orders_app.command("close-complaint")
@guarded
def orders_close_complaint(
    complaint: Annotated[int, typer.Argument(help="The complaint number (#) from `orders complaints`")],
    confirmation: Annotated[str, typer.Option("--confirmation", help="The customer's confirmation (required)")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """Close a complaint with the customer's confirmation."""
    from stationdesk.services.complaints import close_complaint

    desk, who = acting(db, config, operator)
    print_outcome(close_complaint(desk, complaint, confirmation, who))


# ---------------------------------------------------------------- scans


@scan_app.command("pickup")
@guarded
def scan_pickup(
    waybills: Annotated[list[str], typer.Argument(help="Waybill numbers, or - to read one per line from stdin")],
    db: DbOpt = None, config: ConfigOpt = None, operator: OperatorOpt = None,
) -> None:
    """揽收扫描: each scan is recorded at once; refused scans are listed on stderr."""
    from stationdesk.domain.text import clean_text
    from stationdesk.services.pickup import record_scan

    desk, who = acting(db, config, operator)
    source: Any = (line.strip() for line in sys.stdin) if waybills == ["-"] else iter(waybills)
    ok = refused = 0
    for number in source:
        if not number:
            continue
        result = record_scan(desk, number, who)
        if result.accepted:
            ok += 1
            typer.echo(clean_text(say(result.message)))
        else:
            refused += 1
            typer.echo(clean_text(say(phrase("cli.scan_refused", what=result.message))), err=True)
    typer.echo(say(phrase("cli.scan_counts", ok=ok, refused=refused)), err=True)
    if refused:
        raise typer.Exit(ExitCode.PARTIAL if ok else ExitCode.REFUSED)
