"""config.toml: typed settings with documented defaults, validated key by key.

A user's file is laid over the defaults below; any unknown key or wrong value is refused with
the file and the key named. The repository's config.toml lists every key with its default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(Exception):
    """config.toml is unreadable or has a bad key; the message names file and key."""


@dataclass(frozen=True)
class StationSettings:
    timezone: str = "Asia/Shanghai"
    """Time zone in which times are shown and dates are read; stored times are always UTC."""
    language: str = "zh"
    """Screen language: "zh" (Chinese labels, the default) or "en"."""


@dataclass(frozen=True)
class WaybillSettings:
    pattern: str = r"[0-9]{12,15}"
    """Regular expression a whole waybill number (运单号) must match, after spaces and dashes are removed."""
    description: str = "12-15 位数字"
    """How the format is described to a clerk when a number is refused."""


@dataclass(frozen=True)
class HoursSettings:
    start: str = ""
    """Start of the station's log-in hours (HH:MM); empty: by the station's province (08:00, 新疆 10:00)."""
    end: str = ""
    """End of the station's log-in hours (HH:MM); empty: by the station's province (20:00, 新疆 21:00)."""


@dataclass(frozen=True)
class AlertSettings:
    min_minutes: float = 10
    """Shortest gap between two 您还有未接订单 checks, in minutes."""
    max_minutes: float = 20
    """Longest gap between two checks, in minutes."""
    warn_before_minutes: float = 10
    """Warn separately about orders whose accept deadline is this close."""
    bell: bool = True
    """Ring the terminal bell with an alert."""


@dataclass(frozen=True)
class ScanSettings:
    bell: bool = True
    """Ring the terminal bell when a pickup scan is refused."""


@dataclass(frozen=True)
class ImportSettings:
    batch_size: int = 2000
    """Rows per transaction when importing a feed; a crash loses at most the unfinished batch."""


@dataclass(frozen=True)
class SyncSettings:
    url: str = ""
    """Head office's sync service, https://... (http:// only to 127.0.0.1). Empty: this station works offline.
    The token is never here: STATIONDESK_HQ_TOKEN or the owner-only token file (`sync --save-token`)."""
    every_minutes: float = 15.0
    """Minutes between the desk's own syncs while it runs (0: only on the sync key). Needs url."""


@dataclass(frozen=True)
class BackupSettings:
    folder: str = ""
    """Folder for the daily backups; empty: "backups" in the user data dir."""
    keep_days: int = 14
    """Daily backups older than this many days are removed."""


@dataclass(frozen=True)
class LogSettings:
    level: str = "INFO"
    """How much the log file records: DEBUG, INFO (one line per sync, alert check, backup,
    refusal), WARNING or ERROR. `stationdesk logs` prints the file."""


@dataclass(frozen=True)
class DuplicateSettings:
    window_minutes: float = 30.0
    """重复下单: a later order with the same phone, address and goods within this many minutes is flagged."""


