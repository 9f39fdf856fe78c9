"""The log an admin reads after a failed night sync or a crash: one rotating file in the user
log dir (platformdirs' folder, see stationdesk.paths; STATIONDESK_LOG_DIR overrides), level from `[log] level` in config.toml.

One line per sync, alert check, backup, import and refusal. Nothing personal reaches the file:
a filter masks mobile numbers (138****5678) and the password in any URL or `password=` text,
whatever a message carries. `stationdesk logs [--follow]` prints it.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

LOGGER = "stationdesk"
FILE_NAME = "stationdesk.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

# A library stays silent until the entrypoint sets a handler (no "last resort" output on stderr).
logging.getLogger(LOGGER).addHandler(logging.NullHandler())

_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")
_SECRET_WORD = re.compile(r"(?i)\b(password|passwd|pwd|token|secret)(\s*[=:]\s*)\S+")


def scrub(text: str) -> str:
    """``text`` with phones masked and passwords or tokens replaced by ***."""
    text = _URL_PASSWORD.sub(r"\1***@", text)
    text = _SECRET_WORD.sub(r"\1\2***", text)
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


class ScrubFilter(logging.Filter):
    """Applied to every record the file gets: the message and any traceback are scrubbed."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


class RotatingFile(logging.Handler):
    """The rotating file, made at the first record: a command that logs nothing (a lookup, a
    listing) never loads logging.handlers, with its sockets and queues."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.baseFilename = str(path)
        self._file: logging.Handler | None = None
        self._lines = 0

    def emit(self, record: logging.LogRecord) -> None:
        self._lines += 1
        if self._file is None and self._lines == 1 and self._appended(record):
            return
        if self._file is None:
            from logging.handlers import RotatingFileHandler

            try:
                self._file = RotatingFileHandler(self.baseFilename, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                 encoding="utf-8")
            except OSError:
                self.handleError(record)
                return
            self._file.setFormatter(self.formatter)
        self._file.emit(record)  # this handler's filters (the scrubbing) have run already

    def _appended(self, record: logging.LogRecord) -> bool:
        """A process's first line, appended as RotatingFileHandler appends it when the file stays
        under its size: a command that logs one line (a cron `alerts check`) never loads
        logging.handlers. False (nothing written) when the line would roll the file over."""
        try:
            line = self.format(record) + "\n"
            if os.path.getsize(self.baseFilename) + len(line) >= MAX_BYTES:
                return False
            with open(self.baseFilename, "a", encoding="utf-8") as fh:
                fh.write(line)
        except (OSError, ValueError, TypeError):  # the rotating handler tries, and reports what fails
            return False
        return True

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def log_dir() -> Path:
    env = os.environ.get("STATIONDESK_LOG_DIR")
    if env:
        return Path(env).expanduser()
    from stationdesk import paths

    return paths.log_dir()


def log_path() -> Path:
    return log_dir() / FILE_NAME


def setup_logging(level: str | None = None, *, restart: bool = False, config_path: Path | str | None = None
                  ) -> Path | None:
    """Attach the rotating file (once per process). ``level`` defaults to `[log] level` of the
    config in force (``config_path``, the command's --config, else the default one); a config
    that cannot be read leaves INFO (the command refuses it itself).
    Returns the file's path, or None when it cannot be opened (the command still runs)."""
    logger = logging.getLogger(LOGGER)
    for h in list(logger.handlers):
        if isinstance(h, RotatingFile):
            if not restart:
                return Path(h.baseFilename)
            logger.removeHandler(h)  # the log moves (demo: beside its database)
            h.close()
    if level is None:
        level = _configured_level(config_path)
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8"):  # it can be written: said now, not at the first line
            pass
    except OSError:
        return None
    handler = RotatingFile(path)
    handler.setFormatter(logging.Formatter(FORMAT, datefmt="%Y-%m-%d %H:%M:%S"))
    handler.addFilter(ScrubFilter())
    logger.addHandler(handler)
    logger.setLevel(getattr(logging, level.upper(), logging.INFO))
    return path


def _configured_level(config_path: Path | str | None = None) -> str:
    try:
        from stationdesk import config, paths

        return config.load(Path(config_path) if config_path else paths.default_config_path()).log.level
    except Exception:  # noqa: BLE001 - a broken config is reported by the command that reads it, not here
        return "INFO"


def log_refusal(command: str, message: str) -> None:
    logging.getLogger(f"{LOGGER}.cli").warning("refused %s: %s", command, message)


def log_event(what: str, message: str) -> None:
    logging.getLogger(f"{LOGGER}.{what}").info("%s", message)
