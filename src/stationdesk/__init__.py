"""stationdesk: the keyboard-first desk for e-commerce pickup orders at an express station."""

__version__ = "0.1.0"
