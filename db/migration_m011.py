"""Schema m011: a change counter for each symbol's price row (its quote and its figures).

Every writer of `quotes` and `symbol_stats`, on any connection, bumps the symbol's counter
through these triggers when a value a watchlist row is built from changes (a poll that writes
the same quote again bumps nothing). The window then checks 200 counters to know which rows
changed since it built them, instead of reading and comparing every row's stored values. A
symbol never written has no counter (NULL), which no later write repeats.
"""

from __future__ import annotations

_BUMP = ("INSERT INTO price_versions (symbol, version) VALUES ({row}.symbol, 1) "
         "ON CONFLICT(symbol) DO UPDATE SET version = version + 1")
_WATCHED = {
    "quotes": ("price", "currency", "ts", "previous_close", "source"),
    "symbol_stats": ("last_ts", "last_high", "last_close", "peak", "peak_ts", "depth",
                     "depth_peak_ts", "depth_trough_ts", "high_52w", "avg_volume_20",
                     "close_ts", "close", "close_source", "settled_ts", "settled_close",
                     "settled_before_ts", "settled_before_close"),
}


def _trigger(table: str, event: str) -> str:
    changed = "" if event != "UPDATE" else " WHEN " + " OR ".join(
        f"NEW.{column} IS NOT OLD.{column}" for column in _WATCHED[table])
    row = "OLD" if event == "DELETE" else "NEW"
    return (f"CREATE TRIGGER {table}_{event.lower()}_price_version AFTER {event} ON {table}"
            f"{changed} BEGIN {_BUMP.format(row=row)}; END")


M011_STATEMENTS = [
    """CREATE TABLE price_versions (
        symbol TEXT PRIMARY KEY,
        version INTEGER NOT NULL
    ) WITHOUT ROWID""",
    *(_trigger(table, event) for table in _WATCHED for event in ("INSERT", "UPDATE", "DELETE")),
]
