"""Head office under load: `hq serve --workers 2` on a local PostgreSQL, simulated stations pushing and pulling.

Each simulated station is an async httpx client with its own token. It pushes batches of new orders
(import ops with their audit-chain links, as a real station sends them) and pulls its feed after
each push. Runs, one after another, on the same service and database:

- closed loop: every station pushes again as soon as its last push is answered, for --seconds.
  This gives the most ops/s the service sustains. Its latency is not a target. With 200
  stations always waiting, a push waits behind the others: about 200 x 500 / (ops/s), by Little's law.
- open loop at each offered rate (--rates, by default 5,000, 6,500 and "max", 90% of the closed
  loop's rate): every station pushes one batch every 200 x 500 / rate seconds, on a fixed schedule
  with the stations spread out evenly. A push is timed from when it was due, so time spent queued
  behind a late push counts too. The 1 s target for p95 applies here, at 5,000 ops/s offered.

"All 200 stations push 500 ops at the same instant" is a 100,000-op wave: at 5,000 ops/s the last
push waits 20 s, so it cannot also have p95 under 1 s. That test is not run.

Printed for each run: pushed ops/s, p50/p95/p99 push latency, the most database connections held,
ops lost / doubled counted by the stations (every op answered `applied` exactly once, re-sends
answered `repeated`) and at head office (every station's ops are seqs 1..n once each, each with one
event, and cover what the station was told), where the machine's CPU went, with PASS/MISS beside
each target. Floor, measured
in the same run: the same batches pushed straight into head office's push function in one
process (no HTTP, no JSON).

    .venv/bin/python benchmarks/bench_hq_load.py                    # 200 stations, 60 s per run
    .venv/bin/python benchmarks/bench_hq_load.py --stations 50 --seconds 20 --rates 5000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import statistics
import sys
import time
from dataclasses import dataclass, field
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
DETAILS = '{"origin":"bench"}'


def _order(code: str, s: int) -> dict:
    return {"source": "淘宝", "logistics_no": f"{code}{s:09d}", "channel": "online",
            "business_type": "send_parcel", "order_time": AT, "sender_name": "王小明",
            "sender_phone": "13800000000", "sender_province": "浙江省", "sender_city": "杭州市",
            "sender_district": "西湖区", "sender_address": "文三路100号", "note": "", "goods": "衣服",
            "waybill_no": None, "dispatch_time": None, "dispatch_operator": None}


class SimStation:
    """One station's outbox as it grows: ops with consecutive seqs and the chain behind them."""

    def __init__(self, code: str) -> None:
        self.code, self.seq, self.chain = code, 0, GENESIS

    def batch(self, n: int) -> PushBatch:
        """The next ``n`` ops as protocol models (the reference the fast ``body`` is checked against)."""
        ops, links = [], []
        for _ in range(n):
            self.seq += 1
            s = self.seq
            content = (s, s, 1, "import", "张敏", AT, None, "waiting", DETAILS)
            self.chain = link(self.chain, event_content(*content))
            links.append(ChainLink(event_id=s, order_id=s, version=1, action="import", operator="张敏", at=AT,
                                   before=None, after="waiting", details=DETAILS, chain=self.chain))
            ops.append(Op(op_id=self.op_id(s), seq=s, action="import", event_id=s, order_version=1,
                          payload={"action": "import", "after_status": "waiting", "operator": "张敏",
                                   "order": _order(self.code, s)}))
        return PushBatch(station=self.code, links=links, ops=ops)

    def op_id(self, s: int) -> str:
        return f"{self.code}-{s:012d}-0000-0000"

    def body(self, n: int) -> tuple[bytes, int, int]:
        """The next ``n`` ops as the JSON body a station sends, written from a template (the load
        generator shares the machine's two cores with the service, so it must cost little)."""
        first = self.seq + 1
        links, ops = [], []
        order = json.dumps(_order(self.code, 0), ensure_ascii=False, separators=(",", ":"))
        head, _, tail = order.partition(f'"{self.code}{0:09d}"')
        for s in range(first, first + n):
            self.chain = link(self.chain, event_content(s, s, 1, "import", "张敏", AT, None, "waiting", DETAILS))
            links.append(f'{{"event_id":{s},"order_id":{s},"version":1,"action":"import","operator":"张敏",'
                         f'"at":"{AT}","before":null,"after":"waiting","details":{json.dumps(DETAILS)},'
                         f'"chain":"{self.chain}"}}')
            ops.append(f'{{"op_id":"{self.op_id(s)}","seq":{s},"action":"import","event_id":{s},"order_version":1,'
                       f'"payload":{{"action":"import","after_status":"waiting","operator":"张敏",'
                       f'"order":{head}"{self.code}{s:09d}"{tail}}}}}')
        self.seq = first + n - 1
        body = (f'{{"protocol":{PROTOCOL_VERSION},"station":"{self.code}","links":[{",".join(links)}],'
                f'"accounts":[],"ops":[{",".join(ops)}]}}')
        return body.encode(), first, self.seq


