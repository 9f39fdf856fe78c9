"""Reading an order feed file: CSV (UTF-8 with or without BOM, or GB18030) or JSON Lines.

Yields (line number, raw record) pairs; problems with the file as a whole raise FeedFileError,
problems with one record come back as that record's error so the rest can still be read.

The file is read line by line, never whole: memory stays flat whatever its size. Each line is
decoded on its own, so an invalid byte, a row in another encoding, an overlong line or a broken
quote costs that row only.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from stationdesk.domain.errors import DomainError
from stationdesk.domain.limits import MAX_LINE_BYTES
from stationdesk.domain.text import clean_text
from stationdesk.domain.words import Words

FEED_FIELDS = (
    "logistics_no", "source", "channel", "business_type", "order_time", "sender_name", "sender_phone",
    "sender_province", "sender_city", "sender_district", "sender_address", "note", "goods", "waybill_no",
    "dispatch_time", "dispatch_operator", "cancelled",
)
REQUIRED_FIELDS = ("logistics_no", "source", "channel", "business_type", "order_time")
SAMPLE_BYTES = 256 * 1024  # read first to tell the encoding and the format
MAX_RECORD_LINES = 50  # a quoted CSV field may span lines; a quote left open is given up on after this


class FeedFileError(DomainError):
    """The file as a whole cannot be read; nothing was imported from it."""


@dataclass
class RawRecord:
    line: int
    values: dict[str, Any] | None
    error: str | None = None  # a record that could not even be parsed


@dataclass
class _Line:
    number: int
    text: str | None  # None: the line could not be read, see error
    error: str | None = None


def detect_encoding(sample: bytes, whole: bool) -> str:
    """The file's encoding from its first bytes: a UTF-8 BOM, else the encoding of its first
    non-ASCII line that is valid in UTF-8 or GB18030 (UTF-8 when there is none). A file is written
    by one program: its own first rows tell, and stray rows after them (pasted in another
    encoding, or garbage bytes valid in neither) are refused one by one instead of outvoting it.
    ``whole``: the sample is the whole file."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    lines = sample.split(b"\n")
    if not whole:
        lines = lines[:-1]  # cut at an arbitrary byte
    for line in lines:
        if line.isascii():
            continue
        for encoding in ("utf-8", "gb18030"):
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return "utf-8"


def _decode(raw: bytes, encoding: str) -> str:
    """One line in the file's encoding; raises ValueError naming the problem."""
    if encoding == "gb18030":
        if not raw.isascii():
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:  # not UTF-8 either: decoded as GB18030 below
                pass
            else:
                raise ValueError(Words("feed.utf8_in_gb"))
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ValueError(Words("feed.bad_byte", byte=exc.start + 1, encoding="GB18030", hint="")) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint: Words | str = ""
        try:
            raw.decode("gb18030")
            hint = Words("feed.looks_gb")
        except UnicodeDecodeError:  # no better guess to offer
            pass
        raise ValueError(Words("feed.bad_byte", byte=exc.start + 1, encoding="UTF-8", hint=hint)) from None


def _lines(f: IO[bytes], encoding: str) -> Iterator[_Line]:
    """The file's lines, decoded one by one; a line too long or not in the file's encoding comes
    back as an error and reading goes on at the next line."""
    number = 0
    while True:
        raw = f.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if number == 1 and encoding == "utf-8-sig":
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            size = len(raw)
            while raw and not raw.endswith(b"\n"):  # skip to the end of this line without keeping it
                raw = f.readline(MAX_LINE_BYTES)
                size += len(raw)
            yield _Line(number, None, Words("feed.line_too_long", size=size, limit=MAX_LINE_BYTES))
            continue
        try:
            yield _Line(number, _decode(raw, encoding))
        except ValueError as exc:
            yield _Line(number, None, exc.args[0])  # the Words raised by _decode


def detect_format(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".txt"):
        return "csv"
    return "jsonl" if text.lstrip().startswith("{") else "csv"


