"""Every word a person reads from the feed import, `check`, head office, the station's sync and the
command line's options comes from the catalogue (stationdesk.domain.words) and is said in one
language: a Chinese operator reads Chinese, an English operator English, customer data aside.

Two kinds of test: a scan of the source that fails when a mixed "中文 (english)" text or a message
written outside the catalogue comes back in these modules, and real errors rendered in both
languages (a bad feed row, a check problem, a refusal from a real `hq serve`, an option error).
"""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stationdesk.cli import app
from stationdesk.domain.words import MESSAGES, Words, from_wire, to_wire
from tests.conftest import feed_row, write_csv

SRC = Path(__file__).resolve().parents[1] / "src" / "stationdesk"
SCANNED = sorted([
    *(SRC / "services").glob("feed_*.py"), SRC / "services" / "check.py", SRC / "services" / "audit_trail.py",
    SRC / "services" / "backup.py", SRC / "store" / "account_chain.py", SRC / "domain" / "sources.py",
    *(SRC / "sync").glob("*.py"), *(SRC / "cli").glob("*.py"),
])
CJK = re.compile(r"[\u3400-\u9fff]")
# Chinese, then an English gloss in brackets: "文件不存在 (no such file)", the shape these messages had
MIXED = re.compile(r"[\u3400-\u9fff][^()]*\((?:not |no |the |this |a |an |[a-z'-]+ [a-z]+|[a-z'-]+\))")
# Exceptions whose message a person reads: given text, not a catalogue key, it is a message outside it
SPOKEN = {"DomainError", "StoreError", "HQError", "AuditError", "ChainError", "GapError", "FeedFileError", "Refused",
          "Refusal", "InvalidInput", "Unknown"}

# Texts that stay as they are, each with its reason (file name, the literal's start).
ALLOWED = {
    # the command line's help texts: Typer's own English, with the Chinese menu names beside them
    # (help is not a message; it is looked up by people who read the option names anyway)
    "help": "help",
}


def _literal_text(node: ast.AST) -> str | None:
    """The text of a string literal or f-string (its constant parts), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return None


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _in_help(tree: ast.AST) -> set[int]:
    """Literals given as help= (Typer options, commands): the command line's own help, not messages."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ("help", "metavar"):
            ids.update(id(n) for n in ast.walk(node.value))
    return ids


def _mixed_texts() -> list[str]:
    found: list[str] = []
    for path in SCANNED:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree) | _in_help(tree)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            text = _literal_text(node)
            where = f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}"
            if text and MIXED.search(text) and not any(f.startswith(where + ":") for f in found):
                found.append(f"{where}: {text[:80]}")  # an f-string and its parts: named once
    return found


def _spoken_outside_the_catalogue() -> list[str]:
    found = []
    for path in SCANNED:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in SPOKEN:
                continue
            # head office's service refusal: Refused(status, error code, message)
            args = node.args[2:3] if name == "Refused" and path.name == "hq_service.py" else node.args[:1]
            for arg in args:
                text = _literal_text(arg)
                if text is not None and text not in MESSAGES and re.search(r"[A-Za-z]{3,}|[\u3400-\u9fff]", text):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}: {name}({text[:70]!r})")
    return found


def test_no_mixed_chinese_and_english_text_comes_back():
    assert _mixed_texts() == []


def test_no_refusal_is_written_outside_the_catalogue():
    """A refusal's text in these modules is a catalogue key with parameters, never a literal."""
    assert _spoken_outside_the_catalogue() == []


def test_the_scan_finds_what_it_looks_for(tmp_path, monkeypatch):
    """The two scans are not blind: a module with the old shapes is caught by both."""
    bad = tmp_path / "bad.py"
    bad.write_text('def f(x):\n    raise DomainError(f"网点 {x} 不在目录中 (unknown station)")\n'
                   '    raise Refused("--month: expected YYYY-MM")\n', encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["SCANNED"]), "SCANNED", [bad])
    monkeypatch.setattr(__import__(__name__, fromlist=["SRC"]), "SRC", tmp_path)
    assert len(_mixed_texts()) == 1
    assert len(_spoken_outside_the_catalogue()) == 2


# ------------------------------------------------------------------ English: one and many


def test_english_says_one_and_many_apart():
    assert Words("done.batch_accepted", n=1).say("en") == "Batch accepted: 1 order"
    assert Words("done.batch_accepted", n=2).say("en") == "Batch accepted: 2 orders"
    assert Words("done.batch_accepted", n=1).say("zh") == "批量接单成功: 1 单"
    from stationdesk.tui.i18n import tr

    assert tr("quit.unsynced", "en", n=1).startswith("1 action not yet sent")
    assert tr("quit.unsynced", "en", n=35).startswith("35 actions not yet sent")


def test_no_english_entry_says_one_of_a_plural_noun():
    """Every English entry with a count before a plural noun marks one and many ({n|order|orders})."""
    from stationdesk.tui.i18n import LABELS

    nouns = "orders|actions|scans|events|rows|accounts|exceptions|complaints|problems|violations|days|indexes|ops|minutes"
    unmarked = [key for key, (_zh, en) in {**LABELS, **MESSAGES}.items()
                if re.search(r"\{(n|count|orders|events|x|c|minutes)(:[^}]*)?\} (" + nouns + r")\b", en)
                and key not in ("err.ambiguous", "hq.ambiguous")]  # two or more orders by definition
    assert unmarked == []


# ------------------------------------------------------------------ head office's words on the wire


