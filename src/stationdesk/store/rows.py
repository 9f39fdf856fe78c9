"""Rows as the services read them: by column name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from sqlalchemy import CursorResult, RowMapping


def by_name(row: RowMapping) -> Mapping[str, Any]:
    """``row`` as a mapping of column names. SQLAlchemy types a RowMapping's keys as names or
    Column objects alike; the services only ever read them by name."""
    return cast("Mapping[str, Any]", row)


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key the INSERT of ``result`` gave its one row."""
    key = result.inserted_primary_key
    if key is None:  # only for an INSERT of several rows at once, which none of the callers runs
        raise ValueError("the statement inserted no single row")
    return int(key[0])
