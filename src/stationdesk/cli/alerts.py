"""`stationdesk alerts`: the unaccepted-order alert for cron or another program's status bar.

`alerts check` applies the same rule as the desk's job, as a fresh desk would at this moment
(nothing acknowledged, nothing escalated yet), and exits 1 while orders wait for acceptance.
"""

from __future__ import annotations

import json
from typing import Any

import typer

from stationdesk.cli import ConfigOpt, DbOpt, FormatOpt, Refused, _open, guarded

alerts_app = typer.Typer(help="未接订单提醒 (unaccepted-order alert): what the desk would raise now.",
                         no_args_is_help=True)


@alerts_app.command("check")
@guarded
def check(db: DbOpt = None, config: ConfigOpt = None, fmt: FormatOpt = "table") -> None:
    """What the alert job would raise now (table or json); exit code 1 while orders wait."""
    from datetime import timedelta

    from stationdesk.alerts.reading import load_waiting
    from stationdesk.alerts.rule import TITLE, alert_for, counts_text, escalation_for, in_working_hours

    if fmt not in ("table", "json"):
        raise Refused(f"--format '{fmt}': expected table or json")
    desk = _open(db, config)
    cfg, now = desk.config, desk.now()
    hours, tz, warn = cfg.hours_for(desk.station.province), cfg.tz, cfg.alerts.warn_before_minutes
    waiting = load_waiting(desk.db, now, timedelta(minutes=warn))
    in_hours = in_working_hours(now, hours, tz)
    alert = alert_for(waiting, now, hours, tz, warn_minutes=warn, pending=False)
    escalation, _ = escalation_for(waiting, now, hours, tz, {})
    due = escalation.orders if escalation else ()
    urgent = waiting.most_urgent
    span = f"{hours[0]:%H:%M}-{hours[1]:%H:%M}"

    if fmt == "json":
        def order(o: Any) -> dict[str, Any]:
            return {"id": o.id, "logistics_no": o.ref, "accept_deadline": o.deadline.astimezone(tz).isoformat()}

        typer.echo(json.dumps({
            "at": now.astimezone(tz).isoformat(), "working_hours": span, "in_hours": in_hours,
            "waiting": waiting.waiting, "overdue": waiting.overdue, "due_soon": waiting.due_soon,
            "warn_before_minutes": warn, "alert": TITLE[0] if alert else None,
            "escalation": [order(o) for o in due], "most_urgent": order(urgent) if urgent else None,
        }, ensure_ascii=False))
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
        raise typer.Exit(1)
