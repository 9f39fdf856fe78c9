"""Reading an order feed file: CSV (UTF-8 with or without BOM, or GB18030) or JSON Lines.

Yields (line number, raw record) pairs; problems with the file as a whole raise FeedFileError,
problems with one record come back as that record's error so the rest can still be read.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stationdesk.domain.errors import DomainError
from stationdesk.domain.text import clean_text

FEED_FIELDS = (
    "logistics_no", "source", "channel", "business_type", "order_time", "sender_name", "sender_phone",
    "sender_province", "sender_city", "sender_district", "sender_address", "note", "goods", "waybill_no",
    "dispatch_time", "dispatch_operator", "cancelled",
)
REQUIRED_FIELDS = ("logistics_no", "source", "channel", "business_type", "order_time")


class FeedFileError(DomainError):
    """The file as a whole cannot be read; nothing was imported from it."""


@dataclass
class RawRecord:
    line: int
    values: dict[str, Any] | None
    error: str | None = None  # a record that could not even be parsed


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text and the encoding it was read in: UTF-8 (BOM optional), else GB18030."""
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise FeedFileError(f"{name}: has a UTF-8 BOM but invalid UTF-8 at byte {exc.start + 3}") from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            line = raw[: utf8_error.start].count(b"\n") + 1
            raise FeedFileError(
                f"{name}:{line}: 文件编码无法识别: neither UTF-8 nor GB18030 (bad byte at offset {utf8_error.start})"
            ) from None


def detect_format(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".txt"):
        return "csv"
    return "jsonl" if text.lstrip().startswith("{") else "csv"


def read_feed(path: Path) -> tuple[str, str, Iterator[RawRecord]]:
    """(format, encoding, records) of the feed at ``path``."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FeedFileError(f"{name}: cannot read: {exc.strerror or exc}") from None
    text, encoding = decode(raw, name)
    fmt = detect_format(path, text)
    return fmt, encoding, (_read_jsonl(text) if fmt == "jsonl" else _read_csv(text, name))


def _read_csv(text: str, name: str) -> Iterator[RawRecord]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FeedFileError(f"{name}: 文件为空 (empty file)") from None
    except csv.Error as exc:
        raise FeedFileError(f"{name}:1: header is not valid CSV: {exc}") from None
    columns = [h.strip().lstrip("\ufeff") for h in header]
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if missing:
        raise FeedFileError(f"{name}:1: 缺少必需列 {', '.join(missing)} (header needs {', '.join(REQUIRED_FIELDS)})")
    unknown = [clean_text(c) for c in columns if c and c not in FEED_FIELDS]
    if unknown:
        raise FeedFileError(f"{name}:1: 未知列 {', '.join(unknown)[:80]} (known columns: {', '.join(FEED_FIELDS)})")
    width = len(columns)
    line = reader.line_num + 1
    while True:
        start = line
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # strict mode stops at a broken quote; the rest of the file cannot be trusted
            yield RawRecord(start, None, f"CSV 格式错误: {exc}; 此行之后的内容未导入")
            return
        line = reader.line_num + 1
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != width:
            yield RawRecord(start, None, f"有 {len(cells)} 列, 表头有 {width} 列 (column count differs from header)")
            continue
        yield RawRecord(start, dict(zip(columns, cells, strict=True)))


def _read_jsonl(text: str) -> Iterator[RawRecord]:
    # Only "\n" ends a record: str.splitlines would also split on U+2028, legal inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawRecord(number, None, f"不是有效的 JSON: {exc.msg} at column {exc.colno}")
            continue
        if not isinstance(value, dict):
            yield RawRecord(number, None, "每行应为一个 JSON 对象 (expected one object per line)")
            continue
        unknown = [k for k in value if k not in FEED_FIELDS]
        if unknown:
            yield RawRecord(number, None, f"未知字段 {clean_text(', '.join(map(str, unknown)))[:80]}")
            continue
        yield RawRecord(number, value)
