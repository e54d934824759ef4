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


def previous_close(conn: sqlite3.Connection, symbol: str, before_ts: int,
                   sources: Sequence[str]) -> sqlite3.Row | None:
    """The newest complete daily close before `before_ts` from one of `sources` (ts, close)."""
    marks = ", ".join("?" * len(sources))
    return conn.execute(
        "SELECT ts, close FROM bars WHERE symbol = ? AND interval = '1d' AND ts < ? "
        f"AND close IS NOT NULL AND partial = 0 AND source IN ({marks}) "
        "ORDER BY ts DESC LIMIT 1", [symbol, before_ts, *sources]).fetchone()


def peak(conn: sqlite3.Connection, symbol: str) -> sqlite3.Row | None:
    """The highest price ever stored (bar high, or close where no high is known) and its time."""
    return conn.execute(
        "SELECT ts, MAX(COALESCE(high, close)) AS price FROM bars "
        "WHERE symbol = ? AND COALESCE(high, close) IS NOT NULL",
        [symbol],
    ).fetchone()


def latest_quote(conn: sqlite3.Connection, symbol: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM quotes WHERE symbol = ?", [symbol]).fetchone()


SOURCE_CODES = {"yahoo": 0, "import": 1, "reference": 2, "demo": 3}
_SOURCE_CASE = "CASE source " + " ".join(
    f"WHEN '{name}' THEN {code}" for name, code in SOURCE_CODES.items()) + " END"


def bar_matrix(conn: sqlite3.Connection, symbol: str, interval: str, start: int, end: int
               ) -> list[tuple]:
    """Rows (ts, open, high, low, close, volume, source code) in time order, as plain tuples:
    the caller turns them into one float array in a single numpy call (NULL becomes NaN)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(
        f"SELECT ts, open, high, low, close, volume, {_SOURCE_CASE} FROM bars "
        "WHERE symbol = ? AND interval = ? AND ts >= ? AND ts <= ? ORDER BY ts",
        [symbol, interval, start, end],
    ).fetchall()


def peak_before(conn: sqlite3.Connection, symbol: str, ts: int) -> float | None:
    """The highest price stored before `ts` (any interval): the running peak a chart starts from."""
    row = conn.execute(
        "SELECT MAX(COALESCE(high, close)) FROM bars WHERE symbol = ? AND ts < ?", [symbol, ts]
    ).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def latest_ts(conn: sqlite3.Connection, symbol: str, interval: str, limit: int) -> list[int]:
    """The newest `limit` bar times, newest first (e.g. to find the last few sessions)."""
    return [row[0] for row in conn.execute(
        "SELECT ts FROM bars WHERE symbol = ? AND interval = ? ORDER BY ts DESC LIMIT ?",
        [symbol, interval, limit])]
