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
# what a writer learns of each row it changed (see `upsert_bars`)
CHANGED_COLUMNS = ("symbol", "interval", "ts", "high", "low", "close", "source", "partial")
_RETURNING = f" RETURNING {', '.join(CHANGED_COLUMNS)}"
_INSERT_HEAD = f"INSERT INTO bars ({', '.join(BAR_COLUMNS)}) VALUES "


def _upsert_sql(rows: int, keep_market_data: bool) -> str:
    sql = _INSERT_HEAD + ",".join([_ROW] * rows) + _UPSERT_TAIL
    if keep_market_data:
        sql += " AND bars.source = 'reference'"
    return sql


def _chunks(count: int) -> list[tuple[int, int]]:
    """(start, end) of each statement's rows: ROWS_PER_STATEMENT while that many are left, then
    powers of two. A connection caches each statement it prepares, and one for thousands of rows
    weighs about a megabyte: a kept connection writing a different count every poll would
    otherwise keep a hundred of them."""
    chunks, start = [], 0
    while start < count:
        left = count - start
        size = ROWS_PER_STATEMENT if left >= ROWS_PER_STATEMENT else 1 << left.bit_length() - 1
        chunks.append((start, start + size))
        start += size
    return chunks


def upsert_bars(
    conn: sqlite3.Connection, rows: Sequence[tuple], *, keep_market_data: bool = False,
    changed: list[tuple] | None = None,
) -> None:
    """Write bar tuples (in BAR_COLUMNS order) with multi-row upserts.

    Rows identical to what is stored are not rewritten. With keep_market_data, an existing
    non-reference bar is never replaced (used when mirroring reference points). Call inside a
    transaction: a poll's bars commit together or not at all. `changed`, when given, receives
    the rows actually inserted or rewritten (CHANGED_COLUMNS), so a reader can be told what
    changed instead of reading it back.
    """
    cursor = conn.cursor()
    cursor.row_factory = None
    for start, end in _chunks(len(rows)):
        chunk = rows[start:end]
        params = [value for row in chunk for value in row]
        sql = _upsert_sql(len(chunk), keep_market_data)
        if changed is None:
            cursor.execute(sql, params)
        else:
            changed += cursor.execute(sql + _RETURNING, params).fetchall()


def last_daily_bars(conn: sqlite3.Connection, symbol: str, count: int = 2) -> list[sqlite3.Row]:
    """The newest daily bars that have a close, newest first."""
    return conn.execute(
        "SELECT ts, close, source, partial FROM bars "
        "WHERE symbol = ? AND interval = '1d' AND close IS NOT NULL ORDER BY ts DESC LIMIT ?",
        [symbol, count],
    ).fetchall()


def latest_quote(conn: sqlite3.Connection, symbol: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM quotes WHERE symbol = ?", [symbol]).fetchone()


SOURCE_CODES = {"yahoo": 0, "import": 1, "reference": 2, "demo": 3}
# bars from a live feed (the poller's): what alerts fire on and a quote counts as
LIVE_SOURCES = ("yahoo", "demo")
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


def peak_before(conn: sqlite3.Connection, symbol: str, ts: int, day_start: int) -> float | None:
    """The highest price stored before `ts`: the running peak a chart or an alert starts from.

    Earlier days are read from their daily bars (a daily high covers its minutes), and only
    the day of `ts` (from `day_start`, its local midnight) from its minutes: the cost grows
    with days of history, not with minutes.
    """
    row = conn.execute(
        "SELECT MAX(p) FROM ("
        "SELECT MAX(COALESCE(high, close)) AS p FROM bars "
        "WHERE symbol = ? AND interval = '1d' AND ts < ? "
        "UNION ALL SELECT MAX(COALESCE(high, close)) FROM bars "
        "WHERE symbol = ? AND interval = '1m' AND ts >= ? AND ts < ?)",
        [symbol, day_start, symbol, day_start, ts]).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def recent_minute_days(conn: sqlite3.Connection, symbol: str, limit: int) -> list[int]:
    """The first and the last of the newest `limit` 1-minute bars in each UTC day: between
    them they carry every local date those bars fall on (a UTC day spans at most two), so
    the last few sessions are found by SQLite, not by a date for every bar in Python."""
    return [ts for row in conn.execute(
        "SELECT MIN(ts), MAX(ts) FROM (SELECT ts FROM bars WHERE symbol = ? "
        "AND interval = '1m' ORDER BY ts DESC LIMIT ?) GROUP BY ts / 86400", [symbol, limit])
        for ts in row]


def minute_days(conn: sqlite3.Connection, symbol: str) -> list[int]:
    """The first 1-minute bar of each UTC day holding any, newest day first. A trading session
    of any exchange lies within one UTC day, so a day here is a session."""
    return [row[0] for row in conn.execute(
        "SELECT MIN(ts) FROM bars WHERE symbol = ? AND interval = '1m' "
        "GROUP BY ts / 86400 ORDER BY ts / 86400 DESC", [symbol])]


def minute_bars_before(conn: sqlite3.Connection, symbol: str, ts: int) -> list[tuple]:
    """(ts, open, high, low, close, volume, source) of the 1-minute bars before `ts`."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(
        "SELECT ts, open, high, low, close, volume, source FROM bars "
        "WHERE symbol = ? AND interval = '1m' AND ts < ? ORDER BY ts", [symbol, ts]).fetchall()


def daily_bar_times(conn: sqlite3.Connection, symbol: str, start: int, end: int) -> set[int]:
    return {row[0] for row in conn.execute(
        "SELECT ts FROM bars WHERE symbol = ? AND interval = '1d' AND ts >= ? AND ts < ?",
        [symbol, start, end])}


def delete_minutes_before(conn: sqlite3.Connection, symbol: str, ts: int) -> int:
    return conn.execute("DELETE FROM bars WHERE symbol = ? AND interval = '1m' AND ts < ?",
                        [symbol, ts]).rowcount


def symbol_zones(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Every instrument's symbol and exchange time zone."""
    return [(row[0], row[1]) for row in conn.execute("SELECT symbol, timezone FROM instruments")]


def close_before(conn: sqlite3.Connection, symbol: str, ts: int) -> float | None:
    """The last market close (not a reference point) of a daily bar before `ts`."""
    row = conn.execute(
        "SELECT close FROM bars WHERE symbol = ? AND interval = '1d' AND ts < ? "
        "AND source != 'reference' AND close IS NOT NULL ORDER BY ts DESC LIMIT 1",
        [symbol, ts]).fetchone()
    return None if row is None else float(row[0])


def minute_bars_since(conn: sqlite3.Connection, source: str, start: int) -> list[tuple]:
    """(symbol, ts, open, high, low, close, volume) of one source's 1-minute bars from `start`,
    by symbol and time (the DEMO picks up its own session where it stopped)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(
        "SELECT symbol, ts, open, high, low, close, volume FROM bars "
        "WHERE interval = '1m' AND source = ? AND ts >= ? ORDER BY symbol, ts",
        [source, start]).fetchall()


def last_minute_ts(conn: sqlite3.Connection, source: str) -> int | None:
    row = conn.execute("SELECT MAX(ts) FROM bars WHERE interval = '1m' AND source = ?",
                       [source]).fetchone()
    return None if row is None or row[0] is None else int(row[0])
