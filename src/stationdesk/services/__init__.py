"""Use cases. Each public function is one transaction: the order rows, their events (the audit
trail) and their outbox operations change together or not at all."""
