"""Bars and latest quotes: the hot tables, written as tuples and read as plain rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

BAR_COLUMNS = ("symbol", "interval", "ts", "open", "high", "low", "close", "volume", "source",
               "partial")
# 10 bound values a row; SQLite allows 32,766 variables a statement.
ROWS_PER_STATEMENT = 2_000

_UPSERT_TAIL = """
ON CONFLICT(symbol, interval, ts) DO UPDATE SET
    open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
    volume = excluded.volume, source = excluded.source, partial = excluded.partial
WHERE (bars.open, bars.high, bars.low, bars.close, bars.volume, bars.source, bars.partial)
      IS NOT (excluded.open, excluded.high, excluded.low, excluded.close, excluded.volume,
              excluded.source, excluded.partial)
"""
_ROW = "(" + ",".join("?" * len(BAR_COLUMNS)) + ")"
_INSERT_HEAD = f"INSERT INTO bars ({', '.join(BAR_COLUMNS)}) VALUES "


def _upsert_sql(rows: int, keep_market_data: bool) -> str:
    sql = _INSERT_HEAD + ",".join([_ROW] * rows) + _UPSERT_TAIL
    if keep_market_data:
        sql += " AND bars.source = 'reference'"
    return sql


def upsert_bars(
    conn: sqlite3.Connection, rows: Sequence[tuple], *, keep_market_data: bool = False
) -> None:
    """Write bar tuples (in BAR_COLUMNS order) with multi-row upserts.

    Rows identical to what is stored are not rewritten. With keep_market_data, an existing
    non-reference bar is never replaced (used when mirroring reference points). Call inside a
    transaction: a poll's bars commit together or not at all.
    """
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        params = [value for row in chunk for value in row]
        conn.execute(_upsert_sql(len(chunk), keep_market_data), params)


def last_daily_bars(conn: sqlite3.Connection, symbol: str, count: int = 2) -> list[sqlite3.Row]:
    """The newest daily bars that have a close, newest first."""
    return conn.execute(
        "SELECT ts, close, source, partial FROM bars "
        "WHERE symbol = ? AND interval = '1d' AND close IS NOT NULL ORDER BY ts DESC LIMIT ?",
        [symbol, count],
    ).fetchall()


def peak(conn: sqlite3.Connection, symbol: str) -> sqlite3.Row | None:
    """The highest price ever stored (bar high, or close where no high is known) and its time."""
    return conn.execute(
        "SELECT ts, MAX(COALESCE(high, close)) AS price FROM bars "
        "WHERE symbol = ? AND COALESCE(high, close) IS NOT NULL",
        [symbol],
    ).fetchone()


def latest_quote(conn: sqlite3.Connection, symbol: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM quotes WHERE symbol = ?", [symbol]).fetchone()
