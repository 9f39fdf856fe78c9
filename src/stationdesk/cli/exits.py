"""The exit codes of every `stationdesk` command: one table, for cron jobs and scripts.

A command that finds nothing wrong exits 0. The other codes say what kind of answer it was,
so a script can tell "orders are waiting" from "the config file is broken" without reading
the message. The README repeats this table (a test keeps the two equal).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    REFUSED = 1
    USAGE = 2
    ORDERS_WAITING = 3
    PARTIAL = 4
    DAMAGE = 5
    INTERRUPTED = 130
    OUTPUT_CLOSED = 141


MEANING: dict[ExitCode, str] = {
    ExitCode.OK: "done, or nothing to report",
    ExitCode.REFUSED: "refused: a rule, a permission, a bad file or path, a bad config; nothing was changed",
    ExitCode.USAGE: "the command line is wrong: unknown option, missing argument, a value not among the choices",
    ExitCode.ORDERS_WAITING: "`alerts check`: orders are waiting for acceptance",
    ExitCode.PARTIAL: "`import`, `scan pickup`: some rows or scans were taken, others refused (listed on stderr)",
    ExitCode.DAMAGE: "`check`, `audit verify`: the database is damaged or its audit chain is broken",
    ExitCode.INTERRUPTED: "stopped with Ctrl+C",
    ExitCode.OUTPUT_CLOSED: "the program reading the output stopped early (`| head`): the rest was not written, and nothing is said",
}


def table() -> list[tuple[int, str, str]]:
    """(code, name, meaning) for every exit code, as the README shows them."""
    return [(int(c), c.name.lower().replace("_", "-"), MEANING[c]) for c in ExitCode]
