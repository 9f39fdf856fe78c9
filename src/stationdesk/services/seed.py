"""Demo data: realistic orders over recent days with their whole history (events, outbox ops
and the audit ledger), written as a bulk load (store/bulk.py): a million orders in minutes.
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import pickle
import random
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from json.encoder import encode_basestring as _quote  # what json.dumps(ensure_ascii=False) uses
from typing import Any, NoReturn, TypeVar

from stationdesk.domain import ledger as ledger_rules
from stationdesk.domain.chain import event_tail, link_all
from stationdesk.domain.errors import DomainError
from stationdesk.domain.fields import SOURCES
from stationdesk.domain.reasons import Reason
from stationdesk.domain.routing import Station
from stationdesk.domain.statuses import Action, Status
from stationdesk.services import ledger
from stationdesk.services.context import Desk
from stationdesk.services.feed_import import IMPORT_COLUMNS
from stationdesk.store.errors import StoreError
from stationdesk.store.journal import EVENT_COLUMNS, FlatValues
from stationdesk.store.values import to_db

FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰飞鹏辉宇浩然欣怡子轩梓涵雨晨思远佳琪嘉欣俊杰志强建国海燕文博"
ROADS = ["文三路", "天目山路", "教工路", "古翠路", "学院路", "莫干山路", "湖墅南路", "延安路", "解放路", "庆春路",
         "曙光路", "体育场路", "凤起路", "文一西路", "余杭塘路", "丰潭路", "紫金港路", "留和路", "转塘街道", "西溪路"]
GOODS = ["文件", "衣服", "鞋子", "书籍", "化妆品", "手机配件", "食品", "茶叶", "日用品", "电子产品", "玩具", "药品(非处方)"]
NOTES = ["", "", "", "请下午来取", "上午十点后在家", "到了打电话", "放门卫处", "周末也可以", "大件, 请带箱子", "需要发票"]
# An order's history columns beside the ones an import fills.
SEED_COLUMNS = (*IMPORT_COLUMNS, "accepted_at", "accept_failed_at", "transferred_at", "transferred_to", "picked_up_at",
                "pickup_failed_at", "scanned_at", "fail_reason", "fail_note")
CLERKS = ["张敏", "李娜", "王强"]
COURIERS = ["陈刚", "刘洋", "赵磊"]


CHUNK = 20_000  # orders per transaction, and per random stream


def seed(desk: Desk, orders: int, seed_value: int = 1, days: int = 14,
         progress: Callable[[int], None] | None = None, chunk: int = CHUNK, workers: int | None = None) -> int:
    """Add ``orders`` demo orders spread over the last ``days`` days; returns how many were added.

    A bulk load (store/bulk.py): one writer connection with bulk-load settings, each chunk of
    orders one transaction with its events, outbox ops and ledger rows; on a database with no
    orders yet, the secondary indexes are built once after the load instead of row by row.

    Each chunk is drawn from a random stream of its own (the first chunk's is the seed value's), so
    chunks are built side by side in ``workers`` processes (one per core when there is more than one
    chunk) and come out the same whoever builds them. This process only hands out the ids, links
    the audit chain and passes each chunk to SQLite, which writes it on a thread of its own while the
    next ones are built."""
    from stationdesk.store import bulk

    home_code = desk.station.code
    with bulk.BulkWriter(desk.db, home_code) as writer:
        start = writer.start
        plan = Plan(desk.now(), days, seed_value, desk.station,
                    tuple(s for s in desk.directory if not s.is_datacenter and s.code != desk.station.code),
                    _OrderedOpIds.run_head())
        specs = [(k, start.order_id + done, min(chunk, orders - done)) for k, done in enumerate(range(0, orders, chunk))]
        previous = start.chain
        event_id, outbox_id, seq = start.event_id, start.outbox_id, start.seq  # the next ones to hand out
        done = 0
        with _Builders(plan, specs, _worker_count(workers, len(specs))) as built:
            for (_, first_id, n), (rows, events, tails, ops, found) in zip(specs, built, strict=True):
                # the chunk's events, ops and ledger rows get their ids here, in order, and the events
                # their links in the audit chain (see domain/chain.py)
                links = link_all(previous, event_id, tails)
                previous = links[-1] if links else previous
                ids = range(event_id, event_id + len(events))
                # handed over flat, value after value: no new tuple for each row
                event_values = FlatValues(v for i, e, c in zip(ids, events, links, strict=True) for v in (i, *e, c))
                op_values = FlatValues(v for o, s, i, x in zip(range(outbox_id, outbox_id + len(ops)),
                                                               range(seq, seq + len(ops)), ids, ops, strict=True)
                                       for v in (o, s, i, *x))
                violations = [(*v[:-1], event_id - 1 + v[-1]) for v in found]
                event_id, outbox_id, seq = event_id + len(events), outbox_id + len(ops), seq + len(ops)
                del events, ops, tails, links, found
                writer.put(bulk.Chunk(first_id, [("orders", SEED_COLUMNS, rows),
                                                 ("order_event", EVENT_COLUMNS, event_values),
                                                 ("outbox", SEED_OP_COLUMNS, op_values),
                                                 ("violation", SEED_VIOLATION_COLUMNS, violations)]))
                done += n
                if progress:
                    progress(done)
        writer.finish()
    desk.db.ensure_statistics(added=done)
    return done


@dataclass(frozen=True)
class Plan:
    """What every chunk of one seed is built from."""

    now: datetime
    days: int
    seed_value: int
    home: Station
    others: tuple[Station, ...]  # the stations an order out of the area belongs to
    op_head: str  # how every op id of the run begins (_OrderedOpIds)


# A built chunk: its order rows; its events as rows without their ids and links; each event's
# content after its id (chain.event_tail); its outbox ops as rows without id, seq and event id
# (SEED_OP_COLUMNS); and its ledger rows, the event each came from numbered within the chunk from 1.
Built = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[str], list[tuple[Any, ...]], list[tuple[Any, ...]]]
SEED_OP_COLUMNS = ("id", "seq", "event_id", "op_id", "station_code", "order_id", "order_version", "action", "payload",
                   "created_at", "acked_at")


def build(plan: Plan, k: int, first_id: int, n: int) -> Built:
    """Chunk ``k`` of a seed: ``n`` orders from ``first_id`` with their whole history, drawn from the
    chunk's own random stream (the first chunk's is the seed value's, as it always was)."""
    rng = random.Random(plan.seed_value if k == 0 else f"{plan.seed_value}/{k}")
    make = _Orders(rng, plan)
    getrandbits = rng.getrandbits
    op_id = _OrderedOpIds(plan.op_head, k).next
    home_code = plan.home.code
    recorded = to_db(plan.now)
    provisional = ledger_rules.State.PROVISIONAL.value
    rows: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    tails: list[str] = []
    ops: list[tuple[Any, ...]] = []
    found: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    number = 0  # the chunk's own event numbers
    for order_id in range(first_id, first_id + n):
        row, history, typed = make.one(order_id)
        rows.append(row)
        history_rows = []
        for version, (action, operator, at, stamp, before, after, details) in enumerate(history, start=1):
            number += 1
            events.append((order_id, version, action, operator, stamp, before, after, details))
            tails.append(event_tail(order_id, version, action, operator, stamp, before, after, details))
            # demo history counts as already synced with head office; the draw keeps the orders of a
            # seed value the same whatever the op ids are made of
            noise = getrandbits(128) ^ (order_id << 8 | version)
            ops.append((op_id(noise), home_code, order_id, version, action, _payload(action, operator, stamp), stamp,
                        stamp))
            history_rows.append((order_id, number, action, at, after, details, before))
        if typed is None:
            continue  # only the import: no action, no violation
        # the audit ledger of the demo history, found by the rules `check` replays (given the
        # times as datetimes already, so they are not parsed back from text)
        for _, found_event, f in ledger.found_in_history(home_code, typed, history_rows):
            deadline = to_db(f.deadline)
            found.setdefault((order_id, f.station, f.kind.value, deadline), (
                order_id, f.station, f.kind.value, f.fine, deadline, to_db(f.at) if f.at else None,
                provisional, recorded, found_event))
    return rows, events, tails, ops, list(found.values())


