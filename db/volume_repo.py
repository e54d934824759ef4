"""Daily closes and volumes for lock-up overhang figures (average volume, price paths)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def _marks(sources: Sequence[str]) -> str:
    return ", ".join("?" * len(sources))


def recent_volumes(conn: sqlite3.Connection, symbol: str, through_ts: int, count: int,
                   sources: Sequence[str]) -> list[sqlite3.Row]:
    """The newest `count` complete daily bars with a volume at or before `through_ts`
    (ts, volume, source), newest first."""
    return conn.execute(
        f"SELECT ts, volume, source FROM bars WHERE symbol = ? AND interval = '1d' "
        f"AND ts <= ? AND volume IS NOT NULL AND partial = 0 AND source IN ({_marks(sources)}) "
        f"ORDER BY ts DESC LIMIT ?", [symbol, through_ts, *sources, count]).fetchall()


def daily_closes(conn: sqlite3.Connection, symbol: str, start_ts: int, end_ts: int,
                 sources: Sequence[str]) -> list[sqlite3.Row]:
    """Daily closes (ts, close, source) between two times, oldest first."""
    return conn.execute(
        f"SELECT ts, close, source FROM bars WHERE symbol = ? AND interval = '1d' "
        f"AND ts BETWEEN ? AND ? AND close IS NOT NULL AND source IN ({_marks(sources)}) "
        f"ORDER BY ts", [symbol, start_ts, end_ts, *sources]).fetchall()
