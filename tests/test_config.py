from pathlib import Path

import pytest

from stationdesk import config

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_config_toml_lists_exactly_the_defaults():
    shipped = config.load(ROOT / "config.toml")
    assert config.as_dict(shipped) == config.as_dict(config.Config())


def test_every_setting_has_a_docstring_in_the_code():
    source = (ROOT / "src/stationdesk/config.py").read_text(encoding="utf-8")
    for table in config.as_dict(config.Config()):
        if table == "keys":
            continue
        for key in config.as_dict(config.Config())[table]:
            assert f"    {key}:" in source and '"""' in source.split(f"    {key}:", 1)[1].split("\n", 2)[1]


@pytest.mark.parametrize(("text", "message"), [
    ("[station]\ntimezone = 'Mars/Olympus'\n", "[station] timezone"),
    ("[waybil]\npattern = 'x'\n", "unknown table [waybil]"),
    ("[waybill]\npatern = 'x'\n", "unknown key [waybill] patern"),
    ("[waybill]\npattern = '(['\n", "[waybill] pattern"),
    ("[hours]\nstart = '8am'\n", "[hours] start"),
    ("[alerts]\nmin_minutes = 30\nmax_minutes = 20\n", "[alerts] min_minutes"),
    ("[alerts]\nbell = 'yes'\n", "[alerts] bell"),
    ("[station\n", "not valid TOML"),
])
def test_a_bad_config_is_refused_naming_file_and_key(tmp_path, text, message):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(config.ConfigError) as err:
        config.load(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_xinjiang_hours(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[hours]\nstart = "10:00"\nend = "21:00"\n', encoding="utf-8")
    assert [t.hour for t in config.load(path).working_hours] == [10, 21]


def test_keys_are_checked_against_the_registry_dotted_or_quoted(tmp_path):
    from stationdesk.config import ConfigError, load

    good = tmp_path / "good.toml"
    good.write_text('[keys]\naccept.accept = "y"\n"pickup.confirm" = "F12"\n', encoding="utf-8")
    assert load(good).keys == {"accept.accept": "y", "pickup.confirm": "F12"}
    for text, named in [
        ('[keys]\naccept.nope = "y"\n', "accept.nope: unknown action"),
        ('[keys]\naccept.accept = "bogus"\n', "accept.accept: unknown key"),
        ('[keys]\naccept.accept = "b"\n', "accept.batch"),  # clashes with batch accept on the same screen
    ]:
        bad = tmp_path / "bad.toml"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=named) as refused:
            load(bad)
        assert str(bad) in str(refused.value)


def test_the_keys_command_lists_every_action_with_its_key_after_the_config(tmp_path):
    import json as json_mod

    from typer.testing import CliRunner

    from stationdesk import keymap
    from stationdesk.cli import app

    cfg = tmp_path / "config.toml"
    cfg.write_text('[keys]\naccept.accept = "y"\n', encoding="utf-8")
    out = CliRunner().invoke(app, ["keys", "--config", str(cfg), "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = {r["action"]: r for r in json_mod.loads(out.output)}
    assert set(rows) == {a.id for a in keymap.ACTIONS}
    assert (rows["accept.accept"]["key"], rows["accept.accept"]["default"]) == ("y", "a")
    assert rows["app.quit"]["key"] == rows["app.quit"]["default"]
