"""Column types: UTC timestamps stored as fixed-width ISO text that sorts in time order."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.types import String, TypeDecorator

UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_db(value: datetime) -> str:
    """An aware datetime as stored text; naive datetimes are a programming error."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: every stored time must carry its offset")
    return value.astimezone(UTC).strftime(UTC_FORMAT)


def from_db(text: str) -> datetime:
    return datetime.strptime(text, UTC_FORMAT).replace(tzinfo=UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetime in, aware UTC datetime out; 'YYYY-MM-DDTHH:MM:SS.ffffffZ' in the file."""

    impl = String(27)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> str | None:  # noqa: ANN001
        return None if value is None else to_db(value)

    def process_result_value(self, value: str | None, dialect) -> datetime | None:  # noqa: ANN001
        return None if value is None else from_db(value)
