"""Pieces every part of the app uses (the clock first; see docs/architecture.md)."""