@dataclass(frozen=True)
class Config:
    station: StationSettings = field(default_factory=StationSettings)
    waybill: WaybillSettings = field(default_factory=WaybillSettings)
    hours: HoursSettings = field(default_factory=HoursSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    import_: ImportSettings = field(default_factory=ImportSettings)
    scan: ScanSettings = field(default_factory=ScanSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    backup: BackupSettings = field(default_factory=BackupSettings)
    log: LogSettings = field(default_factory=LogSettings)
    duplicates: DuplicateSettings = field(default_factory=DuplicateSettings)
    keys: dict[str, str] = field(default_factory=dict)
    """Key remapping: action id = "key" (see `stationdesk keys`)."""
    source: Path | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.station.timezone)

    @property
    def working_hours(self) -> tuple[time, time]:
        """The configured hours, the network-wide default where unset (see ``hours_for``)."""
        return self.hours_for("")

    def hours_for(self, province: str) -> tuple[time, time]:
        """The station's log-in hours: ``[hours]`` where set, else by its province (新疆 10:00-21:00)."""
        from stationdesk.domain.hours import hours_for

        start = _parse_hhmm(self.hours.start) if self.hours.start else None
        end = _parse_hhmm(self.hours.end) if self.hours.end else None
        return hours_for(province, start, end)


_TABLES = {"station": "station", "waybill": "waybill", "hours": "hours", "alerts": "alerts",
           "import": "import_", "sync": "sync", "backup": "backup",
           "scan": "scan", "log": "log", "duplicates": "duplicates"}


def _parse_hhmm(text: str) -> time:
    hh, mm = text.split(":")
    return time(int(hh), int(mm))


def _coerce(where: str, expected: Any, value: Any) -> Any:
    if isinstance(expected, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if isinstance(expected, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return type(expected)(value) if isinstance(expected, float) else value
    if isinstance(expected, str) and not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {value!r}")
    return value


def _validate(cfg: Config, name: str) -> None:
    def bad(key: str, why: str) -> ConfigError:
        return ConfigError(f"{name}: {key}: {why}")

    try:
        ZoneInfo(cfg.station.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise bad("[station] timezone", f"unknown time zone {cfg.station.timezone!r}") from None
    if cfg.station.language not in ("zh", "en"):
        raise bad("[station] language", f"must be \"zh\" or \"en\", got {cfg.station.language!r}")
    try:
        re.compile(cfg.waybill.pattern)
    except re.error as exc:
        raise bad("[waybill] pattern", f"not a valid regular expression: {exc}") from None
    for key in ("start", "end"):
        value = getattr(cfg.hours, key)
        if value and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise bad(f"[hours] {key}", f"expected HH:MM or \"\" (by the station's province), got {value!r}")
    for province in ("", "新疆"):
        start, end = cfg.hours_for(province)
        if start >= end:
            raise bad("[hours]", f"start {start:%H:%M} must be before end {end:%H:%M}")
    a = cfg.alerts
    if not 0 < a.min_minutes <= a.max_minutes:
        raise bad("[alerts] min_minutes", f"must be > 0 and <= max_minutes ({a.min_minutes} / {a.max_minutes})")
    if a.warn_before_minutes < 0:
        raise bad("[alerts] warn_before_minutes", "must not be negative")
    if cfg.import_.batch_size < 1:
        raise bad("[import] batch_size", "must be at least 1")
    if cfg.sync.every_minutes < 0:
        raise bad("[sync] every_minutes", "must not be negative (0 turns the scheduled sync off)")
    if cfg.duplicates.window_minutes < 0:
        raise bad("[duplicates] window_minutes", "must not be negative (0: only orders placed at the same moment)")
    if cfg.backup.keep_days < 1:
        raise bad("[backup] keep_days", "must be at least 1")
    if cfg.log.level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise bad("[log] level", f"expected DEBUG, INFO, WARNING or ERROR, got {cfg.log.level!r}")
    for action, key in cfg.keys.items():
        if not isinstance(key, str) or not key.strip():
            raise bad(f"[keys] {action}", f"expected a key name such as \"f3\" or \"ctrl+a\", got {key!r}")
    from stationdesk import keymap  # the one key registry: action ids, key names, clashes

    problems = keymap.check_overrides(cfg.keys)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(f"{name}: {problems[0]}{more}")


def _flatten(table: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in table.items():
        if isinstance(value, dict):
            out.extend(_flatten(value, f"{prefix}{key}."))
        else:
            out.append((f"{prefix}{key}", value))
    return out


def parse(data: dict[str, Any], name: str = "config.toml") -> Config:
    """A Config from parsed TOML laid over the defaults; refuses unknown keys and bad values."""
    cfg = Config()
    updates: dict[str, Any] = {}
    for table, content in data.items():
        if table == "keys":
            if not isinstance(content, dict):
                raise ConfigError(f"{name}: [keys] must be a table")
            # `accept.accept = "y"` is a dotted key in TOML: it arrives as a nested table
            updates["keys"] = dict(_flatten(content))
            continue
        attr = _TABLES.get(table)
        if attr is None:
            raise ConfigError(f"{name}: unknown table [{table}] (known: {', '.join([*_TABLES, 'keys'])})")
        if not isinstance(content, dict):
            raise ConfigError(f"{name}: [{table}] must be a table")
        section = getattr(cfg, attr)
        known = {f.name: getattr(section, f.name) for f in fields(section)}
        values = {}
        for key, value in content.items():
            if key not in known:
                raise ConfigError(f"{name}: unknown key [{table}] {key} (known: {', '.join(known)})")
            values[key] = _coerce(f"{name}: [{table}] {key}", known[key], value)
        updates[attr] = replace(section, **values)
    cfg = replace(cfg, **updates)
    _validate(cfg, name)
    return cfg


def load(path: Path | None) -> Config:
    """The config at ``path`` over the defaults; a missing file means the defaults."""
    if path is None or not path.exists():
        return Config()
    import tomllib  # only for a file that exists: a command without one does not pay for the parser

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return replace(parse(data, str(path)), source=path)


def as_dict(cfg: Config) -> dict[str, Any]:
    """The settings as TOML-shaped tables, for `stationdesk config show` and tests."""
    out: dict[str, Any] = {}
    for table, attr in _TABLES.items():
        section = getattr(cfg, attr)
        assert is_dataclass(section)
        out[table] = {f.name: getattr(section, f.name) for f in fields(section)}
    out["keys"] = dict(cfg.keys)
    return out


# Settings whose values are secrets: `config show` prints them as *** (a URL keeps all but its password).
SECRET_KEYS = {("sync", "url")}


def _mask_secret(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    if "://" in value:
        value = re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", value)
        return re.sub(r"(?i)(password=)[^&]*", r"\1***", value)
    return "***"


def dump_toml(tables: dict[str, Any], *, mask_secrets: bool = True) -> str:
    """TOML text through a real TOML writer (tomli-w): any value reads back as it was."""
    import tomli_w

    out: dict[str, Any] = {}
    for table, values in tables.items():
        out[table] = {key: (_mask_secret(value) if mask_secrets and (table, key) in SECRET_KEYS else value)
                      for key, value in values.items()}
    return tomli_w.dumps(out)


def shipped_config_text() -> str:
    """The commented config.toml shipped in the wheel (every key with its default and why)."""
    from importlib.resources import files

    packaged = files("stationdesk") / "data" / "config.toml"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "config.toml").read_text(encoding="utf-8")  # a source checkout


def shipped_samples() -> dict[str, bytes]:
    """The sample order feeds shipped in the wheel (a source checkout: data/), by file name."""
    from importlib.resources import files

    packaged = files("stationdesk") / "data" / "samples"
    if packaged.is_dir():
        return {p.name: p.read_bytes() for p in sorted(packaged.iterdir(), key=lambda p: p.name) if p.is_file()}
    folder = Path(__file__).resolve().parents[2] / "data"
    return {p.name: p.read_bytes() for p in sorted(folder.glob("sample_feed*"))}
