"""Persistence: SQLModel tables, the SQLite engine, migrations and read-side queries."""
