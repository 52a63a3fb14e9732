"""The demo city's content: names, texts and numbers, with no loading code (app/demo/ loads them)."""
