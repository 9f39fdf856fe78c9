"""`stationdesk serve`: the desk in a browser (textual-serve), for a supervisor in the back office.

Each browser tab starts its own desk process (`python -m stationdesk tui`) on the station's
database and opens on the log-in screen, exactly like a terminal: the serving process passes on
no name and no password. It listens on loopback by default. Any other address is refused unless
`--public` is given together with TLS: either a certificate and key served here (`--tls-cert`,
`--tls-key`), or an https `--public-url` of a reverse proxy that terminates TLS in front of it
(the README shows one).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from stationdesk.cli.common import ConfigOpt, DbOpt, Refused, guarded

DEFAULT_BIND = "127.0.0.1:8000"
SERVED_ENV = "STATIONDESK_SERVED"  # set for the desk processes a browser starts
# Nothing that signs a person in passes from the serving process to a browser's desk.
_NOT_PASSED_ON = ("STATIONDESK_OPERATOR", "STATIONDESK_PASSWORD", "STATIONDESK_NEW_PASSWORD")


def parse_bind(text: str) -> tuple[str, int]:
    """'127.0.0.1:8000', 'localhost:8000', '[::1]:8000' or ':8000' (loopback) -> (host, port)."""
    value = text.strip()
    host, sep, port_text = value.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise Refused("opt.bind", option="--bind", value=text, example=DEFAULT_BIND)
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port_text)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name could resolve anywhere: it counts as public


def check_exposure(host: str, public: bool, tls_cert: Path | None, tls_key: Path | None, public_url: str | None) -> None:
    """Refuse an address other people can reach unless it is meant (--public) and encrypted."""
    if (tls_cert is None) != (tls_key is None):
        raise Refused("opt.tls_pair")
    if public_url is not None and not public_url.startswith(("https://", "http://")):
        raise Refused("opt.public_url", option="--public-url", value=public_url)
    if is_loopback(host):
        return
    if not public:
        raise Refused("opt.not_loopback", host=host)
    if tls_cert is None and not (public_url or "").startswith("https://"):
        raise Refused("opt.public_tls")


def desk_command(db: Path, config: Path) -> str:
    """The shell command textual-serve runs for each browser session."""
    return shlex.join([sys.executable, "-m", "stationdesk", "tui", "--db", str(db), "--config", str(config)])


def _ssl_context(cert: Path, key: Path) -> Any:
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise Refused("opt.tls_load", cert=cert, key=key, why=str(exc)) from None
    return context


@guarded
def serve(
    bind: Annotated[str, typer.Option("--bind", metavar="HOST:PORT", help="Where to listen")] = DEFAULT_BIND,
    public: Annotated[bool, typer.Option("--public", help="Allow an address other than loopback (needs TLS)")] = False,
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert", metavar="PATH", help="TLS certificate (PEM)")] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", metavar="PATH", help="TLS private key (PEM)")] = None,
    public_url: Annotated[str | None, typer.Option("--public-url", metavar="URL",
                                                   help="The address browsers use, e.g. https://desk.example/ behind a reverse proxy")] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Serve the desk to a browser: every tab signs in like a terminal. Loopback only, unless --public with TLS."""
    from stationdesk import config as config_mod
    from stationdesk import paths
    from stationdesk.logs import log_event

    host, port = parse_bind(bind)
    check_exposure(host, public, tls_cert, tls_key, public_url)
    path = (db or paths.default_db_path()).expanduser().resolve()
    config_path = (config or paths.default_config_path()).expanduser().resolve()
    config_mod.load(config_path)  # a bad config is refused here, not in every browser tab
    from stationdesk.bootstrap import open_desk
    from stationdesk.services.operators import accounts_exist

    desk = open_desk(path, config_path)  # refuses a missing or foreign file, migrates an old one
    try:
        has_accounts = accounts_exist(desk)
    finally:
        desk.db.dispose()
    if not has_accounts:
        raise Refused("cli.serve_accounts")
    ssl_context = _ssl_context(tls_cert, tls_key) if tls_cert and tls_key else None
    for name in _NOT_PASSED_ON:
        os.environ.pop(name, None)
    os.environ[SERVED_ENV] = "1"
    scheme = "https" if ssl_context else "http"
    url = public_url or f"{scheme}://{'[' + host + ']' if ':' in host else host}:{port}"
    log_event("serve", f"serving {path.name} on {host}:{port} ({url})")
    from textual_serve.server import Server  # heavy (aiohttp): only for this command

    class DeskServer(Server):
        def serve(self, debug: bool = False) -> None:  # textual-serve's own, with TLS when given
            import asyncio
            import signal

            from aiohttp import web

            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):  # no signal handlers on this platform's loop: Ctrl+C still stops it
                    loop.add_signal_handler(sig, self.request_exit)
            web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                        ssl_context=ssl_context, print=lambda *args: None)

    from stationdesk.cli.common import phrase, say

    typer.echo(say(phrase("cli.serving", url=url)), err=True)
    DeskServer(desk_command(path, config_path), host=host, port=port, title="stationdesk 网点", public_url=url).serve()
