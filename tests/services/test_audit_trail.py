"""The audit chain: an event row edited, deleted or inserted with plain sqlite3 is caught and named."""

import sqlite3

import pytest
from typer.testing import CliRunner

from stationdesk.cli import app
from stationdesk.domain.chain import GENESIS, event_content, link
from stationdesk.services import accept
from stationdesk.services.audit_trail import verify
from stationdesk.services.check import check
from tests.conftest import feed_row


@pytest.fixture
def history(desk, import_rows):
    import_rows([feed_row(i) for i in range(6)])
    accept.accept(desk, ["LP00000001", "LP00000002"], "张敏")
    return desk


def tamper(db, sql, *params):
    con = sqlite3.connect(db.path)
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute(sql, params)
    con.commit()
    con.close()


def test_the_chain_links_every_event_to_the_one_before(history):
    con = sqlite3.connect(history.db.path)
    rows = con.execute("SELECT id, order_id, version, action, operator, at, before_status, after_status, details, chain"
                       " FROM order_event ORDER BY id").fetchall()
    con.close()
    previous = GENESIS
    for row in rows:
        previous = link(previous, event_content(*row[:9]))
        assert row[9] == previous
    report = verify(history.db)
    assert report.ok and report.events == len(rows) == 8


def test_an_edited_event_is_named(history):
    tamper(history.db, "UPDATE order_event SET operator = '李四' WHERE id = 7")
    report = verify(history.db)
    assert not report.ok and report.event_id == 7
    assert "事件 7 (" in report.problem and "订单 LP00000001" in report.problem and "版本 2" in report.problem


def test_a_deleted_event_is_named(history):
    tamper(history.db, "DELETE FROM outbox WHERE event_id = 3")
    tamper(history.db, "DELETE FROM order_event WHERE id = 3")
    report = verify(history.db)
    assert not report.ok and report.event_id == 3 and "事件 3 缺失" in report.problem


def test_an_inserted_event_is_named(history):
    tamper(history.db, "INSERT INTO order_event (id, order_id, version, action, operator, at, before_status, after_status,"
                       " details, chain) VALUES (9, 4, 2, 'accept', '张敏', '2026-11-23T02:00:00.000000Z', 'waiting',"
                       " 'accepted', '{}', 'forged')")
    report = verify(history.db)
    assert not report.ok and report.event_id == 9 and "订单 LP00000003" in report.problem


def test_a_rewritten_hash_is_caught_at_the_next_event(history):
    # someone edits an event and recomputes its own hash, but not the rest of the chain
    con = sqlite3.connect(history.db.path)
    row = list(con.execute("SELECT id, order_id, version, action, operator, at, before_status, after_status, details"
                           " FROM order_event WHERE id = 5").fetchone())
    previous = con.execute("SELECT chain FROM order_event WHERE id = 4").fetchone()[0]
    con.close()
    row[4] = "李四"
    tamper(history.db, "UPDATE order_event SET operator = ?, chain = ? WHERE id = 5", "李四", link(previous, event_content(*row)))
    report = verify(history.db)
    assert report.event_id == 6


def test_check_and_the_cli_report_a_broken_chain_with_what_to_do(history, monkeypatch, tmp_path):
    tamper(history.db, "UPDATE order_event SET details = '{\"note\": \"改过\"}' WHERE id = 2")
    report = check(history.db)
    assert not report.ok and any("审计链断开" in p for p in report.problems)
    assert any("restore the latest backup" in a.say("en") and "用备份恢复" in a for a in report.advice)
    monkeypatch.setenv("STATIONDESK_DB", str(history.db.path))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    out = CliRunner().invoke(app, ["audit", "verify"])
    assert out.exit_code == 5 and "事件 2 (" in out.output  # 5: damage found
    out = CliRunner().invoke(app, ["check"])
    assert out.exit_code == 5 and "处理办法:" in out.output


def test_an_intact_chain_verifies_from_the_command_line(history, monkeypatch, tmp_path):
    monkeypatch.setenv("STATIONDESK_DB", str(history.db.path))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    out = CliRunner().invoke(app, ["audit", "verify"])
    assert out.exit_code == 0 and "8 条事件" in out.output
