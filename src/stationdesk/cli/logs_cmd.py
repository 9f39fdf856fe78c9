"""`stationdesk logs`: the log file an admin reads after a failed night sync or a crash; and
`stationdesk config samples`: the shipped sample feeds, to try an import."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from stationdesk.cli.common import Refused, guarded

FOLLOW_POLL_SECONDS = 0.5


@guarded
def logs(
    lines: Annotated[int, typer.Option("--lines", "-n", min=0, help="How many of the last lines to print")] = 50,
    follow: Annotated[bool, typer.Option("--follow", "-F", help="Keep printing new lines as they are written (Ctrl+C stops)")] = False,
    path_only: Annotated[bool, typer.Option("--path", help="Only print where the log file is")] = False,
) -> None:
    """The log: one line per sync, alert check, backup, import and refusal; phones masked, no passwords."""
    from collections import deque

    from stationdesk.logs import log_path

    path = log_path()
    if path_only:
        typer.echo(str(path))
        return
    if not path.exists():
        from stationdesk.cli.common import phrase, say

        typer.echo(say(phrase("cli.no_log", path=path)), err=True)
        if not follow:
            return
    position = 0
    if path.exists():
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in deque(fh, maxlen=lines) if lines else ():
                typer.echo(line.rstrip("\n"))
            position = fh.tell()
    if not follow:
        return
    try:
        while True:  # a rotated file starts again from its beginning
            if path.exists():
                size = path.stat().st_size
                if size < position:
                    position = 0
                if size > position:
                    with path.open(encoding="utf-8", errors="replace") as fh:
                        fh.seek(position)
                        for line in fh:
                            typer.echo(line.rstrip("\n"))
                        position = fh.tell()
            time.sleep(FOLLOW_POLL_SECONDS)
    except KeyboardInterrupt:
        return


@guarded
def samples(
    folder: Annotated[Path, typer.Argument(help="Where to write the sample feeds")] = Path("."),
) -> None:
    """Write the sample order feeds shipped with stationdesk (CSV, GB18030 CSV, JSON Lines) to FOLDER."""
    from stationdesk.config import shipped_samples

    if not folder.is_dir():
        raise Refused("err.no_folder", path=folder)
    for name, data in shipped_samples().items():
        target = folder / name
        target.write_bytes(data)
        typer.echo(str(target))