def _worker_count(asked: int | None, chunks: int) -> int:
    """Processes to build chunks in: none for a single chunk (not worth starting one)."""
    if chunks < 2:
        return 0
    if asked is not None:
        return max(0, min(asked, chunks))
    return min(os.cpu_count() or 1, chunks, 8)


class _Builders:
    """The built chunks in order: from ``workers`` processes (each kept two chunks ahead), or built
    here when ``workers`` is 0.

    A worker is this Python running ``serve()`` in a session of its own (so Ctrl+C reaches only this
    process, which stops it), fed through its standard input and answering on its standard output.
    When this process ends in any way, the worker's input closes and it exits."""

    def __init__(self, plan: Plan, specs: list[tuple[int, int, int]], workers: int) -> None:
        self.plan = plan
        self.specs = specs
        self.workers = workers
        self._procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> _Builders:
        for _ in range(self.workers):
            proc = subprocess.Popen([sys.executable, "-c", "from stationdesk.services.seed import serve; serve()"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    start_new_session=True)
            self._procs.append(proc)
            self._send(proc, self.plan)
        return self

    def __iter__(self) -> Iterator[Built]:
        if not self.workers:
            for spec in self.specs:
                yield build(self.plan, *spec)
            return
        w, specs = self.workers, self.specs
        for k in range(min(2 * w, len(specs))):
            self._send(self._procs[k % w], specs[k])
        for k in range(len(specs)):
            yield self._next(k)  # held by no name here: a chunk is freed as soon as its writer is done with it

    def _next(self, k: int) -> Built:
        w, specs = self.workers, self.specs
        proc = self._procs[k % w]
        tag, data = self._receive(proc)
        if k + 2 * w < len(specs):
            self._send(proc, specs[k + 2 * w])
        if tag != b"D":
            raise StoreError("err.seed_worker", what=data.decode(errors="replace"))
        built: Built = marshal.loads(data)
        return built

    def _send(self, proc: subprocess.Popen[bytes], message: object) -> None:
        data = pickle.dumps(message)
        assert proc.stdin is not None
        try:
            proc.stdin.write(_FRAME.pack(len(data)) + data)
            proc.stdin.flush()
        except OSError:
            self._stopped(proc)

    def _receive(self, proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
        assert proc.stdout is not None
        head = proc.stdout.read(1 + _FRAME.size)
        if len(head) < 1 + _FRAME.size:
            self._stopped(proc)
        data = proc.stdout.read(_FRAME.unpack(head[1:])[0])
        return head[:1], data

    def _stopped(self, proc: subprocess.Popen[bytes]) -> NoReturn:
        proc.kill()
        _, err = proc.communicate()
        last = err.decode(errors="replace").strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        raise StoreError("err.seed_worker", what=last[0])

    def __exit__(self, *exc: object) -> None:
        for proc in self._procs:
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
        for proc in self._procs:
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


_FRAME = struct.Struct("<Q")  # a message's length before it


def serve() -> None:
    """A worker: reads the plan, then builds each chunk it is sent, until its input closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer

    def receive() -> Any:
        head = stdin.read(_FRAME.size)
        if len(head) < _FRAME.size:
            return None
        return pickle.loads(stdin.read(_FRAME.unpack(head)[0]))  # the process that started this one wrote it

    plan = receive()
    try:
        while (spec := receive()) is not None:
            try:
                tag, data = b"D", marshal.dumps(build(plan, *spec))
            except Exception as exc:  # noqa: BLE001  (told to the parent, which stops the seed with it)
                tag, data = b"E", f"{type(exc).__name__}: {exc}".encode()
            stdout.write(tag + _FRAME.pack(len(data)) + data)
            stdout.flush()
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the parent is gone or stopping


SEED_VIOLATION_COLUMNS = ("order_id", "station_code", "kind", "fine", "deadline", "at", "state", "recorded_at",
                          "event_id")


def _stamp(at: datetime) -> str:
    """``to_db(at)``: the same text, without the conversion when ``at`` is already in UTC."""
    if at.tzinfo is UTC:
        return at.isoformat(timespec="microseconds")[:-6] + "Z"
    return to_db(at)


_PAYLOADS: dict[tuple[str, str], str] = {}


def _payload(action: str, operator: str, stamp: str) -> str:
    """The outbox payload, the text json.dumps({"action", "operator", "at"}) gives."""
    head = _PAYLOADS.get((action, operator))
    if head is None:
        head = _PAYLOADS[(action, operator)] = json.dumps({"action": action, "operator": operator, "at": ""})[:-2]
    return f"{head}{stamp}\"}}"


class _OrderedOpIds:
    """Op ids in the order they are written (the version 7 layout: the run's start in milliseconds,
    then the chunk's number and a counter, then random bits), so the outbox's unique op_id index
    grows at one end instead of taking random inserts across millions of entries. A second run
    starts later: new ids."""

    def __init__(self, head: str, chunk: int) -> None:
        # 74 free bits: 16 for the chunk, 24 for its counter, 34 random below them (past 65,536 chunks
        # of a run, the random bits alone keep ids apart)
        self.count = (chunk & 0xFFFF) << 24
        self._head = head

    @staticmethod
    def run_head() -> str:
        """How every op id of a run starting now begins: the 48-bit time in milliseconds and the version."""
        stamp = (time.time_ns() // 1_000_000 & (1 << 48) - 1) << 80
        h = f"{stamp | 0x7 << 76:032x}"
        return f"{h[:8]}-{h[8:12]}-7"

    def next(self, noise: int) -> str:
        self.count += 1
        low = (self.count << 34 | noise & (1 << 34) - 1)
        tail = f"{0x2 << 62 | low & (1 << 62) - 1:016x}"  # the variant, then the low 62 bits
        return f"{self._head}{low >> 62:03x}-{tail[:4]}-{tail[4:]}"


DEMO_KEY = "demo"


def seed_demo(desk: Desk, orders: int, seed_value: int = 1, days: int = 14,
              progress: Callable[[int], None] | None = None) -> int:
    """`seed` as people run it: only on a demo database (one seeded from empty, or made by `demo`),
    any number of times; refused outright on a database with accounts or orders of its own, so demo
    orders never mix with a station's real ones or carry real people's names."""
    from sqlalchemy import func, select, text

    from stationdesk.store.tables import OPERATORS, ORDERS

    with desk.db.write() as conn:
        demo = conn.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": DEMO_KEY}).scalar() == "1"
        if not demo:
            accounts = conn.execute(select(func.count()).select_from(OPERATORS)).scalar_one()
            existing = conn.execute(select(func.count()).select_from(ORDERS)).scalar_one()
            if accounts or existing:
                raise DomainError("err.seed_real_db", path=desk.db.path, orders=existing, accounts=accounts)
            conn.execute(text("INSERT INTO meta (key, value) VALUES (:k, '1')"), {"k": DEMO_KEY})
    return seed(desk, orders, seed_value, days, progress)


_IMPORT, _TRANSFER, _CANCEL, _CANCEL_HANDLED, _FAIL_ACCEPT, _ACCEPT, _FAIL_PICKUP, _SCAN, _CONFIRM = (a.value for a in (
    Action.IMPORT, Action.TRANSFER, Action.CANCEL, Action.MARK_CANCEL_HANDLED, Action.FAIL_ACCEPT, Action.ACCEPT,
    Action.FAIL_PICKUP, Action.PICKUP_SCAN, Action.CONFIRM_PICKUP))
_WAITING, _TRANSFERRED, _CANCELLED, _ACCEPT_FAILED, _ACCEPTED, _PICKUP_FAILED, _PICKED_UP = (s.value for s in (
    Status.WAITING, Status.TRANSFERRED, Status.CANCELLED, Status.ACCEPT_FAILED, Status.ACCEPTED, Status.PICKUP_FAILED,
    Status.PICKED_UP))
_ACCEPT_FAIL_REASONS = [r.value for r in (Reason.CUSTOMER_UNREACHABLE, Reason.WRONG_ADDRESS, Reason.DUPLICATE_ORDER)]
_PICKUP_FAIL_REASONS = [r.value for r in (Reason.CUSTOMER_UNREACHABLE, Reason.PROHIBITED_GOODS)]
_PHONE_HEADS = ["138", "139", "150", "151", "186", "187", "135", "177", "199"]
_DISPATCHERS = ["电商小王", "电商李燕", "调度员周"]
_NO_DETAILS = "{}"
_IMPORTED = json.dumps({"origin": "seed"}, ensure_ascii=False)
_CHANNEL_CANCEL = json.dumps({"origin": "channel"}, ensure_ascii=False)
_SUPPLEMENTARY = json.dumps({"supplementary": True}, ensure_ascii=False)
_MINUTE = timedelta(minutes=1)
_HOUR = timedelta(hours=1)

_T = TypeVar("_T")

# One step of an order's history: (action, operator, at, stamp, before, after, details JSON).
Step = tuple[str, str, datetime, str, str | None, str, str]


class _Orders:
    """Builds demo orders one after another from one random stream.

    The draws are random.Random's own (choice and randrange take exactly these bits), made
    without its per-call checks: a seed value gives the same orders, draw for draw, as always.
    Each step's time is turned into stored text once and reused by the event, the op and the row.
    """

    def __init__(self, rng: random.Random, plan: Plan) -> None:
        self.rng = rng
        self.now = plan.now
        self.days = plan.days
        self.seed_value = plan.seed_value
        self.home = plan.home
        self.home_districts = sorted(self.home.districts) or ["西湖区"]
        self.other_districts = [(d, s) for s in plan.others for d in sorted(s.districts)]
        self.sources = list(SOURCES.items())
        self.city = "杭州市" if self.home.province == "浙江省" else ""
        self._to: dict[str, str] = {}
        self._reason: dict[str, str] = {}

    def _below(self, n: int) -> int:
        """random.Random._randbelow: the same bits drawn the same way."""
        getrandbits = self.rng.getrandbits
        k = n.bit_length()
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return r

    def _pick(self, seq: Sequence[_T]) -> _T:
        """random.Random.choice's draw."""
        return seq[self._below(len(seq))]

    def one(self, order_id: int) -> tuple[tuple[Any, ...], list[Step], dict[str, Any] | None]:
        """An order's row, its history, and (when something was done to it) the row as the ledger's
        rules read it, with its times as datetimes."""
        below, pick, random_ = self._below, self._pick, self.rng.random
        now, seed_value = self.now, self.seed_value
        age = timedelta(seconds=random_() ** 1.6 * self.days * 86400)  # more recent orders than old ones
        t = now - age
        local_hour = (t.hour + 8) % 24
        if local_hour < 7:  # few orders at night (station time)
            t -= _HOUR * (2 + below(4))
        source, code = pick(self.sources)
        logistics = f"{code}{seed_value:02d}{order_id:010d}"
        business = "send_parcel" if random_() < 0.45 else "online_order"
        channel = "online" if random_() < 0.85 else "offline"
        out_of_area = random_() < 0.05
        if out_of_area and self.other_districts:
            district, target = pick(self.other_districts)
            suggested = target.code
        else:
            district, suggested, out_of_area = pick(self.home_districts), None, False
        waybill = f"{55 + seed_value % 40:02d}{order_id:011d}" if business == "online_order" and random_() < 0.6 else None
        dispatch_time = dispatch_op = None
        if random_() < 0.03:
            dispatch_time = min(t + _MINUTE * (5 + below(85)), now)  # never in the future
            dispatch_op = pick(_DISPATCHERS)
        clerk = pick(CLERKS)
        family = pick(FAMILY)
        name = family + (pick(GIVEN) if pick((1, 2)) == 1 else pick(GIVEN) + pick(GIVEN))
        t_stamp = _stamp(t)
        history: list[Step] = [(_IMPORT, "feed", t, t_stamp, None, _WAITING, _IMPORTED)]
        status = _WAITING
        acc = accf = trans = picked = pickf = scanned = cancelled = None  # the stamps of those steps
        trans_at = trans_to = reason = None
        age_min = age.total_seconds() / 60
        roll = random_()
        late = random_() < 0.06

        def step(action: str, at: datetime, new: str, details: str = _NO_DETAILS) -> str:
            nonlocal status
            stamp = _stamp(at)
            history.append((action, clerk if action != _SCAN else pick(COURIERS), at, stamp, status, new, details))
            status = new
            return stamp

        if out_of_area:
            if age_min > 40 or roll < 0.5:
                trans_at = min(t + _MINUTE * (45 + below(75) if late else 2 + below(27)), now)
                trans_to = suggested
                assert suggested is not None  # an order out of the area always has the station it belongs to
                to = self._to.get(suggested) or self._to.setdefault(suggested, json.dumps({"to": suggested}, ensure_ascii=False))
                trans = step(_TRANSFER, trans_at, _TRANSFERRED, to)
        elif roll < 0.03 and age_min > 60:
            cancelled_at = t + _MINUTE * (1 + below(49))
            cancelled = step(_CANCEL, cancelled_at, _CANCELLED, _CHANNEL_CANCEL)
            if random_() < 0.7:
                step(_CANCEL_HANDLED, cancelled_at + _MINUTE * (5 + below(55)), _CANCELLED)
        elif age_min > 25 or roll < 0.4:
            answer = min(t + _MINUTE * (31 + below(59) if late else 1 + below(28)), now)
            if roll < 0.05:
                reason = pick(_ACCEPT_FAIL_REASONS)
                accf = step(_FAIL_ACCEPT, answer, _ACCEPT_FAILED, self._reason_json(reason))
            else:
                acc = step(_ACCEPT, answer, _ACCEPTED)
                hours = age.total_seconds() / 3600
                if hours > 3 and random_() < 0.92:
                    rng = self.rng
                    pick_at = answer + timedelta(hours=rng.uniform(16.2, 20) if random_() < 0.04 else rng.uniform(0.5, 12))
                    if pick_at < now:
                        if random_() < 0.04:
                            reason = pick(_PICKUP_FAIL_REASONS)
                            pickf = step(_FAIL_PICKUP, pick_at, _PICKUP_FAILED, self._reason_json(reason))
                        elif waybill and random_() < 0.5:
                            picked = scanned = step(_SCAN, pick_at, _PICKED_UP)
                        else:
                            waybill = waybill or f"{70 + seed_value % 20:02d}{order_id:011d}"
                            picked = step(_CONFIRM, pick_at, _PICKED_UP, f'{{"waybill_no": {_quote(waybill)}}}')
                            if random_() < 0.93:  # the rest are missed scans (漏扫)
                                scanned = step(_SCAN, min(pick_at + _MINUTE * (5 + below(235)), now), _PICKED_UP,
                                               _SUPPLEMENTARY)
        home = self.home
        phone = pick(_PHONE_HEADS) + f"{below(10**8):08d}"
        address = f"{pick(ROADS)}{1 + below(998)}号{1 + below(29)}幢{101 + below(2898)}室"
        row = (
            order_id, source, logistics, channel, business, t_stamp, name, phone, home.province, self.city, district,
            address, pick(NOTES), pick(GOODS), waybill, _stamp(dispatch_time) if dispatch_time else None, dispatch_op,
            trans_to or home.code, out_of_area, suggested, status, cancelled is not None, cancelled,
            len(history) > 2 and history[-1][0] == _CANCEL_HANDLED, len(history), t_stamp, history[-1][3],
            acc, accf, trans, trans_to, picked, pickf, scanned, reason, None,
        )
        if len(history) < 2:
            return row, history, None
        typed: dict[str, Any] = dict(zip(SEED_COLUMNS, row, strict=True))
        typed["order_time"], typed["dispatch_time"], typed["transferred_at"] = t, dispatch_time, trans_at
        return row, history, typed

    def _reason_json(self, reason: str) -> str:
        text = self._reason.get(reason)
        if text is None:
            text = self._reason[reason] = json.dumps({"reason": reason}, ensure_ascii=False)
        return text