def self_check(batch: int) -> float:
    """The template writes what the protocol models write; returns its cost in µs per op."""
    a, b = SimStation("CHK01"), SimStation("CHK01")
    for _ in range(2):
        fast = PushBatch.model_validate_json(a.body(7)[0])
        if fast != b.batch(7):
            raise SystemExit("the benchmark's body template differs from the protocol models")
    start = time.perf_counter()
    SimStation("CHK02").body(batch)
    return (time.perf_counter() - start) / batch * 1e6


@dataclass
class Run:
    """What the stations saw in one run."""

    name: str
    latencies: list[float] = field(default_factory=list)
    acked: int = 0  # ops answered `applied` for the first time
    repeated: int = 0  # ops of a re-sent batch answered as already applied
    resent: int = 0  # batches sent again after a dropped line
    doubled: int = 0  # an op answered `applied` (not repeated) twice
    lost: int = 0  # ops a station sent and never had acknowledged
    errors: list[str] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    elapsed: float = 0.0
    offered: float | None = None
    late: int = 0  # pushes that started after their due time because the one before was still out
    cpu: dict[str, float] = field(default_factory=dict)


_TLS = ssl.create_default_context()


class Client:
    def __init__(self, url: str, code: str, token: str, sim: SimStation) -> None:
        self.code, self.sim = code, sim
        self.headers = {"Authorization": f"Bearer {token}", VERSION_HEADER: str(PROTOCOL_VERSION),
                        "Content-Type": "application/json"}
        self.url = url
        self.position = 0
        self.answered: set[int] = set()  # seqs answered `applied` (not repeated)

    async def push(self, http: httpx.AsyncClient, run: Run, batch: int, start: float | None = None) -> bool:
        body, first, last = self.sim.body(batch)
        start = time.perf_counter() if start is None else start
        for _attempt in range(5):  # a dropped line: the same batch again, as a station does
            try:
                r = await http.post("/v2/push", content=body)
                break
            except httpx.TransportError:
                run.resent += 1
        else:
            run.lost += last - first + 1
            return False
        run.latencies.append(time.perf_counter() - start)
        if r.status_code != 200:
            run.errors.append(f"{self.code}: {r.status_code} {r.text[:200]}")
            run.lost += last - first + 1
            return False
        results = r.json()["results"]
        seqs = [x["seq"] for x in results]
        if seqs != list(range(first, last + 1)) or any(x["op_id"] != self.sim.op_id(x["seq"]) for x in results):
            run.errors.append(f"{self.code}: answers do not match the batch sent (seqs {first}-{last})")
        for x in results:
            if x["result"] != "applied":
                run.errors.append(f"{self.code}: seq {x['seq']} {x['result']}: {x['message'][:100]}")
                run.lost += 1
            elif x["seq"] in self.answered:  # told twice: a second `applied` that is not a repeat is a double
                run.doubled += 0 if x["repeated"] else 1
            else:  # a batch re-sent after a dropped line is answered `repeated`: still its first answer here
                self.answered.add(x["seq"])
                run.acked += 1
                run.repeated += x["repeated"]
        return True

    async def pull(self, http: httpx.AsyncClient, run: Run) -> None:
        for _attempt in range(5):
            try:
                f = await http.get("/v2/feed", params={"after": self.position, "limit": 1000})
                break
            except httpx.TransportError:
                continue
        else:
            run.errors.append(f"{self.code}: feed unreachable")
            return
        if f.status_code == 200 and f.json()["entries"]:
            self.position = f.json()["entries"][-1]["position"]

    def http(self) -> httpx.AsyncClient:
        # one TLS context for all: httpx builds one per client otherwise (tens of ms each, 200 of them
        # blocking the event loop for seconds just as the run starts), though http:// never uses it
        return httpx.AsyncClient(base_url=self.url, headers=self.headers, timeout=300, verify=_TLS)


