"""The Textual screens of the desk. Entry points: ``stationdesk.tui.app.build_app`` and ``run``."""
