"""What the command line says: one word of warning, not two, in the operator's language only."""

import re

from tests.conftest import feed_row, write_csv
from tests.test_cli import cli  # noqa: F401 - the fixture


def test_a_transfer_against_the_directory_is_warned_once(cli, tmp_path):  # noqa: F811
    cli("import", str(write_csv(tmp_path / "f.csv", [feed_row(1)])))  # 西湖区: this station's own
    moved = cli("orders", "transfer", "LP00000001", "--to", "HZ002", "--operator", "张敏")
    assert moved.exit_code == 0
    assert moved.stderr.count("注意") == 1, moved.stderr
    assert "HZ001" in moved.stderr and "考核" in moved.stderr


CJK = re.compile(r"[\u3400-\u9fff]")


def _refusals(cli, tmp_path):  # noqa: F811
    """A refused fail-accept (a capacity excuse), an accept of another station's order, a transfer
    to the station itself and an unknown number: what each prints on stderr, without its data."""
    cli("import", str(write_csv(tmp_path / "f.csv", [feed_row(1), feed_row(2, sender_district="拱墅区")])))
    said = []
    for args in (("orders", "fail-accept", "LP00000001", "--reason", "other", "--note", "人手不够"),
                 ("orders", "accept", "LP00000002"),
                 ("orders", "transfer", "LP00000001", "--to", "HZ001"),
                 ("orders", "accept", "LP99999999")):
        result = cli(*args, "--operator", "张敏")
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.startswith("stationdesk: ") and result.stderr.count("\n") == 1, result.stderr
        said.append(result.stderr.removeprefix("stationdesk: "))
    return said


def test_a_chinese_station_is_refused_in_chinese_only(cli, tmp_path):  # noqa: F811
    said = _refusals(cli, tmp_path)
    assert "人手不够" in said[0] and "虚假原因" in said[0]
    assert "拱墅区" in said[1] and "HZ002" in said[1]
    for line in said:
        words = re.findall(r"[A-Za-z]{3,}", re.sub(r"\b[A-Z]{2}\d{3,}\b|\bLP\d{8}\b", " ", line))
        assert CJK.search(line) and words == [], line


def test_an_english_station_is_refused_in_english_only(cli, tmp_path, monkeypatch):  # noqa: F811
    (tmp_path / "en.toml").write_text('[station]\nlanguage = "en"\n', encoding="utf-8")
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "en.toml"))
    said = _refusals(cli, tmp_path)
    assert "capacity excuse" in said[0] and "false reason" in said[0]
    assert "outside this station's area" in said[1] and "HZ002" in said[1]
    assert "Cannot transfer to this station" in said[2]
    assert "no order has this logistics or waybill number" in said[3]
    for line in said:  # the customer's words (人手不够, 拱墅区) are data, the rest is English
        assert not CJK.search(line.replace("人手不够", "").replace("拱墅区", "")), line
    moved = cli("orders", "transfer", "LP00000001", "--to", "HZ002", "--operator", "张敏")
    assert moved.exit_code == 0
    assert moved.stdout.strip() == "Order LP00000001 transferred to HZ002 杭州拱墅网点"
    assert moved.stderr.startswith("Note: By the directory 西湖区 belongs to HZ001"), moved.stderr