async def closed_loop(clients: list[Client], run: Run, batch: int, seconds: float) -> None:
    until = time.monotonic() + seconds

    async def station(c: Client) -> None:
        async with c.http() as http:
            while time.monotonic() < until:
                if not await c.push(http, run, batch):
                    return
                await c.pull(http, run)

    start = time.perf_counter()
    await asyncio.gather(*(station(c) for c in clients))
    run.elapsed = time.perf_counter() - start


async def open_loop(clients: list[Client], run: Run, batch: int, seconds: float, rate: float) -> None:
    """Each station pushes on its own fixed schedule; latency counts from the due time."""
    interval = len(clients) * batch / rate
    t0 = time.perf_counter() + 0.5

    async def station(i: int, c: Client) -> None:
        async with c.http() as http:
            due = t0 + i * interval / len(clients)
            while due < t0 + seconds:
                now = time.perf_counter()
                if now < due:
                    await asyncio.sleep(due - now)
                else:
                    run.late += 1
                if not await c.push(http, run, batch, start=due):
                    return
                await c.pull(http, run)
                due += interval

    run.offered = rate
    await asyncio.gather(*(station(i, c) for i, c in enumerate(clients)))
    run.elapsed = time.perf_counter() - t0


_TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """CPU seconds of a process and its children, live and exited (Linux /proc)."""
    total = 0
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(x) for x in f[11:15])
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            c = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in c[11:15])
    except (OSError, IndexError):
        pass
    return total / _TICK


def _machine_busy() -> float:
    """CPU seconds every core of the machine spent busy (everyone's work, ours and others')."""
    f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(f) - f[3] - f[4]) / _TICK


class CPU:
    """Where the machine's CPU went during a run: the stations (this process), `hq serve`, PostgreSQL,
    and whatever else ran on the shared machine meanwhile."""

    def __init__(self, service_pid: int, postgres_pid: int) -> None:
        self.pids = {"hq serve": service_pid, "PostgreSQL": postgres_pid}
        self.start = self._now()

    def _now(self) -> dict[str, float]:
        out = {k: _proc_cpu(p) for k, p in self.pids.items()}
        out["stations (load generator)"] = time.process_time()
        out["machine"] = _machine_busy()
        return out

    def spent(self) -> dict[str, float]:
        end = self._now()
        d = {k: end[k] - self.start[k] for k in end}
        d["other work on the machine"] = d.pop("machine") - sum(d.values())
        return d


async def watched(engine, work) -> list[int]:  # noqa: ANN001
    """Run ``work`` while sampling the database connections held, once a second."""
    from sqlalchemy import text

    held: list[int] = []
    task = asyncio.create_task(work)
    while not task.done():
        with engine.connect() as c:
            held.append(c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                       "AND backend_type = 'client backend'")).scalar_one() - 1)
        await asyncio.wait([task], timeout=1)
    await task
    return held


def hq_side(engine, acked: dict[str, int]) -> tuple[int, int]:  # noqa: ANN001
    """Lost and doubled as head office's tables show them: a station's ops must be seqs 1..n once
    each, each with one event, and cover every seq the station was told was applied."""
    from sqlalchemy import func, select, text

    from stationdesk.sync.hq_tables import HQ_OPS

    with engine.connect() as c:
        stored = c.execute(select(func.count()).select_from(HQ_OPS).where(HQ_OPS.c.station_code.like("BS%"))).scalar_one()
        distinct = c.execute(select(func.count(func.distinct(HQ_OPS.c.op_id)))
                             .where(HQ_OPS.c.station_code.like("BS%"))).scalar_one()
        per_station = {r[0]: (r[1], r[2]) for r in c.execute(
            select(HQ_OPS.c.station_code, func.count(), func.max(HQ_OPS.c.seq))
            .where(HQ_OPS.c.station_code.like("BS%")).group_by(HQ_OPS.c.station_code)).all()}
        events = c.execute(text("SELECT count(*) FROM hq_event WHERE station_code LIKE 'BS%'")).scalar_one()
    lost = sum(max(0, top - per_station.get(s, (0, 0))[0]) for s, top in acked.items())
    doubled = (stored - distinct) + (events - stored) + sum(n - top for n, top in per_station.values())
    return lost, doubled


