"""Keys of the station's meta table that more than one part reads."""

# Head office's last refusal of this station's audit chain (set by a sync, cleared by a sync that
# passes), so `check` and the desk can show it while the station works offline.
SYNC_CHAIN_PROBLEM = "sync.chain_problem"
