"""Head office under load: `hq serve --workers 2` on a local PostgreSQL, simulated stations pushing and pulling.

Each simulated station is an async httpx client with its own token. It pushes batches of new orders
(import ops with their audit-chain links, as a real station sends them) and pulls its feed between
batches, for the given duration. Printed: aggregate pushed ops/s, p50/p95 push latency of a batch,
database connections held, and ops lost or doubled, counted on both sides.

Floor measured in the same run: the same batches pushed straight into head office's push function
in one process (no HTTP, no JSON): the service's throughput is shown as a ratio of it.

    .venv/bin/python benchmarks/bench_hq_load.py                    # 200 stations, 60 s
    .venv/bin/python benchmarks/bench_hq_load.py --stations 50 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402

from stationdesk.domain.chain import GENESIS, event_content, link  # noqa: E402
from stationdesk.domain.routing import Station, StationKind  # noqa: E402
from stationdesk.sync.protocol import PROTOCOL_VERSION, VERSION_HEADER, ChainLink, Op, PushBatch  # noqa: E402

TARGET_OPS = 5000.0
TARGET_P95 = 1.0
AT = "2026-11-23T02:00:00.000000Z"


class SimStation:
    """One station's outbox as it grows: ops with consecutive seqs and the chain behind them."""

    def __init__(self, code: str) -> None:
        self.code, self.seq, self.chain = code, 0, GENESIS

    def batch(self, n: int) -> PushBatch:
        ops, links = [], []
        for _ in range(n):
            self.seq += 1
            s = self.seq
            details = '{"origin":"bench"}'
            content = (s, s, 1, "import", "张敏", AT, None, "waiting", details)
            self.chain = link(self.chain, event_content(*content))
            links.append(ChainLink(event_id=s, order_id=s, version=1, action="import", operator="张敏", at=AT,
                                   before=None, after="waiting", details=details, chain=self.chain))
            order = {"source": "淘宝", "logistics_no": f"{self.code}{s:09d}", "channel": "online",
                     "business_type": "send_parcel", "order_time": AT, "sender_name": "王小明",
                     "sender_phone": "13800000000", "sender_province": "浙江省", "sender_city": "杭州市",
                     "sender_district": "西湖区", "sender_address": "文三路100号", "note": "", "goods": "衣服",
                     "waybill_no": None, "dispatch_time": None, "dispatch_operator": None}
            ops.append(Op(op_id=f"{self.code}-{s:012d}-0000-0000", seq=s, action="import", event_id=s,
                          order_version=1, payload={"action": "import", "after_status": "waiting", "operator": "张敏",
                                                    "order": order}))
        return PushBatch(station=self.code, links=links, ops=ops)


async def run_station(url: str, code: str, token: str, batch: int, until: float, latencies: list[float],
                      acked: dict[str, int], errors: list[str]) -> None:
    sim = SimStation(code)
    headers = {"Authorization": f"Bearer {token}", VERSION_HEADER: str(PROTOCOL_VERSION),
               "Content-Type": "application/json"}
    position = 0
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as http:
        while time.monotonic() < until:
            body = sim.batch(batch).model_dump_json()
            for _attempt in range(5):  # a dropped line: the same batch again, as a station does
                start = time.perf_counter()
                try:
                    r = await http.post("/v2/push", content=body)
                except httpx.TransportError as exc:
                    errors.append(f"{code}: {exc.__class__.__name__} (re-sent)")
                    continue
                latencies.append(time.perf_counter() - start)
                break
            else:
                return
            if r.status_code != 200:
                errors.append(f"{code}: {r.status_code} {r.text[:200]}")
                return
            acked[code] = sim.seq  # every op up to here is acknowledged
            f = await http.get("/v2/feed", params={"after": position, "limit": 1000})
            if f.status_code == 200 and f.json()["entries"]:
                position = f.json()["entries"][-1]["position"]


