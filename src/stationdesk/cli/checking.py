"""`check`'s words: its help (what the quick check covers and leaves out) and the full check's
estimate, said before it starts."""

from __future__ import annotations

from pathlib import Path

import typer

HELP = """Integrity, consistency (every order change has its event and outbox op), the audit ledger and the audit chain.

The full check (for an admin; it says first how long it will take) runs SQLite's integrity_check, every
consistency rule, re-hashes the whole audit chain and replays every order's history against the ledger.

--quick (for cron; seconds on a million orders) runs SQLite's quick_check (every page read), the accounts'
chain, head office's last word, the totals that any change outside the app upsets (no event id missing, the
orders' versions adding up to the events, one outbox op per event), and from where the last check that found
nothing wrong got to (or, before any, the last 50,000 events): each new event re-hashed, the event at that
position re-hashed and still carrying its link, and every consistency rule and the ledger replay over the
orders touched since. It leaves out: the index-to-table cross-check of integrity_check; the foreign keys;
re-hashing events before that position (an old event edited in place alone); the rules and the ledger of
orders untouched since (named by the full check). Run the full check weekly. Exit 5 when anything is found (cli/exits.py)."""


def announce(path: Path, quick: bool) -> None:
    """Before a full check of a big file: how long it will take, and the quick alternative."""
    if quick or not path.is_file():
        return
    from stationdesk.services.check import estimate_seconds

    seconds = estimate_seconds(path)
    if seconds >= 10:
        size = path.stat().st_size / 2**30
        from stationdesk.cli import _say, _words

        typer.echo(_say(_words("cli.check_estimate", path=path, duration=_duration(seconds), size=size)), err=True)


def _duration(seconds: float) -> object:
    from stationdesk.domain.words import Words

    return Words("cli.minutes", n=seconds / 60) if seconds >= 90 else Words("cli.seconds", n=seconds)
