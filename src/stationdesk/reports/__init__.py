"""Reports and the writers that print or export them (table, JSON, CSV)."""