def test_words_travel_as_a_key_and_parameters_and_are_checked_on_arrival():
    from stationdesk.domain.statuses import Status

    sent = Words("hq.rejected", ref="LP1", label=Words("hq.op_label", station="HZ001", action="accept", seq=3),
                 where=Words("hq.where_status", status=Status.CANCELLED))
    came = from_wire(to_wire(sent))
    assert came is not None and came.say("zh") == str(sent) and "rejected" in came.say("en")
    assert not CJK.search(came.say("en").replace("HZ001", ""))
    assert from_wire({"key": "no.such.key", "params": {}}) is None  # a newer head office's word: its plain message
    assert from_wire({"key": "hq.rejected", "params": {"ref": "LP1"}}) is None  # a parameter missing
    assert from_wire({"key": "hq.received", "params": {"ref": ["LP1"]}}) is None  # not a plain value
    assert from_wire({"key": "hq.received", "params": {"ref": "LP1"}, "extra": 1}) is None


# ------------------------------------------------------------------ real errors, in both languages


def _english(tmp_path: Path) -> Path:
    path = tmp_path / "en.toml"
    path.write_text('[station]\nlanguage = "en"\n', encoding="utf-8")
    return path


@pytest.fixture
def station(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONDESK_DB", str(tmp_path / "s.db"))
    monkeypatch.setenv("STATIONDESK_LOG_DIR", str(tmp_path / "logs"))
    runner = CliRunner()

    def run(lang: str, *args: str):
        config = _english(tmp_path) if lang == "en" else tmp_path / "none.toml"
        return runner.invoke(app, list(args), env={"STATIONDESK_CONFIG": str(config)})

    assert runner.invoke(app, ["init", "--station", "HZ001"]).exit_code == 0
    return run


def _no_english(line: str, *data: str) -> bool:
    """Chinese with no English word left once the data (numbers, file paths, field names) is taken out."""
    for d in data:
        line = line.replace(d, " ")
    line = re.sub(r"\b[A-Z]{2}\d{3,}\b|\bLP\d{8}\b|[\w./-]*\.(csv|db|toml)\b", " ", line)
    return bool(CJK.search(line)) and re.findall(r"[A-Za-z]{3,}", line) == []


def test_a_bad_feed_row_names_file_line_field_and_order_in_either_language(station, tmp_path):
    feed = write_csv(tmp_path / "f.csv", [feed_row(1), feed_row(2, channel="卫星"), feed_row(3, order_time="2026-11-23 10:00")])
    zh = station("zh", "import", str(feed))
    assert zh.exit_code == 4, zh.output
    lines = zh.stderr.strip().splitlines()
    assert len(lines) == 2 and "f.csv: 第 3 行, 字段 channel (订单 LP00000002): '卫星' 不是 线上/线下" in lines[0]
    assert "第 4 行, 字段 order_time (订单 LP00000003)" in lines[1]
    assert all(_no_english(line, "channel", "order_time", "ISO", "2026-11-23T09:30:00+08:00") for line in lines), lines
    assert "导入 1, 更新 0, 撤单 0, 未变 0, 拒绝 2" in zh.stdout
    en = station("en", "import", str(write_csv(tmp_path / "g.csv", [feed_row(4, sender_phone="12")])))
    assert en.exit_code == 1, en.output
    assert "g.csv: line 2, field sender_phone (order LP00000004): not a phone number" in en.stderr
    assert not CJK.search(en.stderr) and not CJK.search(en.stdout)
    assert "imported 0, updated 0, cancelled 0, unchanged 0, rejected 1" in en.stdout


def test_a_broken_csv_line_is_named_in_either_language(station, tmp_path):
    feed = write_csv(tmp_path / "f.csv", [feed_row(1)])
    feed.write_text(feed.read_text(encoding="utf-8") + "LPX,淘宝\n", encoding="utf-8")
    zh = station("zh", "import", str(feed))
    assert "第 3 行: 有 2 列, 表头有" in zh.stderr
    en = station("en", "import", str(feed))
    assert "line 3: 2 columns, the header has" in en.stderr and not CJK.search(en.stderr)


def test_a_check_problem_is_said_in_either_language(station, tmp_path):
    assert station("zh", "import", str(write_csv(tmp_path / "f.csv", [feed_row(1)]))).exit_code == 0
    assert station("zh", "orders", "accept", "LP00000001", "--operator", "张敏").exit_code == 0
    with sqlite3.connect(tmp_path / "s.db") as conn:
        conn.execute("UPDATE order_event SET operator = '某人' WHERE id = 2")
    zh = station("zh", "check")
    assert zh.exit_code == 5
    problems = [line for line in zh.stderr.splitlines() if "审计链断开" in line]
    assert problems and "事件 2 (订单 LP00000001, 版本 2" in problems[0]
    assert "个问题" in zh.stderr and "处理办法: " in zh.stderr
    en = station("en", "check")
    assert en.exit_code == 5
    assert "audit chain broken: event id 2 (order LP00000001, version 2" in en.stderr
    assert "what to do: the audit trail was changed outside stationdesk" in en.stderr
    assert re.search(r": \d+ problems?\n", en.stderr)
    assert not CJK.search(en.stderr.replace("某人", "").replace("张敏", ""))


def test_an_option_error_is_said_in_either_language(station):
    zh = station("zh", "report", "monthly", "--month", "2026-13")
    assert zh.exit_code == 1 and zh.stderr.strip() == "stationdesk: --month '2026-13': 月份应为 01-12"
    en = station("en", "report", "monthly", "--month", "2026-13")
    assert en.exit_code == 1 and en.stderr.strip() == "stationdesk: --month '2026-13': month must be 01-12"


def test_a_listing_counts_one_order_as_one(station, tmp_path):
    assert station("en", "import", str(write_csv(tmp_path / "f.csv", [feed_row(1)]))).exit_code == 0
    listed = station("en", "orders", "list")
    assert listed.exit_code == 0 and "(1 order)" in listed.stderr
