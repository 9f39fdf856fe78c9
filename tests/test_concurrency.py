"""Several terminals on one station database: nobody sees "database is locked", nothing half-applied."""

import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from stationdesk.domain.words import speak
from stationdesk.services import accept
from stationdesk.services.check import check
from stationdesk.store.engine import Database
from stationdesk.store.errors import StoreBusy
from tests.conftest import feed_row, snapshot_db


def test_a_write_that_cannot_get_the_lock_in_time_is_refused_whole_with_a_clear_message(desk, db_path, import_rows):
    import_rows([feed_row(i) for i in range(5)])
    impatient = replace(desk, db=Database(db_path, busy_timeout_ms=300))
    before = snapshot_db(db_path)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another terminal sits on the write lock
    try:
        with pytest.raises(StoreBusy) as refused:
            accept.accept(impatient, ["LP00000001", "LP00000002"], "张敏")
        message = str(refused.value)
        assert "0.3 秒内未能获得写锁" in message and "操作未执行" in message
        assert "no write lock within 0.3 s, nothing was changed" in speak(refused.value, "en")
        assert "database is locked" not in message
        # reading goes on while the lock is held (WAL)
        with impatient.db.read() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM orders").scalar() == 5
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert snapshot_db(db_path) == before
    accept.accept(impatient, ["LP00000001", "LP00000002"], "张敏")  # free again: it goes through
    impatient.db.dispose()


WORKER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from stationdesk.bootstrap import open_desk
    from stationdesk.services import accept
    from stationdesk.store.queries import page
    from stationdesk.store.values import OrderFilter

    db, first, count, mode = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    desk = open_desk(db, db.with_name("none.toml"))
    for n in range(first, first + count):
        if mode == "write":
            accept.accept(desk, [f"LP{n:08d}"], f"clerk{first}")
        else:
            with desk.db.read() as conn:
                page(conn, OrderFilter(statuses=("waiting",)), limit=50)
    print("done", count)
""")


@pytest.mark.slow
def test_three_terminals_writing_and_one_reading_at_once_all_succeed(desk, db_path, import_rows):
    per_writer = 40
    import_rows([feed_row(i) for i in range(3 * per_writer)])
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(db_path), str(w * per_writer), str(per_writer), "write"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for w in range(3)
    ]
    procs.append(subprocess.Popen([sys.executable, "-c", WORKER, str(db_path), "0", "300", "read"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, err
        assert "locked" not in err and out.startswith("done")
    con = sqlite3.connect(db_path)
    accepted = con.execute("SELECT count(*) FROM orders WHERE status = 'accepted'").fetchone()[0]
    operators = {r[0] for r in con.execute("SELECT DISTINCT operator FROM order_event WHERE action = 'accept'")}
    con.close()
    assert accepted == 3 * per_writer
    assert operators == {f"clerk{w * per_writer}" for w in range(3)}
    assert check(desk.db).ok