def floor(engine, n_batches: int, batch: int) -> float:  # noqa: ANN001
    """Pushed ops/s calling head office's push function directly, one station after another."""
    from stationdesk.sync import hq_service

    start = time.perf_counter()
    for i in range(n_batches):
        b = SimStation(f"FL{i:03d}").batch(batch)
        hq_service.do_push(engine, b.station, b)
    return n_batches * batch / (time.perf_counter() - start)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, round(p / 100 * (len(v) - 1)))]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(run: Run, hq_lost: int, hq_doubled: int, stations: int, batch: int) -> None:
    rate = run.acked / run.elapsed if run.elapsed else 0.0
    lat = run.latencies
    p50, p95, p99 = pct(lat, 50), pct(lat, 95), pct(lat, 99)
    print(f"\n{run.name}: {run.elapsed:.1f} s, {len(lat)} pushes of {batch} ops, {len(run.errors)} errors, {run.resent} re-sent after a dropped line"
          + (f", {run.late} pushes started late (the station's last push was still out)" if run.offered else ""))
    for e in run.errors[:5]:
        print(f"  error: {e}")
    print(f"  {'figure':36} {'measured':>14} {'target':>12}")
    if run.offered is None:
        print(f"  {'pushed ops/s':36} {rate:14,.0f} {'>= ' + format(TARGET_OPS, ',.0f'):>12}  {verdict(rate >= TARGET_OPS)}")
        print(f"  {'push p50 / p95 / p99 (s)':36} {f'{p50:.2f} / {p95:.2f} / {p99:.2f}':>14} {'(queueing)':>12}"
              f"  Little's law: {stations} x {batch} / {rate:,.0f} = {stations * batch / rate if rate else 0:.1f} s")
    else:
        print(f"  {'offered ops/s':36} {run.offered:14,.0f}")
        print(f"  {'pushed ops/s':36} {rate:14,.0f} {'= offered':>12}  {verdict(rate >= 0.97 * run.offered)}")
        target = run.offered >= TARGET_OPS
        print(f"  {'push p50 / p95 / p99 (s)':36} {f'{p50:.2f} / {p95:.2f} / {p99:.2f}':>14} "
              f"{'p95 < ' + format(TARGET_P95, '.1f') if target else '':>12}  "
              f"{verdict(p95 < TARGET_P95) if target else ''}")
    print(f"  {'db connections held (max)':36} {max(run.held or [0]):14d}")
    if run.cpu and run.acked:
        print("  CPU ms per 1,000 ops pushed: " + ", ".join(f"{k} {v / run.acked * 1e6:,.0f}" for k, v in run.cpu.items())
              + f" (2 cores = {2 * run.elapsed / run.acked * 1e6:,.0f})")
    print(f"  {'lost / doubled, stations':36} {f'{run.lost} / {run.doubled}':>14} {'0 / 0':>12}  "
          f"{verdict(run.lost == 0 and run.doubled == 0)}")
    print(f"  {'lost / doubled, head office':36} {f'{hq_lost} / {hq_doubled}':>14} {'0 / 0':>12}  "
          f"{verdict(hq_lost == 0 and hq_doubled == 0)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stations", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60.0, help="length of each run")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--pool", type=int, default=10, help="database connections per worker (and as many overflow); "
                    "10 is hq serve's default")
    ap.add_argument("--rates", default="5000,6500,max",
                    help="open-loop offered rates, ops/s ('max': 90%% of the closed loop's)")
    ap.add_argument("--durable", action="store_true", help="PostgreSQL with fsync and synchronous commit on (the "
                    "tests' server has them off)")
    args = ap.parse_args()

    from stationdesk.sync import hq_credentials, hq_schema
    from tests.sync.conftest import HQService, PGServer, new_database, prepared_hq

    class DurablePG(PGServer):
        """The tests' server with PostgreSQL's durability defaults: every commit waits for its WAL on disk."""

        def start(self) -> None:
            proc = self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                             "--no-locale", "--no-sync")
            if proc.returncode != 0:
                raise SystemExit(f"initdb failed: {proc.stderr}")
            opts = f"-h 127.0.0.1 -p {self.port} -k {self.base} -c max_connections=60"
            proc = self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.log), "-w", "-t", "60", "start")
            if proc.returncode != 0:
                raise SystemExit(f"PostgreSQL did not start: {proc.stderr}")

    gen_us = self_check(args.batch)
    pg = DurablePG() if args.durable else PGServer()
    pg.start()
    service = None
    try:
        url = new_database(pg)
        engine = prepared_hq(url)
        codes = [f"BS{i:03d}" for i in range(args.stations)] + [f"FL{i:03d}" for i in range(10)] + ["BSOLO"]
        hq_schema.store_directory(engine, [Station(c, c, "浙江省", frozenset({f"区{c}"}), StationKind.STATION)
                                           for c in codes] + [Station("DC001", "数据中心", "浙江省", frozenset(),
                                                                      StationKind.DATACENTER)])
        floor_rate = floor(engine, 10, args.batch)
        now = datetime.now(UTC)
        tokens = {c: hq_credentials.issue(engine, c, now, replace=False) for c in codes if c.startswith("BS")}
        service = HQService(url, workers=args.workers, pool=args.pool)
        service.start()
        clients = [Client(service.url, c, tokens[c], SimStation(c)) for c in codes[: args.stations]]
        print(f"{args.stations} stations, hq serve --workers {args.workers} --pool {args.pool}, batches of {args.batch} "
              f"ops, {args.seconds:.0f} s per run; PostgreSQL {pg.bin.parent.name} on 127.0.0.1 "
              f"({'fsync on, synchronous commit' if args.durable else 'fsync off'}); load generator {gen_us:.0f} µs/op to write a body, on the same 2 cores")

        def finish(run: Run) -> None:
            acked = {c.code: max(c.answered, default=0) for c in clients}
            report(run, *hq_side(engine, acked), args.stations, args.batch)

        closed = Run("closed loop: every station pushes again as soon as it is answered")
        postmaster = int((pg.data / "postmaster.pid").read_text().split()[0])
        cpu = CPU(service.proc.pid, postmaster)
        closed.held = asyncio.run(watched(engine, closed_loop(clients, closed, args.batch, args.seconds)))
        closed.cpu = cpu.spent()
        finish(closed)
        max_rate = closed.acked / closed.elapsed
        for r in [x.strip() for x in args.rates.split(",") if x.strip()]:
            rate = (int(0.9 * max_rate / 100) * 100) if r == "max" else float(r)
            if rate <= 0:
                continue
            run = Run(f"open loop at {rate:,.0f} ops/s offered: each station pushes every "
                      f"{args.stations * args.batch / rate:.1f} s, the stations spread evenly")
            cpu = CPU(service.proc.pid, postmaster)
            run.held = asyncio.run(watched(engine, open_loop(clients, run, args.batch, args.seconds, rate)))
            run.cpu = cpu.spent()
            finish(run)

        solo_run = Run("one station alone")
        solo = Client(service.url, "BSOLO", tokens["BSOLO"], SimStation("BSOLO"))

        async def alone() -> None:
            async with solo.http() as http:
                for _ in range(10):
                    await solo.push(http, solo_run, args.batch)

        asyncio.run(alone())
        print(f"\n{'one station alone: push p50 / p95 (s)':38} "
              f"{statistics.median(solo_run.latencies):.3f} / {pct(solo_run.latencies, 95):.3f}")
        print(f"{'floor: direct push ops/s':38} {floor_rate:,.0f}  (one process, no HTTP; closed loop / floor "
              f"{max_rate / floor_rate:.2f})")
        if any(r.errors for r in (closed, solo_run)):
            print(f"service log: {service.log}")
        engine.dispose()
    finally:
        if service is not None:
            service.stop()
        pg.stop()


if __name__ == "__main__":
    main()
