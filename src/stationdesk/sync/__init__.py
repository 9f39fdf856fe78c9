"""Offline-first sync with head office PostgreSQL."""
