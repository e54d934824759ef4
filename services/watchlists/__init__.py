"""Watchlists: the lists and their symbols, and the per-symbol snapshot their table shows."""
