"""Where stationdesk keeps its files: platformdirs, overridable by environment variables.

On Linux the folders are the XDG ones platformdirs gives there, read from the environment
directly (``_xdg``): platformdirs loads tempfile, random, shutil, bz2 and lzma, about as long as
a cron `alerts check` reads its rows. Every other system, and any Linux case platformdirs treats
apart (an Android app, a HOME that is not absolute), asks platformdirs itself. The tests hold
each folder equal to platformdirs' own.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "stationdesk"


def _xdg(variable: str, default: str) -> Path | None:
    """``$variable`` (when absolute, else ``default`` under HOME) / stationdesk, as platformdirs'
    Unix folders are built, or None where platformdirs must answer itself."""
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel") or (
            os.environ.get("ANDROID_DATA") == "/data" and os.environ.get("ANDROID_ROOT") == "/system"):
        return None
    base = os.environ.get(variable, "")
    if not os.path.isabs(base):
        if not os.path.isabs(os.environ.get("HOME", "")):
            return None
        base = os.path.expanduser(default)
    return Path(os.path.join(base, APP))


def data_dir() -> Path:
    found = _xdg("XDG_DATA_HOME", "~/.local/share")
    if found is not None:
        return found
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)


def config_dir() -> Path:
    found = _xdg("XDG_CONFIG_HOME", "~/.config")
    if found is not None:
        return found
    from platformdirs import user_config_path

    return user_config_path(APP, appauthor=False)


def log_dir() -> Path:
    """The user log folder: "log" in the XDG state folder on Linux."""
    found = _xdg("XDG_STATE_HOME", "~/.local/state")
    if found is not None:
        return found / "log"
    from platformdirs import user_log_path

    return user_log_path(APP, appauthor=False)


def default_db_path() -> Path:
    """STATIONDESK_DB, else station.db in the user data dir."""
    env = os.environ.get("STATIONDESK_DB")
    return Path(env).expanduser() if env else data_dir() / "station.db"


def backup_dir() -> Path:
    """STATIONDESK_BACKUP_DIR, else "backups" in the user data dir: where daily backups go
    when `[backup] folder` is empty (`demo` points it beside its database)."""
    env = os.environ.get("STATIONDESK_BACKUP_DIR")
    return Path(env).expanduser() if env else data_dir() / "backups"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def default_config_path() -> Path:
    """STATIONDESK_CONFIG, else config.toml in the user config dir (it need not exist)."""
    env = os.environ.get("STATIONDESK_CONFIG")
    return Path(env).expanduser() if env else config_dir() / "config.toml"
