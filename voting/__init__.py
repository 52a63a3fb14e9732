"""Qatysu counting library (placeholder, filled below)."""
__version__ = "0.1.0"
