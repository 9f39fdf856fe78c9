"""`stationdesk hq serve` and `stationdesk hq station ...`: head office's sync service and station credentials.

These are head office's own tools, so they take head office's database URL (--url or
STATIONDESK_HQ_URL); stations never see it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from stationdesk.cli import Refused, guarded
from stationdesk.cli.formats import ExcelOpt, Format, FormatOpt, OutputOpt, emit

station_app = typer.Typer(help="网点凭据: tokens stations sync with (add, rotate, revoke, list).", no_args_is_help=True)

UrlOpt = Annotated[str, typer.Option("--url", envvar="STATIONDESK_HQ_URL", help="postgresql+psycopg://user@host:port/db")]
CodeArg = Annotated[str, typer.Argument(help="Station code from head office's directory, e.g. HZ001")]


def _engine(url: str):  # noqa: ANN202 - an Engine: sqlalchemy loads inside, only for the commands that connect
    from stationdesk.sync import hq_schema

    engine = hq_schema.connect(url)
    hq_schema.ensure_current(engine)
    return engine


def _now():  # noqa: ANN202 - a datetime: the clock is imported inside, only when asked
    from stationdesk.services.context import system_clock

    return system_clock()


def _issue(code: str, url: str, *, replace: bool) -> None:
    from stationdesk.sync import hq_credentials

    engine = _engine(url)
    try:
        token = hq_credentials.issue(engine, code, _now(), replace=replace)
    finally:
        engine.dispose()
    typer.echo(f"网点 {code.strip()}: {'新凭据已签发, 旧凭据已失效' if replace else '凭据已签发'} (shown once; give it to the "
               "station as STATIONDESK_HQ_TOKEN or `stationdesk sync --save-token`):")
    typer.echo(token)  # the last line, alone, so a script can take it


@station_app.command("add")
@guarded
def station_add(code: CodeArg, url: UrlOpt) -> None:
    """Issue a station's token; printed once, as the last line."""
    _issue(code, url, replace=False)


@station_app.command("rotate")
@guarded
def station_rotate(code: CodeArg, url: UrlOpt) -> None:
    """Issue a new token and revoke the old one at once; printed once, as the last line."""
    _issue(code, url, replace=True)


@station_app.command("revoke")
@guarded
def station_revoke(code: CodeArg, url: UrlOpt) -> None:
    """Revoke a station's token: its syncs are refused until a new one is issued."""
    from stationdesk.sync import hq_credentials

    engine = _engine(url)
    try:
        hq_credentials.revoke(engine, code, _now())
    finally:
        engine.dispose()
    typer.echo(f"网点 {code.strip()}: 凭据已吊销 (revoked)")


STATION_COLUMNS = (("station", "网点", 8), ("issued_at", "签发", 28), ("state", "状态", 8), ("revoked_at", "失效", 28),
                   ("last_used_at", "最近同步", 28))
REVIEW_COLUMNS = (("id", "编号", 5), ("created_at", "时间", 28), ("station", "网点", 8), ("kind", "类型", 14),
                  ("event_id", "事件", 8), ("message", "说明", 70))


@station_app.command("list")
@guarded
def station_list(url: UrlOpt, fmt: FormatOpt = Format.table, output: OutputOpt = None, excel: ExcelOpt = False) -> None:
    """Every token issued, live or revoked (never the token itself)."""
    from stationdesk.store.values import to_db
    from stationdesk.sync import hq_credentials

    engine = _engine(url)
    try:
        rows = hq_credentials.listing(engine)
    finally:
        engine.dispose()
    items = [{"station": r.station_code, "issued_at": to_db(r.issued_at),
              "state": "live" if r.revoked_at is None else f"{r.revoked_why or 'revoked'}",
              "revoked_at": to_db(r.revoked_at) if r.revoked_at else None,
              "last_used_at": to_db(r.last_used_at) if r.last_used_at else None} for r in rows]
    emit(items, STATION_COLUMNS, fmt, output, excel=excel, sheet="网点凭据")


@guarded
def review(
    url: UrlOpt,
    station: Annotated[str | None, typer.Option("--station", help="Only this station")] = None,
    fmt: FormatOpt = Format.table, output: OutputOpt = None, excel: ExcelOpt = False,
) -> None:
    """What head office must look at: refused tokens, another station's token, a chain that does not match, re-bases."""
    from stationdesk.domain.text import clean_text
    from stationdesk.store.values import to_db
    from stationdesk.sync import hq_credentials

    engine = _engine(url)
    try:
        rows = hq_credentials.reviews(engine, station.strip() if station else None)
    finally:
        engine.dispose()
    items = [{"id": r["id"], "created_at": to_db(r["created_at"]), "station": r["station_code"], "kind": r["kind"],
              "event_id": r["event_id"], "message": clean_text(r["message"])} for r in rows]
    emit(items, REVIEW_COLUMNS, fmt, output, excel=excel, sheet="总部复核")


def _bind(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise Refused(f"--bind {value}: expected HOST:PORT, e.g. 127.0.0.1:8700")
    return host.strip("[]"), int(port)


@guarded
def serve(
    url: UrlOpt,
    bind: Annotated[str, typer.Option("--bind", help="HOST:PORT to listen on")] = "127.0.0.1:8700",
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes")] = 1,
    pool: Annotated[int, typer.Option("--pool", min=1, help="Database connections per worker (and as many overflow)")] = 10,
    certfile: Annotated[str | None, typer.Option("--tls-cert", help="TLS certificate (PEM); else put a TLS proxy in front")] = None,
    keyfile: Annotated[str | None, typer.Option("--tls-key", help="TLS private key (PEM)")] = None,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log every request (method, path, status)")] = False,
) -> None:
    """Run head office's sync API (stations sync with `stationdesk sync --hq https://...`)."""
    import os

    import uvicorn

    from stationdesk.sync import hq_schema
    from stationdesk.sync.hq_service import POOL_ENV, URL_ENV

    host, port = _bind(bind)
    if (certfile is None) != (keyfile is None):
        raise Refused("--tls-cert and --tls-key go together")
    engine = hq_schema.connect(url)
    try:
        hq_schema.ensure_current(engine)  # refuse before the workers start
    finally:
        engine.dispose()
    # the workers read the database URL from the environment, never from their command line (ps)
    os.environ[URL_ENV] = url
    os.environ[POOL_ENV] = str(pool)
    typer.echo(f"总部同步服务 http{'s' if certfile else ''}://{bind} ({workers} workers, pool {pool})", err=True)
    uvicorn.run("stationdesk.sync.hq_service:create_app", factory=True, host=host, port=port, workers=workers,
                ssl_certfile=certfile, ssl_keyfile=keyfile, access_log=access_log, log_level="info",
                timeout_graceful_shutdown=10)