async def solo_run(url: str, token: str, code: str, batch: int, acked: dict[str, int], latencies: list[float],
                   errors: list[str], pushes: int = 10) -> None:
    """One station pushing alone, continuing its own sequence after the wave."""
    sim = SimStation(code)
    while sim.seq < acked.get(code, 0):  # replay the chain and seqs it already pushed, without sending them
        sim.batch(min(batch, acked[code] - sim.seq))
    headers = {"Authorization": f"Bearer {token}", VERSION_HEADER: str(PROTOCOL_VERSION),
               "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as http:
        for _ in range(pushes):
            body = sim.batch(batch).model_dump_json()
            start = time.perf_counter()
            r = await http.post("/v2/push", content=body)
            latencies.append(time.perf_counter() - start)
            if r.status_code != 200:
                errors.append(f"{code} alone: {r.status_code} {r.text[:200]}")
                return
            acked[code] = sim.seq


def floor(engine, n_batches: int, batch: int) -> float:  # noqa: ANN001
    """Pushed ops/s calling head office's push function directly, one station after another."""
    from stationdesk.sync import hq, hq_chain

    start = time.perf_counter()
    for i in range(n_batches):
        sim = SimStation(f"FL{i:03d}")
        b = sim.batch(batch)
        by_id = {o.op_id: o for o in b.ops}

        def check(conn, new, b=b, by_id=by_id):  # noqa: ANN001, ANN202
            links, _ = hq_chain.take_links(conn, b.station, b.links)
            hq_chain.check_ops(conn, b.station, [by_id[x.op_id] for x in new], links)

        hq.push_batch(engine, b.station, [hq.PushedOp(o.op_id, o.seq, o.action, o.payload) for o in b.ops],
                      datetime.now(UTC), before_apply=check)
    return n_batches * batch / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stations", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    from sqlalchemy import func, select, text

    from stationdesk.sync import hq_credentials, hq_schema
    from stationdesk.sync.hq_tables import HQ_OPS
    from tests.sync.conftest import HQService, PGServer, new_database, prepared_hq

    pg = PGServer()
    pg.start()
    service = None
    try:
        url = new_database(pg)
        engine = prepared_hq(url)
        codes = [f"BS{i:03d}" for i in range(args.stations)] + [f"FL{i:03d}" for i in range(10)]
        hq_schema.store_directory(engine, [Station(c, c, "浙江省", frozenset({f"区{c}"}), StationKind.STATION)
                                           for c in codes] + [Station("DC001", "数据中心", "浙江省", frozenset(),
                                                                      StationKind.DATACENTER)])
        floor_rate = floor(engine, 10, args.batch)
        now = datetime.now(UTC)
        tokens = {c: hq_credentials.issue(engine, c, now, replace=False) for c in codes[: args.stations]}
        service = HQService(url, workers=args.workers)
        service.start()
        latencies: list[float] = []
        acked: dict[str, int] = {}
        errors: list[str] = []
        held = []

        async def all_stations() -> float:
            until = time.monotonic() + args.seconds
            start = time.perf_counter()
            tasks = [asyncio.create_task(run_station(service.url, c, t, args.batch, until, latencies, acked, errors))
                     for c, t in tokens.items()]

            async def watch() -> None:
                while not all(t.done() for t in tasks):
                    with engine.connect() as c:
                        held.append(c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                                   "current_database()")).scalar_one() - 1)
                    await asyncio.sleep(1)

            await asyncio.gather(*tasks, watch())
            return time.perf_counter() - start

        elapsed = asyncio.run(all_stations())
        # one station alone afterwards: the time a 500-op push takes when it does not queue behind 199 others
        solo: list[float] = []
        solo_code = codes[0]
        asyncio.run(solo_run(service.url, tokens[solo_code], solo_code, args.batch, acked, solo, errors))
        sent = sum(acked.values())
        with engine.connect() as c:
            stored = c.execute(select(func.count()).select_from(HQ_OPS).where(HQ_OPS.c.station_code.like("BS%"))).scalar_one()
            distinct = c.execute(select(func.count(func.distinct(HQ_OPS.c.op_id)))
                                 .where(HQ_OPS.c.station_code.like("BS%"))).scalar_one()
            per_station = {r[0]: (r[1], r[2]) for r in c.execute(
                select(HQ_OPS.c.station_code, func.count(), func.max(HQ_OPS.c.seq))
                .where(HQ_OPS.c.station_code.like("BS%")).group_by(HQ_OPS.c.station_code)).all()}
            events = c.execute(text("SELECT count(*) FROM hq_event WHERE station_code LIKE 'BS%'")).scalar_one()
        # lost: acknowledged to a station but not at head office; doubled: an op stored or applied
        # twice (every station's ops must be seqs 1..n exactly once, each with one event)
        lost = sum(max(0, acked.get(s, 0) - per_station.get(s, (0, 0))[0]) for s in tokens)
        doubled = (stored - distinct) + (events - stored) + sum(n - top for n, top in per_station.values())
        rate = sent / elapsed
        lat = sorted(latencies)
        p50 = statistics.median(lat) if lat else float("nan")
        p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
        print(f"stations {args.stations}, workers {args.workers}, batch {args.batch} ops, {elapsed:.1f} s, "
              f"{len(lat)} pushes, errors {len(errors)}")
        for e in errors[:5]:
            print(f"  error: {e}")
        if errors:
            print(f"  service log: {service.log}")
        print(f"{'figure':34} {'measured':>12} {'target':>10}")
        print(f"{'pushed ops/s (aggregate)':34} {rate:12,.0f} {'>= ' + format(TARGET_OPS, ',.0f'):>10}")
        print(f"{'push p50 (s, one batch)':34} {p50:12.3f} {'':>10}")
        print(f"{'push p95 (s, one batch)':34} {p95:12.3f} {'< ' + format(TARGET_P95, '.1f'):>10}")
        alone = sorted(solo)
        print(f"{'one station alone: push p50 (s)':34} {statistics.median(alone):12.3f} {'':>10}")
        print(f"{'one station alone: push p95 (s)':34} {alone[int(0.95 * (len(alone) - 1))]:12.3f} "
              f"{'< ' + format(TARGET_P95, '.1f'):>10}")
        print(f"{'db connections held (max)':34} {max(held or [0]):12d} {'':>10}")
        print(f"{'ops lost / doubled':34} {f'{lost} / {doubled}':>12} {'0 / 0':>10}")
        print(f"{'floor: direct push ops/s':34} {floor_rate:12,.0f} {'':>10}")
        print(f"{'service / floor':34} {rate / floor_rate:12.2f} {'':>10}")
        engine.dispose()
    finally:
        if service is not None:
            service.stop()
        pg.stop()


if __name__ == "__main__":
    main()
