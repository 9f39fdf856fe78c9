"""Build the seeded station database the benchmarks run on, once, and keep it under benchmarks/.cache/.

    python benchmarks/build_db.py [--orders N] [--path P] [--force]

Other scripts call ``ensure_db(path, orders)``: it builds the file only when it is missing or
holds a different number of orders. The database is built under a temporary name and renamed
when complete, so an interrupted build is never mistaken for a finished one.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# `common` sits beside this file, whether it is run as a script or imported by another benchmark
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import NO_CONFIG, SEED_VALUE, STATION, cache_path, checkpoint, make_importable, order_count, remove_db

make_importable()


def build_db(path: Path, orders: int, *, quiet: bool = False) -> Path:
    """Create a station database for HZ001 at ``path`` with ``orders`` seeded orders (replacing any file there)."""
    from stationdesk.bootstrap import open_desk
    from stationdesk.services import seed
    from stationdesk.services.setup import init_database

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    remove_db(building)
    started = time.perf_counter()
    tty = sys.stdout.isatty()
    shown = [0]

    def progress(done: int) -> None:
        # on a terminal one line that updates; in a log one line per tenth
        if quiet or (not tty and done < orders and done - shown[0] < orders / 10):
            return
        shown[0] = done
        elapsed = time.perf_counter() - started
        text = f"  seeded {done:>10,} / {orders:,} orders  {elapsed:6.1f} s  {done / elapsed:8,.0f} orders/s"
        print("\r" + text if tty else text, end="" if tty else "\n", flush=True)

    if not quiet:
        print(f"building {path} with {orders:,} orders (station {STATION}, seed {SEED_VALUE})")
    init_database(building, STATION)
    desk = open_desk(building, config_path=NO_CONFIG)
    try:
        seed.seed(desk, orders, seed_value=SEED_VALUE, progress=progress)
    finally:
        desk.db.dispose()
    if not quiet and tty:
        print()
    if not checkpoint(building):
        raise RuntimeError(f"{building}: the WAL could not be folded into the file; is another process using it?")
    remove_db(path)
    building.replace(path)
    remove_db(building)  # the -wal / -shm companions of the temporary name, if any remain
    if not quiet:
        size = path.stat().st_size / 2**20
        print(f"built {path} ({size:,.0f} MiB) in {time.perf_counter() - started:.1f} s")
    return path


def ensure_db(path: Path, orders: int) -> Path:
    """The database at ``path`` with exactly ``orders`` orders, built first if missing or different."""
    path = Path(path)
    have = order_count(path)
    if have == orders:
        return path
    if have is not None:
        print(f"{path} has {have:,} orders, not {orders:,}: rebuilding")
    return build_db(path, orders)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the seeded benchmark database (cached).")
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders to seed (default 1,000,000)")
    parser.add_argument("--path", type=Path, default=None,
                        help="database file (default benchmarks/.cache/bench_<size>.db, e.g. bench_1m.db)")
    parser.add_argument("--force", action="store_true", help="rebuild even when the cached file is complete")
    args = parser.parse_args(argv)
    if args.orders < 1:
        parser.error("--orders must be at least 1")
    path = args.path or cache_path(args.orders)
    if args.force:
        build_db(path, args.orders)
    elif order_count(path) == args.orders:
        print(f"{path}: already has {args.orders:,} orders (use --force to rebuild)")
    else:
        ensure_db(path, args.orders)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
