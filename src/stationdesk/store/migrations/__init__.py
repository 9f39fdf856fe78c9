"""Alembic migrations of the station database. The newest revision is SCHEMA_HEAD."""

SCHEMA_HEAD = "0009"
