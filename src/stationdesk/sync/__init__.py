"""Offline-first sync with head office PostgreSQL: the outbox pushed in order, the feed pulled.

hq_tables / hq_schema: the head office schema and its migrations; hq: what head office does
(apply pushed ops, import, cancel, dispatch, the feed); station: what a station does in a sync.
"""
