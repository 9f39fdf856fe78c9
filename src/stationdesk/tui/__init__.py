"""The Textual app: the station menus at the keyboard."""
