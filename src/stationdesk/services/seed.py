"""Demo data: realistic orders over recent days with their whole history (events, outbox ops
and the audit ledger), written as a bulk load (store/bulk.py): a million orders in minutes.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from stationdesk.domain import ledger as ledger_rules
from stationdesk.domain.chain import event_content, link
from stationdesk.domain.errors import DomainError
from stationdesk.domain.fields import SOURCES
from stationdesk.domain.reasons import Reason
from stationdesk.domain.routing import Station
from stationdesk.domain.statuses import Action, Status
from stationdesk.services import ledger
from stationdesk.services.context import Desk
from stationdesk.services.feed_import import IMPORT_COLUMNS
from stationdesk.store.journal import EVENT_COLUMNS, OP_COLUMNS
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


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "151", "186", "187", "135", "177", "199"]) + f"{rng.randrange(10**8):08d}"


def seed(desk: Desk, orders: int, seed_value: int = 1, days: int = 14,
         progress: Callable[[int], None] | None = None, chunk: int = 20_000) -> int:
    """Add ``orders`` demo orders spread over the last ``days`` days; returns how many were added.

    A bulk load (store/bulk.py): one writer connection with bulk-load settings, each chunk of
    orders one transaction with its events, outbox ops and ledger rows; on a database with no
    orders yet, the secondary indexes are built once after the load instead of row by row.
    Python builds the next chunk while SQLite writes the last one (it works with Python's lock
    released)."""
    from stationdesk.store import bulk

    rng = random.Random(seed_value)
    now = desk.now()
    home = desk.station
    others = [s for s in desk.directory if not s.is_datacenter and s.code != home.code]
    home_districts = sorted(home.districts) or ["西湖区"]
    other_districts = [(d, s) for s in others for d in sorted(s.districts)]
    sources = list(SOURCES.items())
    recorded = to_db(now)
    with bulk.BulkWriter(desk.db, home.code) as writer:
        start = writer.start
        op_ids = _OrderedOpIds()
        previous = start.chain
        done = written = 0  # orders and events handed to the writer so far
        while done < orders:
            n = min(chunk, orders - done)
            first_id = start.order_id + done
            rows: list[tuple[Any, ...]] = []
            events: list[tuple[Any, ...]] = []
            ops: list[tuple[Any, ...]] = []
            found: dict[tuple[int, str, str, str], tuple[Any, ...]] = {}
            for i in range(n):
                order_id = first_id + i
                row, history = _one_order(rng, now, days, order_id, home, home_districts, other_districts, sources,
                                          seed_value)
                rows.append(row)
                first_event = len(events)
                for version, (action, operator, at, before, after, details) in enumerate(history, start=1):
                    stamp = _stamp(at)
                    event_id = start.event_id + written + len(events)
                    event = (event_id, order_id, version, action, operator, stamp, before, after, _details(details))
                    previous = link(previous, event_content(*event))  # the audit chain: see domain/chain.py
                    events.append((*event, previous))
                    # demo history counts as already synced with head office; the draw keeps the
                    # orders of a seed value the same whatever the op ids are made of
                    noise = rng.getrandbits(128) ^ (order_id << 8 | version)
                    ops.append((start.outbox_id + written + len(ops), op_ids.next(noise), home.code,
                                start.seq + written + len(ops), event_id, order_id, version, action,
                                _payload(action, operator, stamp), stamp, stamp))
                if len(history) < 2:
                    continue  # only the import: no action, no violation
                # the audit ledger of the demo history, found by the rules `check` replays
                history_rows = [(order_id, e[0], e[3], e[5], e[7], e[8], e[6]) for e in events[first_event:]]
                for _, event_id, f in ledger.found_in_history(home.code, dict(zip(SEED_COLUMNS, row, strict=True)),
                                                              history_rows):
                    found.setdefault((order_id, f.station, f.kind.value, to_db(f.deadline)), (
                        order_id, f.station, f.kind.value, f.fine, to_db(f.deadline), to_db(f.at) if f.at else None,
                        ledger_rules.State.PROVISIONAL.value, recorded, event_id))
            writer.put(bulk.Chunk(first_id, [("orders", SEED_COLUMNS, rows), ("order_event", EVENT_COLUMNS, events),
                                             ("outbox", OP_COLUMNS, ops),
                                             ("violation", SEED_VIOLATION_COLUMNS, list(found.values()))]))
            done += n
            written += len(events)
            if progress:
                progress(done)
        writer.finish()
    desk.db.ensure_statistics(added=done)
    return done


SEED_VIOLATION_COLUMNS = ("order_id", "station_code", "kind", "fine", "deadline", "at", "state", "recorded_at",
                          "event_id")


# An event of a demo order's history: action, operator, at, status before (None for the import), after, details.
HistoryEntry = tuple[str, str, datetime, str | None, str, dict[str, Any]]


def _stamp(at: datetime) -> str:
    """``to_db(at)``: the same text, without the conversion when ``at`` is already in UTC."""
    if at.tzinfo is UTC:
        return at.isoformat(timespec="microseconds")[:-6] + "Z"
    return to_db(at)


_DETAILS: dict[tuple[tuple[str, Any], ...], str] = {}
_PAYLOADS: dict[tuple[str, str], str] = {}


def _details(details: dict[str, Any]) -> str:
    """The event's details as JSON (a handful of shapes in demo history: each encoded once)."""
    key = tuple(details.items())
    text = _DETAILS.get(key)
    if text is None:
        text = _DETAILS[key] = json.dumps(details, ensure_ascii=False)
    return text


