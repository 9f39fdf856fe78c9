"""SIGKILL the real CLI in the middle of imports and batch accepts: the database stays consistent.

After every kill: integrity_check ok, every order change has its event and outbox op, and each
transaction is all or nothing (order counts are whole batches).
"""

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stationdesk.services.check import check
from stationdesk.store.engine import Database
from tests.conftest import feed_row, write_csv

pytestmark = pytest.mark.slow
BATCH = 500
CLI = [sys.executable, "-c", "from stationdesk.cli import main; main()"]


def run_and_kill(args, env, delay, stdin=None):
    proc = subprocess.Popen(CLI + args, env=env, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.returncode


def run_and_kill_in_progress(args, env, db, progress_sql, delay, stdin=None):
    """Kill once the command has committed some of its work (``progress_sql`` counts it), then
    ``delay`` seconds later: the kill lands inside the work whatever the machine's load."""
    proc = subprocess.Popen(CLI + args, env=env, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    done = 0
    while done == 0 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                done = con.execute(progress_sql).fetchone()[0]
            finally:
                con.close()
        except sqlite3.Error:
            done = 0
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.returncode


def counts(db):
    con = sqlite3.connect(db)
    try:
        return dict(con.execute("SELECT status, count(*) FROM orders GROUP BY status").fetchall())
    finally:
        con.close()


@pytest.fixture
def env(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"[import]\nbatch_size = {BATCH}\n", encoding="utf-8")
    db = tmp_path / "s.db"
    e = {**os.environ, "STATIONDESK_DB": str(db), "STATIONDESK_CONFIG": str(cfg), "STATIONDESK_OPERATOR": "crash"}
    subprocess.run(CLI + ["init", "--station", "HZ001"], env=e, check=True, capture_output=True)
    return e, db


def assert_consistent(db):
    database = Database(db)
    try:
        report = check(database)
    finally:
        database.dispose()  # the file is replaced by the next round: no connection may stay open on it
    assert report.ok, report.problems


def restore(pristine, db):
    shutil.copy(pristine, db)
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def test_kill_during_import(env, tmp_path):
    e, db = env
    rows = 60_000
    feed = write_csv(tmp_path / "big.csv", [feed_row(i) for i in range(rows)])
    pristine = tmp_path / "pristine.db"
    shutil.copy(db, pristine)
    rng = random.Random(11)
    seen = set()
    for _ in range(6):  # each kill interrupts a fresh import, at a different moment
        restore(pristine, db)
        run_and_kill_in_progress(["import", str(feed)], e, db, "SELECT count(*) FROM orders", rng.uniform(0.0, 1.5))
        n = sum(counts(db).values())
        assert n % BATCH == 0, f"{n} orders: a batch was half-imported"
        assert_consistent(db)
        seen.add(n)
    # finishing the last interrupted import gives every row exactly once
    done = subprocess.run(CLI + ["import", str(feed)], env=e, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sum(counts(db).values()) == rows
    assert_consistent(db)
    assert len(seen - {0, rows}) > 1, f"kills landed at {sorted(seen)}: too few interrupted an import half-way"


def test_kill_during_batch_accept(env, tmp_path):
    e, db = env
    feed = write_csv(tmp_path / "f.csv", [feed_row(i) for i in range(4_000)])
    subprocess.run(CLI + ["import", str(feed)], env=e, check=True, capture_output=True)
    pristine = tmp_path / "pristine.db"
    shutil.copy(db, pristine)
    rng = random.Random(5)
    outcomes = set()
    for _ in range(8):
        restore(pristine, db)
        run_and_kill(["orders", "accept", "--all-waiting"], e, rng.uniform(0.2, 1.6))
        accepted = counts(db).get("accepted", 0)
        assert accepted in (0, 4_000), f"{accepted} accepted: the batch was split"
        assert_consistent(db)
        outcomes.add(accepted)
    print("accept outcomes seen:", sorted(outcomes))
    assert outcomes, "no run completed"


def test_kill_during_a_stream_of_scans(env, tmp_path):
    e, db = env
    n = 3_000
    feed = write_csv(tmp_path / "f.csv", [feed_row(i, waybill_no=f"55{i:010d}") for i in range(n)])
    subprocess.run(CLI + ["import", str(feed)], env=e, check=True, capture_output=True)
    subprocess.run(CLI + ["orders", "accept", "--all-waiting"], env=e, check=True, capture_output=True)
    scans = tmp_path / "scans.txt"
    scans.write_text("".join(f"55{i:010d}\n" for i in range(n)), encoding="utf-8")
    pristine = tmp_path / "pristine.db"
    shutil.copy(db, pristine)
    rng = random.Random(3)
    seen = set()
    for _ in range(5):
        restore(pristine, db)
        with scans.open("rb") as stdin:
            run_and_kill_in_progress(["scan", "pickup", "-"], e, db, "SELECT count(*) FROM scan", rng.uniform(0.0, 1.5),
                                     stdin=stdin)
        assert_consistent(db)  # integrity, every change with its event and op, the audit chain
        con = sqlite3.connect(db)
        picked = con.execute("SELECT count(*) FROM orders WHERE status = 'picked_up' AND scanned_at IS NOT NULL").fetchone()[0]
        logged = con.execute("SELECT count(*), count(DISTINCT order_id) FROM scan WHERE result = 'picked_up'").fetchone()
        con.close()
        assert logged == (picked, picked), "a scan and its order change were split, or an order was scanned twice"
        seen.add(picked)
    assert len(seen - {0, n}) >= 2, f"kills landed at {sorted(seen)}: too few interrupted the stream"


def test_a_seed_killed_mid_load_leaves_whole_orders_that_check_explains_and_the_next_seed_finishes(env):
    """A new seed drops its indexes for the load: killed in the middle of a chunk, the file keeps the
    chunks committed before (each order with its history), `check` says the seed was interrupted
    (not that the file is damaged), and the next seed builds the indexes and passes `check`."""
    e, db = env
    # somewhere inside a later chunk than the first
    code = run_and_kill_in_progress(["seed", "--orders", "200000"], e, db, "SELECT count(*) FROM orders",
                                    random.uniform(0.0, 0.5))
    assert code == -signal.SIGKILL, "the seed ended before it could be killed"
    said = subprocess.run(CLI + ["check"], env=e, capture_output=True, text=True)
    assert said.returncode == 5 and "演示数据写入中断" in said.stderr and "integrity_check" not in said.stderr
    assert counts(db) and sum(counts(db).values()) % 20_000 == 0  # whole chunks only
    assert subprocess.run(CLI + ["seed", "--orders", "10"], env=e, capture_output=True).returncode == 0
    assert_consistent(db)
