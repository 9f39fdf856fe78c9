"""Where stationdesk keeps its files: platformdirs, overridable by environment variables."""

from __future__ import annotations

import os
from pathlib import Path

APP = "stationdesk"


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP, appauthor=False)


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