def _payload(action: str, operator: str, stamp: str) -> str:
    """The outbox payload, the text json.dumps({"action", "operator", "at"}) gives."""
    head = _PAYLOADS.get((action, operator))
    if head is None:
        head = _PAYLOADS[(action, operator)] = json.dumps({"action": action, "operator": operator, "at": ""})[:-2]
    return f"{head}{stamp}\"}}"


class _OrderedOpIds:
    """Op ids in the order they are written (the version 7 layout: this run's start in milliseconds,
    then a counter, then random bits), so the outbox's unique op_id index grows at one end instead
    of taking random inserts across millions of entries. A second run starts later: new ids."""

    def __init__(self) -> None:
        self.stamp = (time.time_ns() // 1_000_000 & (1 << 48) - 1) << 80
        self.count = 0

    def next(self, noise: int) -> str:
        self.count += 1
        # 74 free bits: a 40-bit counter on top (12 + 28), 34 random bits below it
        low = (self.count << 34 | noise & (1 << 34) - 1)
        value = self.stamp | 0x7 << 76 | (low >> 62) << 64 | 0x2 << 62 | low & (1 << 62) - 1
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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


def _one_order(rng: random.Random, now: datetime, days: int, order_id: int, home: Station, home_districts: list[str],
               other_districts: list[tuple[str, Station]], sources: list[tuple[str, str]],
               seed_value: int) -> tuple[tuple[Any, ...], list[HistoryEntry]]:
    age = timedelta(seconds=rng.random() ** 1.6 * days * 86400)  # more recent orders than old ones
    t = now - age
    local_hour = (t.hour + 8) % 24
    if local_hour < 7:  # few orders at night (station time)
        t -= timedelta(hours=rng.randrange(2, 6))
    source, code = rng.choice(sources)
    logistics = f"{code}{seed_value:02d}{order_id:010d}"
    business = "send_parcel" if rng.random() < 0.45 else "online_order"
    channel = "online" if rng.random() < 0.85 else "offline"
    out_of_area = rng.random() < 0.05
    if out_of_area and other_districts:
        district, target = rng.choice(other_districts)
        suggested = target.code
    else:
        district, suggested, out_of_area = rng.choice(home_districts), None, False
    waybill = f"{55 + seed_value % 40:02d}{order_id:011d}" if business == "online_order" and rng.random() < 0.6 else None
    dispatch_time = dispatch_op = None
    if rng.random() < 0.03:
        dispatch_time = min(t + timedelta(minutes=rng.randrange(5, 90)), now)  # never in the future
        dispatch_op = rng.choice(["电商小王", "电商李燕", "调度员周"])
    clerk = rng.choice(CLERKS)
    name = rng.choice(FAMILY) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    history: list[HistoryEntry] = [(Action.IMPORT.value, "feed", t, None, Status.WAITING.value, {"origin": "seed"})]
    status = Status.WAITING
    acc = accf = trans = trans_to = picked = pickf = scanned = cancelled_at = None
    reason = None
    age_min = age.total_seconds() / 60
    roll = rng.random()
    late = rng.random() < 0.06

    def step(action: Action, at: datetime, new: Status, details: dict[str, Any] | None = None) -> None:
        nonlocal status
        history.append((action.value, clerk if action is not Action.PICKUP_SCAN else rng.choice(COURIERS),
                        at, status.value, new.value, details or {}))
        status = new

    if out_of_area:
        if age_min > 40 or roll < 0.5:
            trans = t + timedelta(minutes=rng.randrange(45, 120) if late else rng.randrange(2, 29))
            trans = min(trans, now)
            trans_to = suggested
            step(Action.TRANSFER, trans, Status.TRANSFERRED, {"to": suggested})
    elif roll < 0.03 and age_min > 60:
        cancelled_at = t + timedelta(minutes=rng.randrange(1, 50))
        step(Action.CANCEL, cancelled_at, Status.CANCELLED, {"origin": "channel"})
        if rng.random() < 0.7:
            step(Action.MARK_CANCEL_HANDLED, cancelled_at + timedelta(minutes=rng.randrange(5, 60)), Status.CANCELLED)
    elif age_min > 25 or roll < 0.4:
        answer = t + timedelta(minutes=rng.randrange(31, 90) if late else rng.randrange(1, 29))
        answer = min(answer, now)
        if roll < 0.05:
            accf, reason = answer, rng.choice([Reason.CUSTOMER_UNREACHABLE, Reason.WRONG_ADDRESS, Reason.DUPLICATE_ORDER]).value
            step(Action.FAIL_ACCEPT, accf, Status.ACCEPT_FAILED, {"reason": reason})
        else:
            acc = answer
            step(Action.ACCEPT, acc, Status.ACCEPTED)
            hours = age.total_seconds() / 3600
            if hours > 3 and rng.random() < 0.92:
                pick = acc + timedelta(hours=rng.uniform(16.2, 20) if rng.random() < 0.04 else rng.uniform(0.5, 12))
                if pick < now:
                    if rng.random() < 0.04:
                        pickf, reason = pick, rng.choice([Reason.CUSTOMER_UNREACHABLE, Reason.PROHIBITED_GOODS]).value
                        step(Action.FAIL_PICKUP, pickf, Status.PICKUP_FAILED, {"reason": reason})
                    elif waybill and rng.random() < 0.5:
                        picked = scanned = pick
                        step(Action.PICKUP_SCAN, pick, Status.PICKED_UP)
                    else:
                        waybill = waybill or f"{70 + seed_value % 20:02d}{order_id:011d}"
                        picked = pick
                        step(Action.CONFIRM_PICKUP, pick, Status.PICKED_UP, {"waybill_no": waybill})
                        if rng.random() < 0.93:  # the rest are missed scans (漏扫)
                            scanned = min(pick + timedelta(minutes=rng.randrange(5, 240)), now)
                            step(Action.PICKUP_SCAN, scanned, Status.PICKED_UP, {"supplementary": True})
    def ts(d: datetime | None) -> str | None:
        return _stamp(d) if d else None

    row = (
        order_id, source, logistics, channel, business, to_db(t), name, _phone(rng), home.province,
        "杭州市" if home.province == "浙江省" else "", district,
        f"{rng.choice(ROADS)}{rng.randrange(1, 999)}号{rng.randrange(1, 30)}幢{rng.randrange(101, 2999)}室",
        rng.choice(NOTES), rng.choice(GOODS), waybill, ts(dispatch_time), dispatch_op, trans_to or home.code,
        out_of_area, suggested, status.value, cancelled_at is not None, ts(cancelled_at),
        len(history) > 2 and history[-1][0] == Action.MARK_CANCEL_HANDLED.value, len(history), ts(t), ts(history[-1][2]),
        ts(acc), ts(accf), ts(trans), trans_to, ts(picked), ts(pickf), ts(scanned), reason, None,
    )
    return row, history
