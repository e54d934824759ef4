"""Schema m012: one change counter for the watchlists' contents.

Every change to which symbols a list holds, their order or their notes, on any connection (the
window, the CLI beside it), bumps it. The window's refresh after a poll keeps each list's items
while it stands still instead of reading them again: a poll changes prices, rarely a list.
"""

from __future__ import annotations

_BUMP = "UPDATE watchlist_items_version SET version = version + 1"
_EVENTS = ("INSERT", "UPDATE OF watchlist_id, symbol, position, note", "DELETE")

M012_STATEMENTS = [
    """CREATE TABLE watchlist_items_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
    )""",
    "INSERT INTO watchlist_items_version (id, version) VALUES (1, 0)",
    *(f"CREATE TRIGGER watchlist_items_{event.split()[0].lower()}_items_version AFTER {event} "
      f"ON watchlist_items BEGIN {_BUMP}; END" for event in _EVENTS),
]
