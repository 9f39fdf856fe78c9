"""Head office as a service, through a real `hq serve` process: credentials, the protocol, the chain
head office holds, a dropped line, and a station restored from an older backup."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from stationdesk.bootstrap import open_desk
from stationdesk.domain.chain import GENESIS, event_content, link
from stationdesk.services.accept import accept
from stationdesk.services.backup import backup, restore
from stationdesk.services.check import check
from stationdesk.sync import client, hq_credentials, station
from stationdesk.sync.client import HQRefused
from stationdesk.sync.protocol import PROTOCOL_VERSION, VERSION_HEADER, Op, validate_op
from stationdesk.sync.hq_tables import HQ_CHAIN, HQ_EVENTS, HQ_OPS, HQ_ORDERS, HQ_REVIEW
from stationdesk.store.tables import OUTBOX
from tests.sync.test_sync import count, hq_order, load, local_order, outbox_state, run_sync
from tests.conftest import feed_row


def reviews(engine, kind: str) -> list[dict]:
    with engine.connect() as c:
        return [dict(r) for r in c.execute(select(HQ_REVIEW).where(HQ_REVIEW.c.kind == kind)).mappings()]


def test_health_answers_and_an_older_protocol_is_refused_naming_both_versions(office):
    got = httpx.get(f"{office.url}/health")
    assert got.status_code == 200 and got.json()["status"] == "ok" and got.json()["protocol"] == PROTOCOL_VERSION
    old = httpx.post(f"{office.url}/v2/hello", content=b"{}", headers={
        VERSION_HEADER: "1", "Authorization": f"Bearer {office.token('HZ001')}"})
    assert old.status_code == 426
    message = old.json()["message"]
    assert "网点 1" in message and f"总部 {PROTOCOL_VERSION}" in message


def test_a_stolen_token_used_for_another_station_is_refused_and_logged(office, hq_engine, station_factory, tmp_path):
    hz1, hz2 = station_factory("HZ001"), station_factory("HZ002")
    load(hz2, tmp_path, [feed_row(1, sender_district="拱墅区")])
    office.token("HZ002")
    with office.link("HZ002", token=office.token("HZ001")) as stolen, pytest.raises(HQRefused) as refused:
        station.sync(hz2.db, "HZ002", stolen, hz2.now)
    assert refused.value.status == 403 and refused.value.refusal.error == "wrong_station"
    assert "HZ001" in str(refused.value) and "HZ002" in str(refused.value)
    assert count(hq_engine, HQ_OPS) == 0 and outbox_state(hz2) == (1, 1)
    (logged,) = reviews(hq_engine, "wrong_station")
    assert logged["station_code"] == "HZ001" and "HZ002" in logged["message"]
    assert office.token("HZ001") not in logged["message"]
    log = office.log.read_text(errors="replace")
    assert "token of station HZ001 used for station HZ002" in log and office.token("HZ001") not in log
    assert run_sync(hz1, office).pushed == 0 and run_sync(hz2, office).pushed == 1  # the right tokens work


def test_a_revoked_token_is_refused_and_a_rotated_one_replaces_it(office, hq_engine, station_factory, tmp_path, clock):
    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(1)])
    old = office.token("HZ001")
    hq_credentials.revoke(hq_engine, "HZ001", clock())
    with office.link("HZ001", token=old) as revoked, pytest.raises(HQRefused, match="已吊销") as refused:
        station.sync(hz.db, "HZ001", revoked, hz.now)
    assert "revoked" in refused.value.words.say("en")  # head office's words, said in the station's language
    assert refused.value.status == 401 and count(hq_engine, HQ_OPS) == 0
    assert len(reviews(hq_engine, "token_refused")) == 1
    with pytest.raises(Exception, match="没有有效凭据"):
        hq_credentials.issue(hq_engine, "HZ001", clock(), replace=True)
    new = hq_credentials.issue(hq_engine, "HZ001", clock(), replace=False)
    rotated = hq_credentials.issue(hq_engine, "HZ001", clock(), replace=True)
    with office.link("HZ001", token=new) as stale, pytest.raises(HQRefused):
        station.sync(hz.db, "HZ001", stale, hz.now)
    with office.link("HZ001", token=rotated) as fresh:
        assert station.sync(hz.db, "HZ001", fresh, hz.now).pushed == 1


class DropsAnswers(httpx.HTTPTransport):
    """The line drops after head office answered the ``which``-th push: the request arrived and was
    committed, the station never hears."""

    def __init__(self, which: set[int]) -> None:
        super().__init__()
        self.which, self.pushes, self.answers = which, 0, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path == "/v2/push":
            self.pushes += 1
            response.read()
            self.answers.append(json.loads(response.content)["results"])
            if self.pushes in self.which:
                raise httpx.ReadError("connection reset by peer", request=request)
        return response


def test_a_dropped_connection_mid_batch_is_resent_and_gets_the_same_answers(office, hq_engine, station_factory, tmp_path):
    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(i) for i in range(1, 6)])
    accept(hz, ["LP00000001", "LP00000002"], "张敏")
    transport = DropsAnswers({2})
    with office.link("HZ001", transport=transport) as line:
        report = station.sync(hz.db, "HZ001", line, hz.now, push_batch=3)
    # batch 2 was answered twice: the second time from head office's stored results
    first, again = transport.answers[1], transport.answers[2]
    assert [(r["op_id"], r["result"], r["message"]) for r in first] == \
        [(r["op_id"], r["result"], r["message"]) for r in again]
    assert not any(r["repeated"] for r in first) and all(r["repeated"] for r in again)
    assert report.acknowledged == 7 and outbox_state(hz) == (7, 0)
    assert count(hq_engine, HQ_OPS) == 7 and count(hq_engine, HQ_EVENTS) == 7  # nothing applied twice


def test_a_forged_payload_is_refused_naming_its_event_and_nothing_is_applied(office, hq_engine, station_factory, tmp_path):
    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(1), feed_row(2)])
    run_sync(hz, office)
    accept(hz, ["LP00000001"], "张敏")
    with hz.db.write() as conn:  # what plain sqlite3 could do: the op says someone else did it
        row = conn.execute(select(OUTBOX.c.id, OUTBOX.c.payload, OUTBOX.c.event_id)
                           .where(OUTBOX.c.acked_at.is_(None))).one()
        payload = json.loads(row.payload)
        payload["operator"] = "站长"
        conn.execute(OUTBOX.update().where(OUTBOX.c.id == row.id).values(payload=json.dumps(payload)))
    with pytest.raises(station.ChainMismatch) as refused:
        run_sync(hz, office)
    assert refused.value.event_id == row.event_id
    assert f"#{row.event_id}" in str(refused.value) and "LP00000001" in str(refused.value) and "operator" in str(refused.value)
    assert hq_order(hq_engine, "LP00000001")["status"] == "waiting" and count(hq_engine, HQ_OPS) == 2
    (flagged,) = reviews(hq_engine, "chain")
    assert flagged["event_id"] == row.event_id and flagged["station_code"] == "HZ001"
    shown = check(hz.db)  # the station's own check says so too, until a sync passes
    assert not shown.ok and any(f"#{row.event_id}" in p for p in shown.problems)


def rewrite_history(db_file: Path, event_id: int, operator: str) -> None:
    """Edit one event and re-hash the whole chain after it, as someone covering their tracks would."""
    con = sqlite3.connect(db_file)
    con.execute("UPDATE order_event SET operator = ? WHERE id = ?", (operator, event_id))
    previous = GENESIS
    for row in con.execute("SELECT id, order_id, version, action, operator, at, before_status, after_status, details"
                           " FROM order_event ORDER BY id").fetchall():
        previous = link(previous, event_content(*row))
        con.execute("UPDATE order_event SET chain = ? WHERE id = ?", (previous, row[0]))
    con.commit()
    con.close()


def test_a_rehashed_history_passes_the_local_check_but_head_office_names_the_first_differing_event(
        office, hq_engine, station_factory, tmp_path):
    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(i) for i in range(1, 5)])
    accept(hz, ["LP00000001", "LP00000002"], "张敏")
    run_sync(hz, office)
    rewrite_history(tmp_path / "HZ001.db", 5, "王五")  # the first accept, now someone else's
    assert check(hz.db).ok  # the chain is whole again: only head office's copy can tell
    accept(hz, ["LP00000003"], "张敏")
    with pytest.raises(station.ChainMismatch) as refused:
        run_sync(hz, office)
    assert refused.value.event_id == 5 and "#5" in str(refused.value) and "LP00000001" in str(refused.value)
    assert count(hq_engine, HQ_OPS) == 6  # the new accept was not taken
    assert [r["event_id"] for r in reviews(hq_engine, "chain")][-1] == 5
    assert any("#5" in p for p in check(hz.db).problems)


def test_a_station_restored_from_a_backup_older_than_its_last_sync_rebases(office, hq_engine, station_factory, tmp_path,
                                                                          clock):
    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(i) for i in range(1, 7)])
    run_sync(hz, office)
    saved = tmp_path / "before.db"
    backup(hz.db, saved)
    accept(hz, ["LP00000001", "LP00000002"], "张敏")  # acted on and synced after the backup
    run_sync(hz, office)
    hz.db.dispose()
    restore(tmp_path / "HZ001.db", saved, now=clock())
    hz = open_desk(tmp_path / "HZ001.db", tmp_path / "no-config.toml", clock=clock)
    try:
        assert local_order(hz, "LP00000001")["status"] == "waiting"  # the backup does not know
        accept(hz, ["LP00000003"], "李强")  # a new action after the restore
        report = run_sync(hz, office)
        assert any("重新接续" in m and "re-based" in m.say("en") for m in report.messages)
        assert report.pushed == 1 and outbox_state(hz)[1] == 0
        # nothing lost: both earlier accepts came back from head office, the new one went up
        assert [local_order(hz, f"LP0000000{i}")["status"] for i in (1, 2, 3, 4)] == \
            ["accepted", "accepted", "accepted", "waiting"]
        with hq_engine.connect() as c:
            assert c.execute(select(HQ_ORDERS.c.status).where(HQ_ORDERS.c.logistics_no == "LP00000003")).scalar() == "accepted"
            # nothing doubled: 6 imports + 3 accepts, each once, in one gapless sequence
            seqs = [r[0] for r in c.execute(select(HQ_OPS.c.seq).order_by(HQ_OPS.c.seq))]
            assert seqs == list(range(1, 10))
            assert c.execute(select(func.count()).select_from(HQ_EVENTS)).scalar_one() == 9
            superseded = c.execute(select(func.count()).select_from(HQ_CHAIN)
                                   .where(HQ_CHAIN.c.superseded_at.is_not(None))).scalar_one()
        assert superseded == 2 and len(reviews(hq_engine, "rebase")) == 1
        assert check(hz.db).ok
        again = run_sync(hz, office)  # and it goes on as usual
        assert (again.pushed, again.acknowledged) == (0, 0) and not again.messages
    finally:
        hz.db.dispose()


def test_ops_are_validated_by_kind_and_the_transition_table_before_head_office_writes():
    def op(action: str, **payload) -> Op:
        return Op(op_id="0198a8c0-0000-7000-8000-000000000001", seq=1, action=action, event_id=1, order_version=2,
                  payload=payload)

    base = {"source": "淘宝", "logistics_no": "LP00000001", "operator": "张敏", "changes": {}}
    assert validate_op(op("accept", **base, before_status="waiting", after_status="accepted")) is None
    assert "transition table" in validate_op(op("accept", **base, before_status="picked_up", after_status="accepted"))
    assert "leads to" in validate_op(op("accept", **base, before_status="waiting", after_status="picked_up"))
    assert "unknown op kind" in validate_op(op("drop_table", **base))
    assert "payload" in validate_op(op("accept", **base, before_status="waiting", after_status="accepted",
                                       note="x" * 20_000))


def test_the_token_file_must_be_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv(client.TOKEN_ENV, raising=False)
    path = client.save_token("sdt_abc\n", tmp_path / "hq-token")
    assert (os.stat(path).st_mode & 0o777) == 0o600 and client.load_token(path) == "sdt_abc"
    os.chmod(path, 0o644)
    with pytest.raises(Exception, match="chmod 600"):
        client.load_token(path)
    monkeypatch.setenv(client.TOKEN_ENV, "sdt_env")
    assert client.load_token(path) == "sdt_env"


def with_accounts(desk):  # noqa: ANN001, ANN201
    from stationdesk.domain.roles import Operator, Role
    from stationdesk.services import operators

    admin = operators.add_user(desk, "王芳", Role.ADMIN, "admin-pass-1", by=Operator("")).operator
    operators.add_user(desk, "张敏", Role.CLERK, "clerk-pass-1", by=admin)
    return admin


def test_an_operator_row_changed_behind_the_apps_back_is_refused_at_both_ends(office, hq_engine, station_factory,
                                                                            tmp_path):
    hz = station_factory("HZ001")
    with_accounts(hz)
    load(hz, tmp_path, [feed_row(1)])
    run_sync(hz, office)
    with hz.db.write() as conn:  # plain SQL: the clerk made an admin
        conn.exec_driver_sql("UPDATE operator SET role = 'admin' WHERE name = '张敏'")
    accept(hz, ["LP00000001"], "张敏")
    local = check(hz.db)
    assert not local.ok and any("张敏" in p and "角色" in p and "role" in p.say("en") for p in local.problems)
    with pytest.raises(station.ChainMismatch) as refused:
        run_sync(hz, office)
    assert "张敏" in str(refused.value) and "角色" in str(refused.value) and "role" in refused.value.words.say("en") and "#2" in str(refused.value)
    assert count(hq_engine, HQ_OPS) == 1  # the accept waits: no op from a station whose accounts do not hold
    (flagged,) = reviews(hq_engine, "chain")
    assert flagged["event_id"] == 2


def test_a_rehashed_account_history_is_named_by_head_office(office, hq_engine, station_factory, tmp_path):
    from stationdesk.domain.chain import account_content

    hz = station_factory("HZ001")
    with_accounts(hz)
    run_sync(hz, office)
    con = sqlite3.connect(tmp_path / "HZ001.db")  # rewrite the clerk's account as an admin's, re-hash it all
    con.execute("UPDATE account_event SET role = 'admin' WHERE name = '张敏'")
    con.execute("UPDATE operator SET role = 'admin' WHERE name = '张敏'")
    previous = GENESIS
    for row in con.execute("SELECT id, name, action, by, at, role, disabled, secret FROM account_event ORDER BY id").fetchall():
        previous = link(previous, account_content(*row[:6], bool(row[6]), row[7]))
        con.execute("UPDATE account_event SET chain = ? WHERE id = ?", (previous, row[0]))
    con.commit()
    con.close()
    assert check(hz.db).ok  # whole again locally
    with pytest.raises(station.ChainMismatch) as refused:
        run_sync(hz, office)
    assert refused.value.event_id == 2 and "账号记录 #2" in str(refused.value)


def test_a_malformed_or_illegal_batch_is_refused_before_head_office_writes(office, hq_engine, station_factory, tmp_path):
    from tests.sync.test_sync import batch

    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(1)])
    accept(hz, ["LP00000001"], "张敏")
    whole = batch(hz)
    bad = whole.ops[1].model_copy(update={"payload": {**whole.ops[1].payload, "after_status": "picked_up"}})
    with office.link("HZ001") as line, pytest.raises(HQRefused, match="序号 2") as refused:
        line.push(whole.model_copy(update={"ops": [whole.ops[0], bad]}))
    assert refused.value.refusal.error == "bad_op" and "leads to「接单成功」, not「揽件成功」" in str(refused.value)
    headers = {VERSION_HEADER: str(PROTOCOL_VERSION), "Authorization": f"Bearer {office.token('HZ001')}"}
    broken = httpx.post(f"{office.url}/v2/push", content=b'{"station": "HZ001", "ops": [{"seq": "x"}]}', headers=headers)
    assert broken.status_code == 422 and "ops.0" in broken.json()["message"]
    assert count(hq_engine, HQ_OPS) == 0 and count(hq_engine, HQ_CHAIN) == 0


def test_feed_entries_of_other_kinds_go_to_their_handler_and_an_unknown_kind_stops_the_pull(office, hq_engine,
                                                                                         station_factory, tmp_path,
                                                                                         clock):
    from stationdesk.store.tables import META
    from stationdesk.sync import hq

    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(1)])
    run_sync(hz, office)
    snap = hq.snapshot({**hq_order(hq_engine, "LP00000001"), "sender_address": "文三路200号"})
    seen = []
    station.register_feed_kind("notice", lambda conn, code, entry, now: seen.append((code, entry["reason"])))
    try:
        rows = [{"position": 1, "kind": "order", "reason": "correct", "snapshot": snap},
                {"position": 2, "kind": "notice", "reason": "weekly", "snapshot": {}},
                {"position": 3, "kind": "someday", "reason": "?", "snapshot": {}},
                {"position": 4, "kind": "order", "reason": "correct", "snapshot": snap}]
        with pytest.raises(station.HQError, match="位置 3 的类型 'someday'"):
            station.apply_feed(hz.db, "HZ001", rows, clock())
    finally:
        station.FEED_KINDS.pop("notice")
    assert seen == [("HZ001", "weekly")]
    assert local_order(hz, "LP00000001")["sender_address"] == "文三路200号"
    with hz.db.read() as conn:
        assert conn.execute(select(META.c.value).where(META.c.key == station.FEED_POSITION)).scalar() == "2"


def test_an_op_kind_that_is_not_an_order_transition_is_applied_by_its_registered_function(hq_engine, clock):
    from stationdesk.sync import hq

    calls = []

    def apply(conn, station_code, op, now):  # noqa: ANN001, ANN202
        calls.append((station_code, op.seq, conn.exec_driver_sql("SELECT 1").scalar()))
        return hq.OpResult(op.op_id, op.seq, hq.APPLIED, "收到申诉"), None

    hq.register_applier("note", apply)
    try:
        results = hq.push_batch(hq_engine, "HZ001", [hq.PushedOp("op-note-0001", 1, "note", {"text": "x"})], clock())
    finally:
        hq.APPLIERS.pop("note")
    assert [(r.result, r.message) for r in results] == [("applied", "收到申诉")] and calls == [("HZ001", 1, 1)]
    with hq_engine.connect() as c:
        assert c.execute(select(HQ_OPS.c.action, HQ_OPS.c.result)).one() == ("note", "applied")


def test_a_malformed_op_is_refused_naming_the_op_and_field_and_no_payload_names_the_station(office, hq_engine,
                                                                                          station_factory, tmp_path):
    from tests.sync.test_sync import batch

    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(1), feed_row(2)])
    whole = batch(hz)
    first = whole.ops[0]
    order = {k: v for k, v in first.payload["order"].items() if k != "order_time"}
    bad = first.model_copy(update={"payload": {**first.payload, "order": order}})
    with office.link("HZ001") as line, pytest.raises(HQRefused) as refused:
        line.push(whole.model_copy(update={"ops": [bad, *whole.ops[1:]]}))
    assert refused.value.status == 422 and refused.value.refusal.error == "bad_op"
    assert f"序号 1 (op {first.op_id})" in str(refused.value) and "payload.order.order_time" in str(refused.value)
    assert count(hq_engine, HQ_OPS) == 0 and count(hq_engine, HQ_ORDERS) == 0
    # an order that says it is another station's is still the pushing station's: its token says whose
    claims = first.model_copy(update={"payload": {**first.payload, "order": {**first.payload["order"],
                                                                           "station_code": "HZ002"}}})
    with office.link("HZ001") as line:
        answer = line.push(whole.model_copy(update={"ops": [claims, *whole.ops[1:]]}))
    assert [r.result for r in answer.results] == ["applied", "applied"]
    assert hq_order(hq_engine, "LP00000001")["station_code"] == "HZ001"
