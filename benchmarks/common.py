"""Shared parts of the benchmark scripts: cache paths, raw sqlite3 connections, copies, timing, tables.

The raw sqlite3 side of every comparison opens the same file with the same pragmas as the
product's engine (store/engine.py), so a ratio measures the product's own overhead, not a
different durability setting.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"
# open_desk reads this config; it never exists, so every benchmark runs on the documented defaults.
NO_CONFIG = CACHE_DIR / "no-config.toml"
STATION = "HZ001"
SEED_VALUE = 7

# The product's engine pragmas (store/engine.py), repeated here for the raw side.
RAW_PRAGMAS = (
    "PRAGMA busy_timeout = 10000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
)


def make_importable() -> None:
    """Let `python benchmarks/x.py` import the product from src/ even without an installed package."""
    src = str(BENCH_DIR.parent / "src")
    if src not in sys.path:
        sys.path.insert(0, src)


def size_label(orders: int) -> str:
    """1_000_000 -> '1m', 100_000 -> '100k', 2_500 -> '2500'."""
    if orders % 1_000_000 == 0:
        return f"{orders // 1_000_000}m"
    if orders % 1_000 == 0:
        return f"{orders // 1_000}k"
    return str(orders)


def cache_path(orders: int) -> Path:
    """The cached seeded database for ``orders`` orders: one file per size."""
    return CACHE_DIR / f"bench_{size_label(orders)}.db"


def connect_raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the product's pragmas; transactions are explicit (BEGIN ...)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in RAW_PRAGMAS:
        conn.execute(pragma)
    return conn


def checkpoint(path: Path) -> bool:
    """Fold the WAL into the main file; True when the main file alone now holds the whole database.

    PASSIVE never waits for readers, so another script reading the cached file (bench_tui.py)
    does not block this one; it can only leave frames behind, which the caller then handles.
    """
    conn = connect_raw(path)
    try:
        _, frames, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return frames == done
    finally:
        conn.close()


def remove_db(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)


def copy_db(src: Path, dst: Path) -> Path:
    """A fresh copy of ``src`` at ``dst`` (after a checkpoint), so a mutating benchmark starts from the same state."""
    remove_db(dst)
    if checkpoint(src):
        shutil.copyfile(src, dst)  # the cached file is only ever read, so a file copy is consistent
    else:
        source, target = sqlite3.connect(src), sqlite3.connect(dst)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        connect_raw(dst).close()  # in WAL mode, like the original
    # Flush the copy now: otherwise the first fsync of the timed work (a WAL checkpoint) pays for
    # writing out the whole fresh copy, over a second on a 2 GB file.
    with dst.open("rb+") as fh:
        os.fsync(fh.fileno())
    return dst


def order_count(path: Path) -> int | None:
    """Orders in the database at ``path``, or None when it is missing or not a seeded database."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM orders").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None


# --- timing ---------------------------------------------------------------------------------

@dataclass
class Timing:
    """Samples of one measurement, in seconds."""

    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        s = sorted(self.samples)
        return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]

    @property
    def n(self) -> int:
        return len(self.samples)


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def machine() -> str:
    """One line about where the figures came from."""
    return (f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, "
            f"{os.cpu_count()} cpu, {sys.platform}")


# --- the result table -------------------------------------------------------------------------

@dataclass
class Line:
    """One row of the final table."""

    figure: str
    value: str
    limit: str
    ratio: str
    ok: bool | None  # None: shown for information, no limit applies

    @property
    def verdict(self) -> str:
        return "-" if self.ok is None else ("PASS" if self.ok else "FAIL")


