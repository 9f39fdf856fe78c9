"""`stationdesk alerts`: the unaccepted-order alert for cron or another program's status bar.

`alerts check` applies the same rule as the desk's job, as a fresh desk would at this moment
(nothing acknowledged, nothing escalated yet), and exits 3 (ExitCode.ORDERS_WAITING) while orders
wait for acceptance, so a cron line can tell waiting orders from a broken setup (1).
"""

from __future__ import annotations

import typer

from stationdesk.cli import light
from stationdesk.cli.common import typer_command

alerts_app = typer.Typer(help="未接订单提醒 (unaccepted-order alert): what the desk would raise now.",
                         no_args_is_help=True)


# `alerts check` is a light command (stationdesk.cli.light): it runs before Typer loads.
alerts_app.command("check")(typer_command(light.check, light.ALERTS))
