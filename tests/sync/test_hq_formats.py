"""Head office's printing commands follow the same conventions as the station's, on a real
PostgreSQL with rows to print: every format into a pipe (JSON, JSON Lines of objects, CSV with
English keys, a table), no BOM there, and -o writing an Excel-ready file."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from stationdesk.cli.exits import ExitCode
from stationdesk.domain.wire import AppealOp
from stationdesk.store.journal import new_op_id
from stationdesk.sync import hq, hq_audit, hq_credentials
from stationdesk.sync.hq_tables import HQ_ORDERS
from tests.conftest import feed_row
from tests.test_cli_conventions import HQ_PRINTING, invoke

FORMATS = ("table", "json", "jsonl", "csv")
RUNS = (*FORMATS, "-o")  # each format into a pipe, then CSV into a file


def _order(n: int, district: str, order_time: datetime) -> dict:
    row = feed_row(n, sender_district=district)
    return {**row, "order_time": order_time, "cancelled": False, "waybill_no": None,
            "dispatch_time": None, "dispatch_operator": None, "business_type": "send_parcel", "channel": "online"}


def _week(ts: datetime) -> str:
    year, week, _ = (ts + timedelta(hours=8)).isocalendar()  # the audit's weeks are Beijing's
    return f"{year}-W{week:02d}"


def _head_office_with_rows(engine, url: str) -> dict:  # noqa: ANN001
    """Ten past weeks with two unanswered HZ001 orders each: five closed here, with an appeal per
    run of decide, and five left for the runs of close-week; a token, a review entry, a suspicion
    and a HZ002 order for the rewards."""
    now = datetime.now(UTC)
    days = [now - timedelta(days=14 + 7 * k) for k in range(2 * len(RUNS))]
    midweek = [datetime.fromisocalendar(*d.isocalendar()[:2], 3).replace(hour=4, tzinfo=UTC) for d in days]
    rows = [(i, _order(i, "西湖区", t + timedelta(minutes=i))) for i, t in enumerate(midweek * 2, start=1)]
    sent = now - timedelta(days=3)  # a week never closed here: no violation for HZ002
    rows.append((99, _order(99, "拱墅区", sent)))
    assert hq.import_orders(engine, rows, now).imported == len(rows)
    weeks = [_week(t) for t in midweek]
    assert len(set(weeks)) == 2 * len(RUNS)
    for week in weeks[: len(RUNS)]:  # the notices whose violations HZ001 appeals
        closed = hq_audit.close_week(engine, week, now)
        assert {n["station"]: n["total_fine"] for n in closed.notices} == {"HZ001": 200}
    for n in range(1, len(RUNS) + 1):
        payload = {"action": "appeal", "source": "淘宝", "logistics_no": f"LP{n:08d}", "kind": "late_accept",
                   "note": "系统延迟", "operator": "主管赵"}
        with engine.begin() as c:
            order = c.execute(select(HQ_ORDERS).where(HQ_ORDERS.c.logistics_no == f"LP{n:08d}")).mappings().one()
            result, message, _ = hq_audit.take_appeal(c, "HZ001", new_op_id(), AppealOp.model_validate(payload), order,
                                                      now)
        assert result == "applied", message
    appeal_ids = [a["id"] for a in hq_audit.appeals(engine, "open")]
    assert len(appeal_ids) == len(RUNS)
    with engine.begin() as c:  # HZ002's order picked up with a waybill that never got its scan
        c.execute(update(HQ_ORDERS).where(HQ_ORDERS.c.logistics_no == "LP00000099").values(
            status="picked_up", picked_up_at=sent + timedelta(hours=1), waybill_no="550000000099"))
    assert hq_audit.scan_suspicions(engine, sent - timedelta(days=1), now, now) == 1
    hq_credentials.issue(engine, "HZ001", now, replace=False)
    hq_credentials.review(engine, "HZ001", "wrong_station", "网点 HZ001 用了 HZ002 的凭据", now)
    return {"url": url, "weeks": weeks, "appeals": appeal_ids,
            "fined_month": f"{midweek[len(RUNS) - 1]:%Y-%m}", "sent_month": f"{sent + timedelta(hours=8):%Y-%m}"}


def _args(path: tuple, extra: list, data: dict, run: int) -> list[str]:
    """The command's arguments for its run'th call: a week to close once, an appeal to decide once."""
    given = {("hq", "audit", "close-week"): [data["weeks"][len(RUNS) + run]],
             ("hq", "audit", "week-report"): [data["weeks"][0]],
             ("hq", "audit", "decide"): [str(data["appeals"][run])],
             ("hq", "audit", "refunds"): ["--month", data["fined_month"]],
             ("hq", "audit", "rewards"): ["--month", data["sent_month"]]}.get(path, [])
    return [*path, *given, *extra, "--url", data["url"]]


def test_every_head_office_command_prints_rows_in_every_format_and_to_a_file(hq_engine, tmp_path):
    data = _head_office_with_rows(hq_engine, hq_engine.url.render_as_string(hide_password=False))
    for path, extra in HQ_PRINTING.items():
        for run, fmt in enumerate(RUNS):
            out = tmp_path / f"{'-'.join(path)}.csv"
            tail = ["--format", "csv", "-o", str(out)] if fmt == "-o" else ["--format", fmt]
            result = invoke([*_args(path, extra, data, run), *tail])
            assert result.exit_code == ExitCode.OK, (path, fmt, result.output)
            text = result.stdout
            assert "\ufeff" not in text, (path, fmt)  # into a pipe: no BOM
            if fmt == "json":
                assert json.loads(text), (path, "empty")
            elif fmt == "jsonl":
                lines = [json.loads(line) for line in text.splitlines()]
                assert lines and all(isinstance(x, dict) for x in lines), (path, text)
            elif fmt == "csv":
                got = list(csv.reader(io.StringIO(text)))
                assert all(re.fullmatch(r"[a-z_0-9]+", h) for h in got[0]), (path, got[0])  # stable English keys
                assert len(got) > 1, (path, "no rows")
            elif fmt == "table":
                assert text.strip(), path
            else:
                raw = out.read_bytes()
                assert raw.startswith(b"\xef\xbb\xbf"), path  # a file is for Excel: BOM and Chinese headings
                lines = raw[3:].decode("utf-8").splitlines()
                assert not re.fullmatch(r"[a-z_0-9,]+", lines[0]) and len(lines) > 1, (path, lines[:2])


def test_nested_documents_keep_their_shape_and_rows_flatten(hq_engine, tmp_path):
    data = _head_office_with_rows(hq_engine, hq_engine.url.render_as_string(hide_password=False))
    week = data["weeks"][0]
    report = json.loads(invoke(["hq", "audit", "week-report", week, "--url", data["url"], "-f", "json"]).stdout)
    assert set(report) == {"week", "by_province", "by_station", "by_kind", "notices", "recorded_at_close"}
    assert report["week"] == week and report["recorded_at_close"] == 2
    lines = invoke(["hq", "audit", "week-report", week, "--url", data["url"], "-f", "jsonl"]).stdout.splitlines()
    assert {json.loads(line)["section"] for line in lines} == {"province", "station", "kind"}
    doc = tmp_path / "week.json"
    assert invoke(["hq", "audit", "week-report", week, "--url", data["url"], "-f", "json", "-o", str(doc)]).exit_code == 0
    assert json.loads(doc.read_text(encoding="utf-8")) == report
    violations = json.loads(invoke(["hq", "audit", "violations", "--url", data["url"], "-f", "json"]).stdout)
    assert len(violations) == 10
    assert all(set(v) == {"id", "logistics_no", "kind", "fine", "state", "station", "deadline", "at"} for v in violations)
    decided = invoke(["hq", "audit", "decide", str(data["appeals"][0]), "--url", data["url"], "--uphold", "--note",
                      "时限内未接单", "-f", "json"])
    assert decided.exit_code == 0, decided.output
    assert json.loads(decided.stdout) == {"id": data["appeals"][0], "station": "HZ001", "logistics_no": "LP00000001",
                                         "kind": "late_accept", "state": "upheld", "note": "系统延迟",
                                         "decision": "时限内未接单"}
    refused = invoke(["hq", "audit", "decide", str(data["appeals"][1]), "--url", data["url"], "--uphold", "--note",
                      "x", "-o", str(tmp_path / "no" / "such" / "d.csv")])
    assert refused.exit_code == ExitCode.REFUSED and "目录" in refused.output and "不存在" in refused.output
    assert len(hq_audit.appeals(hq_engine, "open")) == len(RUNS) - 1  # refused before it was decided
    assert invoke(["hq", "audit", "week-report", week, "--url", data["url"], "-f", "xlsx"]).exit_code == ExitCode.REFUSED
