"""What the command line says: one word of warning, not two."""

from tests.conftest import feed_row, write_csv
from tests.test_cli import cli  # noqa: F401 - the fixture


def test_a_transfer_against_the_directory_is_warned_once(cli, tmp_path):  # noqa: F811
    cli("import", str(write_csv(tmp_path / "f.csv", [feed_row(1)])))  # 西湖区: this station's own
    moved = cli("orders", "transfer", "LP00000001", "--to", "HZ002", "--operator", "张敏")
    assert moved.exit_code == 0
    assert moved.stderr.count("注意") == 1, moved.stderr
    assert "HZ001" in moved.stderr and "考核" in moved.stderr
