"""`stationdesk tui` before Typer is imported: the desk's plain line (--db, --config, --operator)
read with the shared parameters (stationdesk.cli.params), so the first paint does not wait for
Typer, click and the command modules. Help, a wrong line and completion go to Typer, which builds
the same command (stationdesk.cli.desk.tui) from the same parameters."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from stationdesk.cli import params
from stationdesk.cli.base import Refused, guarded

TUI = (params.DB, params.CONFIG, params.OPERATOR)


def run(argv: Sequence[str]) -> bool:
    """Open the desk when ``argv`` is a plain `tui` line; False (having done nothing) for Typer."""
    if not argv or argv[0] != "tui" or any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
        return False
    values = params.parse(TUI, argv[1:])
    if values is None:
        return False
    from stationdesk.logs import setup_logging

    setup_logging()
    # What the start builds (Textual, the screen, the store) lives as long as the desk: collecting
    # it on the way is wasted time before the first paint. The app freezes it and turns the
    # collector back on once the first screen is drawn (StationDeskApp.settle_memory).
    gc.disable()
    try:
        tui(**values)
    finally:
        gc.enable()
    return True


@guarded
def tui(db: Path | None = None, config: Path | None = None, operator: str | None = None) -> None:
    """Open the desk (full-screen) on a station database."""
    run_desk(db, config, operator or os.environ.get("USER") or "clerk")


def run_desk(db: Path | None, config: Path | None, operator: str) -> None:
    """The desk on ``db``; with accounts it opens on its log-in screen and ``operator`` is unused."""
    served = os.environ.get("STATIONDESK_SERVED") == "1" and "TEXTUAL_DRIVER" in os.environ  # a browser tab
    if not served and (not sys.stdout.isatty() or not sys.stdin.isatty()):
        raise Refused("opt.no_tty")
    from stationdesk.tui.start import run  # Textual loads only for the screen, SQLAlchemy after its first paint

    run(db, config, operator)