def read_feed(path: Path) -> tuple[str, str, Iterator[RawRecord]]:
    """(format, encoding, records) of the feed at ``path``; the records are read as they are taken."""
    name = str(path)
    try:
        f = path.open("rb")
        sample = f.read(SAMPLE_BYTES)
        whole = not f.read(1)
        f.seek(0)
    except OSError as exc:
        raise FeedFileError("feed.cannot_read", name=name, why=exc.strerror or str(exc)) from None
    encoding = detect_encoding(sample, whole)
    fmt = detect_format(path, sample.removeprefix(codecs.BOM_UTF8).decode("utf-8", "replace"))
    lines = _lines(f, encoding)
    try:
        records = _read_jsonl(lines) if fmt == "jsonl" else _read_csv(lines, name)
        first = next(records, None)  # the header's problems are the file's: raised here, not later
    except BaseException:
        f.close()
        raise

    def all_records() -> Iterator[RawRecord]:
        try:
            if first is not None:
                yield first
                yield from records
        finally:
            f.close()

    return fmt, encoding, all_records()


def _csv_why(exc: csv.Error) -> Words | str:
    """What the csv module found wrong: our own words when we raised it, else its own text."""
    why = exc.args[0] if exc.args else exc
    return why if isinstance(why, Words) else str(why)


class _CsvLines:
    """The lines handed to csv.reader, remembering those of the record being read so that a record
    that turns out broken can be reported by its first line and the lines after it read again."""

    def __init__(self, lines: Iterator[_Line]) -> None:
        self._lines = lines
        self.replay: deque[_Line] = deque()
        self.record: list[_Line] = []

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        item = self.replay.popleft() if self.replay else next(self._lines)
        self.record.append(item)
        if len(self.record) > MAX_RECORD_LINES:
            raise csv.Error(Words("feed.quote_open", n=MAX_RECORD_LINES))
        return "\n" if item.text is None else item.text


def _read_csv(lines: Iterator[_Line], name: str) -> Iterator[RawRecord]:
    if csv.field_size_limit() < MAX_LINE_BYTES:
        # an oversized field is refused by its name and length (domain/limits.py), not as broken CSV
        csv.field_size_limit(MAX_LINE_BYTES)
    source = _CsvLines(lines)
    reader = csv.reader(source, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FeedFileError("err.feed_empty", name=name) from None
    except csv.Error as exc:
        raise FeedFileError("feed.header_csv", name=name, why=_csv_why(exc)) from None
    if source.record and source.record[0].error:
        raise FeedFileError("err.feed_header", name=name, why=source.record[0].error)
    columns = [h.strip().lstrip("\ufeff") for h in header]
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if missing:
        raise FeedFileError("err.feed_missing", name=name, missing=", ".join(missing), need=", ".join(REQUIRED_FIELDS))
    unknown = [clean_text(c) for c in columns if c and c not in FEED_FIELDS]
    if unknown:
        raise FeedFileError("err.feed_unknown", name=name, unknown=", ".join(unknown)[:80], known=", ".join(FEED_FIELDS))
    width = len(columns)
    while True:
        source.record = []
        try:
            cells = next(reader)
        except StopIteration:
            if not source.record:
                return
            cells, error = None, Words("feed.csv_eof")
        except csv.Error as exc:
            cells, error = None, Words("feed.csv_error", why=_csv_why(exc))
        if cells is None:
            # the record's first line is refused; everything after it is read again as rows of its own
            source.replay.extendleft(reversed(source.record[1:]))
            yield RawRecord(source.record[0].number, None, error)
            reader = csv.reader(source, strict=True)
            continue
        start = source.record[0].number
        bad = next((item for item in source.record if item.error), None)
        if bad is not None:
            yield RawRecord(bad.number, None, bad.error)
            continue
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != width:
            yield RawRecord(start, None, Words("feed.columns", n=len(cells), width=width))
            continue
        yield RawRecord(start, dict(zip(columns, cells, strict=True)))


def _read_jsonl(lines: Iterator[_Line]) -> Iterator[RawRecord]:
    # Only "\n" ends a record: U+2028 is legal inside JSON strings.
    for item in lines:
        if item.text is None:
            yield RawRecord(item.number, None, item.error)
            continue
        line = item.text.removesuffix("\n").removesuffix("\r")
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawRecord(item.number, None, Words("feed.not_json", column=exc.colno, why=exc.msg))
            continue
        except RecursionError:
            yield RawRecord(item.number, None, Words("feed.json_nested"))
            continue
        if not isinstance(value, dict):
            yield RawRecord(item.number, None, Words("feed.json_not_object"))
            continue
        unknown = [k for k in value if k not in FEED_FIELDS]
        if unknown:
            yield RawRecord(item.number, None, Words("feed.unknown_fields", names=clean_text(", ".join(map(str, unknown)))[:80]))
            continue
        yield RawRecord(item.number, value)
