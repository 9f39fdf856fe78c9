"""Alembic migrations of the head office PostgreSQL schema, apart from the station's.

They live in their own script location with their own version table (hq_alembic_version), so a
station migration can never run on head office or the reverse. The newest revision is HQ_SCHEMA_HEAD.
"""

HQ_SCHEMA_HEAD = "hq0002"
HQ_VERSION_TABLE = "hq_alembic_version"
