"""Keyword schema data for kaconf (the grammars/ folder)."""
