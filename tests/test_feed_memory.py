"""An import's memory does not grow with the file: the feed is read a line at a time.

The import runs in a process of its own, so its peak resident size (``resource``) is its own.
benchmarks/bench_feed_memory.py does the same with 1,000,000 rows.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stationdesk.services.setup import init_database

pytestmark = pytest.mark.slow

ROW = ("{n},淘宝,线上,我要寄快递,2026-11-23T09:{m:02d}:00+08:00,张三,13812345678,浙江省,杭州市,西湖区,"
       "文三路{n}号 一段足够长的地址用来让每一行接近真实的大小,请在下午三点前上门取件谢谢,文件,,,,\n")
HEADER = ("logistics_no,source,channel,business_type,order_time,sender_name,sender_phone,sender_province,"
          "sender_city,sender_district,sender_address,note,goods,waybill_no,dispatch_time,dispatch_operator,cancelled\n")

PROBE = """
import json, resource, sys
from datetime import UTC, datetime
from pathlib import Path
from stationdesk.bootstrap import open_desk
from stationdesk.services.feed_import import import_feed
desk = open_desk(Path(sys.argv[1]), Path(sys.argv[1] + ".none.toml"),
                 clock=lambda: datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
report = import_feed(desk, Path(sys.argv[2]))
print(json.dumps({"imported": report.imported, "rejected": len(report.rejected),
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def write_feed(path: Path, count: int, bad_every: int = 0) -> Path:
    """``count`` rows written as they are made; every ``bad_every``-th row carries an invalid byte."""
    with path.open("wb") as f:
        f.write(HEADER.encode())
        for n in range(count):
            line = ROW.format(n=f"LP{n:010d}", m=n % 60).encode()
            f.write(line.replace(b"\xe5\xbc\xa0", b"\xff") if bad_every and n % bad_every == 7 else line)
    return path


def peak_import(tmp_path: Path, count: int, bad_every: int = 0) -> dict:
    db = tmp_path / f"s{count}.db"
    init_database(db, "HZ001")
    feed = write_feed(tmp_path / f"feed{count}.csv", count, bad_every)
    out = subprocess.run([sys.executable, "-c", PROBE, str(db), str(feed)], capture_output=True, text=True,
                         check=True, timeout=600)
    return json.loads(out.stdout)


def test_memory_stays_flat_whatever_the_feed_size(tmp_path):
    small = peak_import(tmp_path, 2_000, bad_every=1000)
    large = peak_import(tmp_path, 80_000, bad_every=1000)
    assert (small["imported"], small["rejected"]) == (1_998, 2)
    assert (large["imported"], large["rejected"]) == (79_920, 80)
    growth_mib = (large["peak_kib"] - small["peak_kib"]) / 1024
    # 40 times the rows (about 17 MB of file) may not cost more than a few MB more
    assert growth_mib < 12, f"peak grew by {growth_mib:.1f} MiB from 2,000 to 80,000 rows"
