"""Head office's sync API: a Starlette application in front of the plain functions of sync/hq.py.

Every request but /health names its station by a bearer token alone (sync/hq_credentials.py);
a body that claims another station is refused and put on the review list. Bodies are parsed with
the protocol models (sync/protocol.py) and every op is validated before the database is touched.
Database work runs in Starlette's thread pool on one SQLAlchemy engine (a connection pool) per
worker process; the workers hold no state, so any number of them can stand behind a balancer.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from stationdesk.domain.words import Words, to_wire
from stationdesk.domain import wire
from stationdesk.sync import hq, hq_audit, hq_chain, hq_credentials
from stationdesk.sync.hq_schema import HQError, connect, ensure_current
from stationdesk.sync.hq_tables import (
    HQ_ACCOUNT_CHAIN, HQ_CHAIN, HQ_CONFLICTS, HQ_CURSORS, HQ_STATION_TOKENS,
)
from stationdesk.sync.protocol import (
    MAX_FEED_PAGE, PROTOCOL_VERSION, VERSION_HEADER, AccountsCheck, AuditMessage, AuditPage, ChainCompare, ChainVerdict, FeedEntry, FeedPage,
    BadOp, Conflict, Hello, OpResult, OpsPage, PushBatch, PushResult, Rebase, Recorded, Refusal, Resolutions, StoredOp, Welcome,
    read_op,
)

log = logging.getLogger("stationdesk.hq")
MAX_BODY = 32 * 1024 * 1024
URL_ENV = "STATIONDESK_HQ_URL"
POOL_ENV = "STATIONDESK_HQ_POOL"


class Refused(Exception):
    """A refusal to a station: its message in the catalogue's Chinese (for head office's log and older
    stations) and as a key with parameters (``words``), said by the station in its own language."""

    def __init__(self, status: int, error: str, message: Any, **extra: Any) -> None:
        super().__init__(str(message))
        self.status, self.refusal = status, _refusal(error, message, **extra)


def _refusal(error: str, message: Any, **extra: Any) -> Refusal:
    said = message if isinstance(message, Words) else getattr(message, "words", None)
    return Refusal(error=error, message=str(message)[:2000], words=to_wire(said) if isinstance(said, Words) else None,
                   **extra)


def _now() -> datetime:
    return datetime.now(UTC)


def _reply(model: BaseModel, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status, media_type="application/json")


def _token(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused(401, "no_token", Words("hq.no_token"))
    return token.strip()


def _station(engine: Engine, request: Request) -> str:
    token = _token(request)
    try:
        return hq_credentials.station_of(engine, token)
    except hq_credentials.Unknown as exc:
        where = request.client.host if request.client else "?"
        log.warning("refused %s %s from %s: %s", request.method, request.url.path, where, exc)
        hq_credentials.review(engine, None, "token_refused", f"{request.url.path} from {where}: {exc}", _now())
        raise Refused(401, "bad_token", Words("hq.bad_token", why=exc)) from None


def _claimed(engine: Engine, station: str, claimed: str, request: Request) -> None:
    if claimed != station:
        where = request.client.host if request.client else "?"
        message = f"token of station {station} used for station {claimed} ({request.url.path} from {where})"
        log.warning("refused: %s", message)
        hq_credentials.review(engine, station, "wrong_station", message, _now())
        raise Refused(403, "wrong_station", Words("hq.wrong_station", station=station, claimed=claimed))


def _parse(model: type[BaseModel], body: bytes) -> Any:
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[:5]
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in first)
        raise Refused(422, "bad_request", Words("hq.malformed", model=model.__name__, where=where)) from None


def _chain_refused(engine: Engine, station: str, exc: hq_chain.ChainError) -> Refused:
    log.warning("chain refused for %s: %s", station, exc)
    hq_credentials.review(engine, station, "chain", str(exc), _now(), event_id=exc.event_id)
    return Refused(409, "chain_mismatch", exc, event_id=exc.event_id, chain=exc.kind)


# ---------------------------------------------------------------- the use cases, in the thread pool


def do_hello(engine: Engine, station: str, hello: Hello) -> Welcome:
    with engine.begin() as conn:  # once per sync: when the station's token was last used
        conn.execute(update(HQ_STATION_TOKENS).where(HQ_STATION_TOKENS.c.station_code == station,
                                                     HQ_STATION_TOKENS.c.revoked_at.is_(None))
                     .values(last_used_at=_now()))
    with engine.connect() as conn:
        try:
            hq_chain.verify_point(conn, station, hello.chain)
            hq_chain.verify_point(conn, station, hello.accounts, HQ_ACCOUNT_CHAIN)
        except hq_chain.ChainError as exc:
            raise _chain_refused(engine, station, exc) from None
        last = conn.execute(select(HQ_CURSORS.c.last_seq).where(HQ_CURSORS.c.station_code == station)).scalar()
        return Welcome(station=station, last_seq=last or 0, chain_head=hq_chain.head(conn, station),
                       accounts_head=hq_chain.head(conn, station, HQ_ACCOUNT_CHAIN))


def do_push(engine: Engine, station: str, batch: PushBatch) -> PushResult:
    previous = 0
    ops: list[hq.PushedOp] = []
    read_by_id: dict[str, wire.Payload] = {}
    for o in batch.ops:
        why: str | None
        try:
            read = read_op(o)  # the payload by its kind's model: nothing of it is trusted unread
            why = Words("hq.seqs_rise") if o.seq <= previous else None
        except BadOp as exc:
            why = str(exc)
        if why:
            raise Refused(422, "bad_op", Words("hq.bad_op", station=station, seq=o.seq, op=o.op_id, why=why))
        previous = o.seq
        read_by_id[o.op_id] = read
        ops.append(hq.PushedOp(o.op_id, o.seq, o.action, o.payload, read))
    by_id = {o.op_id: o for o in batch.ops}
    state: dict[str, Any] = {}

    def chain_first(conn: Any, new: list[hq.PushedOp]) -> None:
        _, state["accounts"] = hq_chain.take_links(conn, station, batch.accounts, HQ_ACCOUNT_CHAIN)
        links, top = hq_chain.take_links(conn, station, batch.links)
        hq_chain.check_ops(conn, station, [(by_id[n.op_id], read_by_id[n.op_id]) for n in new], links)
        state["head"] = top

    try:
        results = _retrying(lambda: hq.push_batch(engine, station, ops, _now(), before_apply=chain_first))
    except hq_chain.ChainError as exc:
        raise _chain_refused(engine, station, exc) from None
    except hq.GapError as exc:
        raise Refused(409, "gap", exc, expected_seq=exc.expected) from None
    return PushResult(results=[_answer(r) for r in results],
                      chain_head=state.get("head"), accounts_head=state.get("accounts"))


def _answer(r: hq.OpResult) -> OpResult:
    words = to_wire(r.message) if isinstance(r.message, Words) else None
    if r.conflict is None and len(r.message) <= 2000:  # head office's own values, of the model's types and sizes
        return OpResult.model_construct(op_id=r.op_id, seq=r.seq, result=r.result, message=str(r.message), conflict=None,
                                        repeated=r.repeated, words=words)
    conflict = Conflict.model_validate(r.conflict) if r.conflict is not None else None
    return OpResult(op_id=r.op_id, seq=r.seq, result=r.result, message=str(r.message),  # type: ignore[arg-type]  # result is one of hq's APPLIED / REJECTED / FLAGGED, and the model checks it
                    conflict=conflict, repeated=r.repeated, words=words)


def _retrying(call: Callable[[], Any]) -> Any:
    """A deadlock or serialization failure: the batch is one transaction, so run it again."""
    for attempt in range(3):
        try:
            return call()
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) not in ("40P01", "40001") or attempt == 2:
                raise
    raise AssertionError("unreachable")


def do_resolutions(engine: Engine, station: str, body: Resolutions) -> Recorded:
    ids = [r.op_id for r in body.resolutions]
    with engine.connect() as conn:
        owners = dict(conn.execute(select(HQ_CONFLICTS.c.op_id, HQ_CONFLICTS.c.station_code)
                                   .where(HQ_CONFLICTS.c.op_id.in_(ids))).all()) if ids else {}
    foreign = [i for i in ids if owners.get(i) not in (None, station)]
    if foreign:
        message = f"station {station} sent resolutions of other stations' conflicts (ops {', '.join(foreign[:5])})"
        log.warning("refused: %s", message)
        hq_credentials.review(engine, station, "wrong_station", message, _now())
    mine = [r.model_dump() for r in body.resolutions if r.op_id not in foreign]
    n = hq.resolve_conflicts(engine, station, mine)
    return Recorded(recorded=n, refused=len(foreign))


def do_feed(engine: Engine, station: str, after: int, limit: int) -> FeedPage:
    rows = hq.read_feed(engine, station, after, limit)
    backlog = hq.feed_backlog(engine, station, rows[-1]["position"]) if len(rows) == limit else 0
    return FeedPage(entries=[FeedEntry(position=r["position"], reason=r["reason"], snapshot=r["snapshot"]) for r in rows],
                    backlog=backlog)


def do_audit(engine: Engine, station: str, after: int, limit: int) -> AuditPage:
    return AuditPage(messages=[AuditMessage(**m) for m in hq_audit.read_messages(engine, station, after, limit)])


def do_accounts_check(engine: Engine, station: str, body: AccountsCheck) -> Recorded:
    with engine.connect() as conn:
        try:
            hq_chain.check_accounts(conn, station, body.operators)
        except hq_chain.ChainError as exc:
            raise _chain_refused(engine, station, exc) from None
    return Recorded(recorded=len(body.operators))


def do_compare(engine: Engine, station: str, body: ChainCompare) -> ChainVerdict:
    table = HQ_ACCOUNT_CHAIN if body.chain == "accounts" else HQ_CHAIN
    with engine.connect() as conn:
        first = hq_chain.compare(conn, station, body.first, body.hashes, table)
    if first is not None:
        what = "账号记录" if body.chain == "accounts" else "事件"
        hq_credentials.review(engine, station, "chain", f"网点 {station}: 审计链第一个与总部不同的{what} #{first}", _now(),
                              event_id=first)
        log.warning("station %s: chain differs from event #%s", station, first)
    return ChainVerdict(first_differing=first, checked=len(body.hashes))


def do_ops(engine: Engine, station: str, after: int, limit: int) -> OpsPage:
    with engine.connect() as conn:
        return OpsPage(ops=[StoredOp(**r) for r in hq_chain.ops_after(conn, station, after, limit)])


def do_rebase(engine: Engine, station: str, body: Rebase) -> Welcome:
    now = _now()
    with engine.begin() as conn:
        conn.execute(select(HQ_CURSORS.c.last_seq).where(HQ_CURSORS.c.station_code == station).with_for_update())
        try:
            hq_chain.verify_point(conn, station, body.chain)
            hq_chain.verify_point(conn, station, body.accounts, HQ_ACCOUNT_CHAIN)
        except hq_chain.ChainError as exc:
            raise _chain_refused(engine, station, exc) from None
        after = body.chain.event_id if body.chain else 0
        n = hq_chain.supersede(conn, station, after, now)
        hq_chain.supersede(conn, station, body.accounts.event_id if body.accounts else 0, now, HQ_ACCOUNT_CHAIN)
    message = Words("hq.rebased", station=station, after=after, n=n)
    log.warning("%s", message)
    hq_credentials.review(engine, station, "rebase", message, now, event_id=after + 1 if n else None)
    return do_hello(engine, station, Hello(station=station, chain=body.chain, accounts=body.accounts))


# ---------------------------------------------------------------- the application


def _log_to_stderr() -> None:
    """The service's own lines go to its stderr beside uvicorn's, where a service manager keeps them
    (the station's log file is for a station's commands)."""
    import sys

    if not any(isinstance(h, logging.StreamHandler) and getattr(h, "stream", None) is sys.stderr for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s:  %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def _tune_gc() -> None:
    """A push of 500 ops makes some 50,000 objects that live until its answer is sent: with Python's
    default thresholds the cycle collector runs about 20 times a push and scans them again and again,
    now and then with everything loaded at start (measured: 2 to 20 ms of a push's 40 to 50 ms). What
    is loaded at start is frozen out of its scans, and it runs after every 50,000 new objects instead
    of 700; the push path makes few cycles to collect."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def create_app(url: str | None = None, pool_size: int | None = None) -> Starlette:
    """The ASGI application; ``url`` and ``pool_size`` default to the environment (uvicorn workers)."""
    _log_to_stderr()
    url = url or os.environ.get(URL_ENV, "")
    size = pool_size or int(os.environ.get(POOL_ENV, "10") or 10)
    engine = connect(url, pool_size=size, max_overflow=size)
    ensure_current(engine)

    def endpoint(work: Callable[[Engine, str, Request, bytes], Any], *, body: bool) -> Callable[[Request], Any]:
        async def handle(request: Request) -> Response:
            try:
                sent = request.headers.get(VERSION_HEADER, "")
                if sent != str(PROTOCOL_VERSION):
                    raise Refused(426, "protocol", Words("hq.protocol", sent=sent[:20] or Words("hq.none_sent"),
                                                         hq=PROTOCOL_VERSION))
                raw = b""
                if body:
                    if int(request.headers.get("content-length") or 0) > MAX_BODY:
                        raise Refused(413, "too_large", Words("hq.too_large", limit=MAX_BODY))
                    raw = await request.body()

                def run() -> Any:
                    station = _station(engine, request)
                    return work(engine, station, request, raw)

                return _reply(await run_in_threadpool(run))
            except Refused as exc:
                return _reply(exc.refusal, exc.status)
            except HQError as exc:
                return _reply(_refusal("refused", exc), 409)
            except SQLAlchemyError as exc:
                log.error("database error on %s: %s", request.url.path, exc.__class__.__name__)
                return _reply(_refusal("unavailable", Words("hq.unavailable")), 503)
        return handle

    def hello(engine: Engine, station: str, request: Request, raw: bytes) -> Welcome:
        body = _parse(Hello, raw)
        _claimed(engine, station, body.station, request)
        return do_hello(engine, station, body)

    def push(engine: Engine, station: str, request: Request, raw: bytes) -> PushResult:
        body = _parse(PushBatch, raw)
        _claimed(engine, station, body.station, request)
        return do_push(engine, station, body)

    def resolutions(engine: Engine, station: str, request: Request, raw: bytes) -> Recorded:
        body = _parse(Resolutions, raw)
        _claimed(engine, station, body.station, request)
        return do_resolutions(engine, station, body)

    def accounts(engine: Engine, station: str, request: Request, raw: bytes) -> Recorded:
        body = _parse(AccountsCheck, raw)
        _claimed(engine, station, body.station, request)
        return do_accounts_check(engine, station, body)

    def compare(engine: Engine, station: str, request: Request, raw: bytes) -> ChainVerdict:
        return do_compare(engine, station, _parse(ChainCompare, raw))

    def rebase(engine: Engine, station: str, request: Request, raw: bytes) -> Welcome:
        body = _parse(Rebase, raw)
        _claimed(engine, station, body.station, request)
        return do_rebase(engine, station, body)

    def paging(request: Request) -> tuple[int, int]:
        try:
            after = int(request.query_params.get("after", "0"))
            limit = min(int(request.query_params.get("limit", "1000")), MAX_FEED_PAGE)
        except ValueError:
            raise Refused(422, "bad_request", Words("hq.paging_numbers")) from None
        if after < 0 or limit < 1:
            raise Refused(422, "bad_request", Words("hq.paging_range"))
        return after, limit

    def feed(engine: Engine, station: str, request: Request, raw: bytes) -> FeedPage:
        return do_feed(engine, station, *paging(request))

    def ops(engine: Engine, station: str, request: Request, raw: bytes) -> OpsPage:
        return do_ops(engine, station, *paging(request))

    def audit(engine: Engine, station: str, request: Request, raw: bytes) -> AuditPage:
        return do_audit(engine, station, *paging(request))

    def _health() -> dict[str, Any]:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "protocol": PROTOCOL_VERSION, "pool": engine.pool.status()}

    async def health(request: Request) -> Response:
        try:
            return JSONResponse(await run_in_threadpool(_health))
        except SQLAlchemyError as exc:
            return JSONResponse({"status": "database unavailable", "error": exc.__class__.__name__}, status_code=503)

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/v2/hello", endpoint(hello, body=True), methods=["POST"]),
        Route("/v2/push", endpoint(push, body=True), methods=["POST"]),
        Route("/v2/resolutions", endpoint(resolutions, body=True), methods=["POST"]),
        Route("/v2/chain/compare", endpoint(compare, body=True), methods=["POST"]),
        Route("/v2/accounts/check", endpoint(accounts, body=True), methods=["POST"]),
        Route("/v2/rebase", endpoint(rebase, body=True), methods=["POST"]),
        Route("/v2/feed", endpoint(feed, body=False), methods=["GET"]),
        Route("/v2/ops", endpoint(ops, body=False), methods=["GET"]),
        Route("/v2/audit", endpoint(audit, body=False), methods=["GET"]),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.engine = engine
    _tune_gc()
    return app
