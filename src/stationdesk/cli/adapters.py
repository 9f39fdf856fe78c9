"""What a command hands the bootstrap besides paths: the password hasher.

People get argon2 at full cost (the bootstrap's own choice when none is handed in). A caller that
runs a command in its own process, as the tests do through click's CliRunner, may hand a cheaper
Argon2Hasher as click's context object: ``CliRunner().invoke(app, args, obj=hasher)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stationdesk.services.passwords import Argon2Hasher


def password_hasher() -> Argon2Hasher | None:
    """The hasher the running command was handed, or None for the bootstrap's full-cost one. A
    light command runs before click is imported: nobody can have handed it one, and it loads none."""
    import sys

    click = sys.modules.get("click")
    if click is None:
        return None
    from stationdesk.services.passwords import Argon2Hasher

    ctx = click.get_current_context(silent=True)
    return ctx.find_object(Argon2Hasher) if ctx is not None else None
