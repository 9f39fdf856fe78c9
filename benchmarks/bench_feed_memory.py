"""Peak memory of importing a big feed: it must not grow with the file.

Writes a CSV feed of N rows (1,000,000 by default, about 200 MB; one row in a thousand carries an
invalid byte and is refused), imports it into a fresh station database in a process of its own
and reads that process's peak resident size (``resource``, ru_maxrss). The floor is the same
process importing a 1,000-row feed: the peak of the big import minus the floor is what the file's
size costs. The limit is a few tens of MB (50 MiB) whatever the size.

    .venv/bin/python benchmarks/bench_feed_memory.py [--rows N] [--keep]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import make_importable

make_importable()

LIMIT_MIB = 50
HEADER = ("logistics_no,source,channel,business_type,order_time,sender_name,sender_phone,sender_province,"
          "sender_city,sender_district,sender_address,note,goods,waybill_no,dispatch_time,dispatch_operator,cancelled\n")
ROW = ("{n},淘宝,线上,我要寄快递,2026-11-23T09:{m:02d}:00+08:00,张三,13812345678,浙江省,杭州市,西湖区,"
       "文三路{n}号 一段足够长的地址用来让每一行接近真实的大小,请在下午三点前上门取件谢谢,文件,,,,\n")
PROBE = """
import json, resource, sys, time
from datetime import UTC, datetime
from pathlib import Path
from stationdesk.bootstrap import open_desk
from stationdesk.services.feed_import import import_feed
desk = open_desk(Path(sys.argv[1]), Path(sys.argv[1] + ".none.toml"),
                 clock=lambda: datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
started = time.perf_counter()
report = import_feed(desk, Path(sys.argv[2]))
print(json.dumps({"imported": report.imported, "rejected": len(report.rejected),
                  "seconds": time.perf_counter() - started,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def write_feed(path: Path, rows: int) -> int:
    with path.open("wb") as f:
        f.write(HEADER.encode())
        for n in range(rows):
            line = ROW.format(n=f"LP{n:010d}", m=n % 60).encode()
            f.write(line.replace(b"\xe5\xbc\xa0", b"\xff") if n % 1000 == 7 else line)
    return path.stat().st_size


def run(folder: Path, rows: int) -> dict:
    from stationdesk.services.setup import init_database

    db = folder / f"s{rows}.db"
    init_database(db, "HZ001")
    feed = folder / f"feed{rows}.csv"
    size = write_feed(feed, rows)
    out = subprocess.run([sys.executable, "-c", PROBE, str(db), str(feed)], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    result["file_mib"] = size / 2**20
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-feed-") as scratch:
        folder = Path(scratch)
        floor = run(folder, 1_000)
        big = run(folder, args.rows)
        if args.keep:
            print(f"kept nothing: files live in {folder} only while the script runs")
    growth = (big["peak_kib"] - floor["peak_kib"]) / 1024
    print(f"feed: {args.rows:,} rows, {big['file_mib']:.0f} MiB; imported {big['imported']:,}, "
          f"refused {big['rejected']:,} (every 1000th row has an invalid byte)")
    print(f"{'measure':34} {'value':>12} {'limit':>12}")
    print(f"{'peak RSS, 1,000-row feed (floor)':34} {floor['peak_kib'] / 1024:>9.1f} MiB {'':>12}")
    print(f"{'peak RSS, big feed':34} {big['peak_kib'] / 1024:>9.1f} MiB {'':>12}")
    print(f"{'growth over the floor':34} {growth:>9.1f} MiB {LIMIT_MIB:>8} MiB  {'ok' if growth < LIMIT_MIB else 'OVER'}")
    print(f"{'import rate':34} {big['imported'] / big['seconds']:>9,.0f} r/s")
    print(f"(whole run {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
