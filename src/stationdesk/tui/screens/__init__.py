"""The desk's screens: one per station menu, and the screens they open."""