def print_table(lines: list[Line]) -> None:
    head = Line("figure", "value", "limit", "ratio", None)
    rows = [(ln.figure, ln.value, ln.limit, ln.ratio, "verdict" if ln is head else ln.verdict) for ln in [head, *lines]]
    widths = [max(_width(r[i]) for r in rows) for i in range(5)]
    for i, r in enumerate(rows):
        print("  ".join(_pad(cell, widths[j], right=j in (1, 3)) for j, cell in enumerate(r)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


# --- a generated order feed -------------------------------------------------------------------

HOME_DISTRICTS = ("西湖区", "上城区")
# (district, province, city) outside HZ001's area: other stations of the shipped directory, and
# one district no station serves (those orders route to the data center).
OTHER_DISTRICTS = (
    ("拱墅区", "浙江省", "杭州市"), ("滨江区", "浙江省", "杭州市"), ("余杭区", "浙江省", "杭州市"),
    ("萧山区", "浙江省", "杭州市"), ("鄞州区", "浙江省", "宁波市"), ("浦东新区", "上海市", "上海市"),
    ("桐庐县", "浙江省", "杭州市"),
)
SOURCE_CODES = (("淘宝", "LP"), ("快递100", "KD"), ("百世微信", "wx"), ("百世快递官网", "wx"), ("CRM", "IS"),
                ("触宝APP", "CT_H_"), ("支付宝服务", "ali"))
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰飞鹏辉宇浩然欣怡子轩梓涵雨晨思远佳琪嘉欣俊杰"
ROADS = ("文三路", "天目山路", "教工路", "古翠路", "学院路", "莫干山路", "延安路", "解放路", "庆春路", "曙光路",
         "体育场路", "凤起路", "文一西路", "丰潭路", "紫金港路", "留和路", "西溪路", "南山路", "望江路", "清泰街")
GOODS = ("文件", "衣服", "鞋子", "书籍", "化妆品", "手机配件", "食品", "茶叶", "日用品", "电子产品", "玩具")
NOTES = ("", "", "", "", "请下午来取", "上午十点后在家", "到了打电话", "放门卫处", "大件, 请带箱子")


def feed_rows(count: int, *, tag: str, now, seed: int = 1, in_area_only: bool = False,
              span_minutes: int = 240) -> list[dict[str, str]]:
    """``count`` new orders as a head-office feed sends them, oldest first.

    Logistics numbers are ``<source code><tag><10 digits>``, so a tag that is not all digits never
    collides with the seeded orders (whose numbers are the code, two digits and ten digits).
    Order times fall in the ``span_minutes`` before ``now``, written in station time (+08:00).
    Most senders are in HZ001's districts; unless ``in_area_only``, about one in ten is elsewhere.
    About a third of the 在线下单 orders already carry a 13-digit waybill number (prefix 88).
    """
    import random
    from datetime import timedelta, timezone

    rng = random.Random(seed)
    cst = timezone(timedelta(hours=8))
    start = now - timedelta(minutes=span_minutes)
    times = sorted(start + timedelta(seconds=rng.random() * span_minutes * 60) for _ in range(count))
    rows = []
    for i, t in enumerate(times):
        source, code = SOURCE_CODES[rng.randrange(len(SOURCE_CODES))]
        online_order = rng.random() < 0.55
        if in_area_only or rng.random() < 0.9:
            district, province, city = rng.choice(HOME_DISTRICTS), "浙江省", "杭州市"
        else:
            district, province, city = rng.choice(OTHER_DISTRICTS)
        dispatched = rng.random() < 0.03
        rows.append({
            "logistics_no": f"{code}{tag}{i:010d}",
            "source": source,
            "channel": "线上" if rng.random() < 0.85 else "线下",
            "business_type": "在线下单" if online_order else "我要寄快递",
            "order_time": t.astimezone(cst).isoformat(timespec="seconds"),
            "sender_name": rng.choice(FAMILY) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
            "sender_phone": rng.choice(("138", "139", "150", "186", "177", "199")) + f"{rng.randrange(10**8):08d}",
            "sender_province": province,
            "sender_city": city,
            "sender_district": district,
            "sender_address": f"{rng.choice(ROADS)}{rng.randrange(1, 999)}号{rng.randrange(1, 30)}幢{rng.randrange(101, 2999)}室",
            "note": rng.choice(NOTES),
            "goods": rng.choice(GOODS),
            "waybill_no": f"88{seed % 10}{tag_digits(tag)}{i:08d}" if online_order and rng.random() < 0.35 else "",
            "dispatch_time": (t + timedelta(minutes=rng.randrange(5, 60))).astimezone(cst).isoformat(timespec="seconds")
            if dispatched else "",
            "dispatch_operator": "电商小王" if dispatched else "",
            "cancelled": "1" if not in_area_only and rng.random() < 0.01 else "0",
        })
    return rows


def tag_digits(tag: str) -> str:
    """Two digits derived from a feed tag, so feeds with different tags get different waybill numbers."""
    return f"{sum(map(ord, tag)) % 100:02d}"


def write_feed(path: Path, rows: list[dict[str, str]]) -> Path:
    """The rows as a UTF-8 CSV feed file with the product's column names."""
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
