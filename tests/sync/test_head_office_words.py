"""Head office's refusals reach a station as a catalogue key with parameters: a real `hq serve`
refuses, and the station says why in its own language (tests/test_words_everywhere.py has the rest)."""

from __future__ import annotations

from typer.testing import CliRunner

from stationdesk.cli import app


def test_a_refusal_from_head_office_is_said_in_the_stations_language(office, tmp_path, monkeypatch):  # noqa: ANN001
    """A real `hq serve` refuses a token it never issued: the station says why in its own language."""
    monkeypatch.setenv("STATIONDESK_LOG_DIR", str(tmp_path / "logs"))
    runner = CliRunner()
    db = str(tmp_path / "hz1.db")
    assert runner.invoke(app, ["init", "--station", "HZ001", "--db", db]).exit_code == 0
    english = tmp_path / "en.toml"
    english.write_text('[station]\nlanguage = "en"\n', encoding="utf-8")
    said = {}
    for lang, config in (("zh", tmp_path / "none.toml"), ("en", english)):
        out = runner.invoke(app, ["sync", "--hq", office.url, "--db", db, "--config", str(config)],
                            env={"STATIONDESK_HQ_TOKEN": "sdt_never_issued"})
        assert out.exit_code == 1, out.output
        said[lang] = out.stderr.strip()
    assert said["zh"] == "stationdesk: 网点凭据无效或已吊销 (凭据不存在); 请向总部申请新凭据"
    assert said["en"] == ("stationdesk: the station token is not valid or was revoked (unknown token); "
                          "ask head office for a new token")
