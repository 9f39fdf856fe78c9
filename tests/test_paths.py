"""The folders stationdesk keeps its files in are platformdirs' own on every system: on Linux they
are read from the XDG environment without loading platformdirs, and must stay equal to what
platformdirs itself gives for every environment a person or a cron line may have."""

from __future__ import annotations

import sys

import platformdirs
import pytest

from stationdesk import logs, paths

CASES = {
    "defaults under HOME": {"HOME": "/home/clerk"},
    "XDG folders set": {"HOME": "/home/clerk", "XDG_DATA_HOME": "/srv/data", "XDG_CONFIG_HOME": "/srv/conf/",
                        "XDG_STATE_HOME": "/srv/state"},
    "relative XDG folders are ignored": {"HOME": "/home/clerk", "XDG_DATA_HOME": "data", "XDG_CONFIG_HOME": "",
                                         "XDG_STATE_HOME": "./state"},
    "HOME of /": {"HOME": "/"},
    "HOME with a trailing slash": {"HOME": "/home/clerk/"},
    "relative HOME": {"HOME": "clerk"},
    "no HOME": {},
    "Android's variables": {"HOME": "/home/clerk", "ANDROID_DATA": "/data", "ANDROID_ROOT": "/system"},
}
VARIABLES = ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "ANDROID_DATA", "ANDROID_ROOT",
             "STATIONDESK_LOG_DIR")


@pytest.mark.parametrize("case", list(CASES))
def test_each_folder_is_the_one_platformdirs_gives(case, monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in CASES[case].items():
        monkeypatch.setenv(name, value)
    assert paths.data_dir() == platformdirs.user_data_path("stationdesk", appauthor=False)
    assert paths.config_dir() == platformdirs.user_config_path("stationdesk", appauthor=False)
    assert paths.log_dir() == logs.log_dir() == platformdirs.user_log_path("stationdesk", appauthor=False)
    assert str(paths.log_dir()) == platformdirs.user_log_dir("stationdesk", appauthor=False)


def test_on_linux_the_folders_come_from_the_environment_and_elsewhere_from_platformdirs(monkeypatch):
    monkeypatch.setenv("HOME", "/home/clerk")
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.delenv("ANDROID_DATA", raising=False)
    read_directly = paths._xdg("XDG_STATE_HOME", "~/.local/state")
    assert read_directly == (paths.Path("/home/clerk/.local/state/stationdesk") if sys.platform == "linux" else None)
    monkeypatch.setenv("HOME", "clerk")  # platformdirs looks the home up itself
    assert paths._xdg("XDG_STATE_HOME", "~/.local/state") is None
    monkeypatch.setattr(paths.sys, "platform", "darwin")
    monkeypatch.setenv("HOME", "/Users/clerk")
    assert paths._xdg("XDG_STATE_HOME", "~/.local/state") is None
