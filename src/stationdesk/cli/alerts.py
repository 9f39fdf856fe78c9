"""`stationdesk alerts`: the unaccepted-order alert for cron or another program's status bar.

`alerts check` applies the same rule as the desk's job, as a fresh desk would at this moment
(nothing acknowledged, nothing escalated yet), and exits 3 (ExitCode.ORDERS_WAITING) while orders
wait for acceptance, so a cron line can tell waiting orders from a broken setup (1).
"""

from __future__ import annotations

import json
from typing import Any

import typer

from stationdesk.cli.common import ConfigOpt, DbOpt, ExcelOpt, ExitCode, Format, FormatOpt, OutputOpt, reading, guarded

alerts_app = typer.Typer(help="未接订单提醒 (unaccepted-order alert): what the desk would raise now.",
                         no_args_is_help=True)


@alerts_app.command("check")
@guarded
def check(db: DbOpt = None, config: ConfigOpt = None, fmt: FormatOpt = Format.table, output: OutputOpt = None,
          excel: ExcelOpt = False) -> None:
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
        "escalation": [order(o) for o in due], "most_urgent": order(urgent) if urgent else None,
    }
    from stationdesk.logs import log_event

    log_event("alerts", f"alerts check: {waiting.waiting} waiting, {waiting.overdue} overdue, "
              f"{waiting.due_soon} due soon{', alert' if alert else ''}")
    if fmt in (Format.json, Format.jsonl) and output is None:
        typer.echo(json.dumps(state, ensure_ascii=False))
    elif fmt != Format.table:
        from stationdesk.cli.formats import emit

        row = {**state, "at": now.astimezone(tz), "escalation": len(due),
               "most_urgent": urgent.ref if urgent else None,
               "most_urgent_deadline": urgent.deadline.astimezone(tz) if urgent else None}
        columns = [("at", "时间", 19), ("working_hours", "工作时间", 11), ("in_hours", "工作时间内", 6),
                   ("waiting", "等待接单", 6), ("overdue", "已超时", 6), ("due_soon", "即将超时", 6),
                   ("warn_before_minutes", "提前提醒分钟", 6), ("alert", "提醒", 20), ("escalation", "即将超时单数", 6),
                   ("most_urgent", "最紧急", 18), ("most_urgent_deadline", "接单时限", 19)]
        emit([row], columns, fmt, output, excel=excel, tz=tz, sheet="未接订单提醒")
    elif not waiting.waiting:
        typer.echo("没有等待接单的订单 (no order waits for acceptance)")
    else:
        typer.echo(f"{counts_text(waiting.waiting, waiting.overdue, waiting.due_soon, warn, 'zh')} "
                   f"({counts_text(waiting.waiting, waiting.overdue, waiting.due_soon, warn, 'en')})")
        if alert:
            typer.echo(f"{TITLE[0]} ({TITLE[1]})")
        if not in_hours:
            typer.echo(f"非工作时间 {span}, 不提醒 (outside working hours {span}: no alert)")
        if escalation:
            typer.echo(f"{escalation.title('zh')} ({escalation.title('en')}): {escalation.text(now, tz, 'zh')}")
        if urgent:
            typer.echo(f"最紧急 (most urgent): {urgent.ref} 接单时限 (accept by) {urgent.deadline.astimezone(tz):%m-%d %H:%M}")
    if waiting.waiting:
        raise typer.Exit(ExitCode.ORDERS_WAITING)
