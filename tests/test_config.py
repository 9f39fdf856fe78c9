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
