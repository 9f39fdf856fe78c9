"""Column types: UTC timestamps stored as fixed-width ISO text that sorts in time order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import UserDefinedType

from stationdesk.store.values import to_db


class UTCDateTime(UserDefinedType[datetime]):
    """Aware datetime in, aware UTC datetime out; 'YYYY-MM-DDTHH:MM:SS.ffffffZ' in the file."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "VARCHAR(27)"

    @property
    def python_type(self) -> type:
        return datetime

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], str | None]:
        return _bind_time

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[str | None], datetime | None]:
        # one call per value: the TypeDecorator route took two on every time column of every row
        return _read_time


def _bind_time(value: datetime | None) -> str | None:
    return None if value is None else to_db(value)


def _read_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
