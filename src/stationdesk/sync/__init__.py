"""Offline-first sync with head office: the outbox pushed in order, the feed pulled, over HTTP.

protocol: the typed, versioned wire models both sides share. Station side: client (httpx, the
token) and station (what a station does in a sync). Head office: hq_service (the Starlette API),
hq (apply pushed ops, import, cancel, dispatch, the feed), hq_chain (every station's audit chain),
hq_credentials (station tokens), hq_tables / hq_schema (its PostgreSQL schema and migrations).
"""
