"""A full disk: the write that does not fit is refused whole with a clear message; nothing is lost.

SQLite reports a full disk as SQLITE_FULL. The test makes the file unable to grow past its size
(PRAGMA max_page_count on the desk's writer connections), which is exactly what SQLite meets when
the disk fills: every page it cannot allocate fails the statement the same way.
"""

import sqlite3
from dataclasses import replace

import pytest
from sqlalchemy import event

from stationdesk.domain.words import speak
from stationdesk.services import accept
from stationdesk.services.check import check
from stationdesk.services.feed_import import import_feed
from stationdesk.store.engine import Database
from stationdesk.store.errors import StoreError
from tests.conftest import feed_row, snapshot_db, write_csv


def full_disk_desk(desk, db_path, room_pages=2):
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    db = Database(db_path)

    @event.listens_for(db.writer, "connect")
    def _no_room(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + room_pages}")

    return replace(desk, db=db)


def test_an_import_that_does_not_fit_keeps_the_batches_before_it_and_says_why(desk, db_path, tmp_path, import_rows):
    import_rows([feed_row(i) for i in range(10)])
    full = full_disk_desk(desk, db_path, room_pages=400)  # room for a batch or two, not for 3,000 orders
    full.config = replace(full.config, import_=replace(full.config.import_, batch_size=500))
    before = snapshot_db(db_path)
    feed = write_csv(tmp_path / "big.csv", [feed_row(i) for i in range(10, 3010)])
    with pytest.raises(StoreError) as refused:
        import_feed(full, feed)
    message = str(refused.value)
    assert "磁盘已满" in message and "big.csv" in message
    assert "问题解决后重新导入同一文件即可" in message
    english = speak(refused.value, "en")
    assert "disk full" in english and "big.csv" in english and "re-running the file is safe" in english
    after = snapshot_db(db_path)
    # whatever went in went in as whole batches with their events and ops; the rest is not there
    added = len(after["orders"]) - len(before["orders"])
    assert added % 500 == 0 and 0 < added < 3000
    assert f"已导入 {added} 单" in message and f"从第 {2 + added} 行起未导入" in message  # line 2 holds the first row
    assert check(desk.db).ok
    full.db.dispose()


def test_an_accept_that_does_not_fit_changes_nothing(desk, db_path, import_rows):
    import_rows([feed_row(i) for i in range(1500)])
    full = full_disk_desk(desk, db_path)
    before = snapshot_db(db_path)
    with pytest.raises(StoreError, match="磁盘已满") as refused:
        accept.accept(full, [f"LP{i:08d}" for i in range(1000)], "张敏")
    assert "disk full" in speak(refused.value, "en")
    assert snapshot_db(db_path) == before
    assert check(desk.db).ok
    full.db.dispose()
