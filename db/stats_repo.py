"""Per-symbol figures over the whole daily history, kept up to date as bars are written, so
nothing that runs on every refresh has to scan history (services.market.stats keeps them)."""

from __future__ import annotations

import sqlite3

CLOSE_COLUMNS = ("close_ts", "close", "close_source", "settled_ts", "settled_close",
                 "settled_before_ts", "settled_before_close")
COLUMNS = ("symbol", "last_ts", "last_high", "last_close", "peak", "peak_ts", "depth",
           "depth_peak_ts", "depth_trough_ts", "high_52w", "avg_volume_20", *CLOSE_COLUMNS)
# Feeds whose consecutive daily closes make a day-on-day change; reference points are sparse
# (weeks apart), so a "change" between two of them would mislead.
SETTLED_SOURCES = ("yahoo", "import", "demo")
YEAR_S = 365 * 86400
AVERAGE_SESSIONS = 20


def all_stats(conn: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    return {row["symbol"]: row for row in conn.execute("SELECT * FROM symbol_stats")}


def stats(conn: sqlite3.Connection, symbol: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM symbol_stats WHERE symbol = ?", [symbol]).fetchone()


def save(conn: sqlite3.Connection, values: dict[str, object]) -> None:
    """Insert or update in place (an update that changes nothing leaves the row's change
    counter alone; a REPLACE would delete and insert it)."""
    conn.execute(f"INSERT INTO symbol_stats ({', '.join(COLUMNS)}) "
                 f"VALUES ({', '.join('?' * len(COLUMNS))}) ON CONFLICT(symbol) DO UPDATE SET "
                 + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:]),
                 [values[c] for c in COLUMNS])


def delete(conn: sqlite3.Connection, symbol: str) -> None:
    conn.execute("DELETE FROM symbol_stats WHERE symbol = ?", [symbol])


def daily_marks(conn: sqlite3.Connection, symbol: str, since: int = 0
                ) -> list[tuple[int, float | None, float | None]]:
    """(ts, high, close) of the daily bars from `since` on, oldest first."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(
        "SELECT ts, high, close FROM bars WHERE symbol = ? AND interval = '1d' AND ts >= ? "
        "ORDER BY ts", [symbol, since]).fetchall()


def high_since(conn: sqlite3.Connection, symbol: str, since: int) -> float | None:
    row = conn.execute(
        "SELECT MAX(COALESCE(high, close)) FROM bars WHERE symbol = ? AND interval = '1d' "
        "AND ts >= ?", [symbol, since]).fetchone()
    return None if row[0] is None else float(row[0])


def average_volume(conn: sqlite3.Connection, symbol: str,
                   sessions: int = AVERAGE_SESSIONS) -> float | None:
    row = conn.execute(
        "SELECT AVG(volume) FROM (SELECT volume FROM bars WHERE symbol = ? AND interval = '1d' "
        "AND volume IS NOT NULL ORDER BY ts DESC LIMIT ?)", [symbol, sessions]).fetchone()
    return None if row[0] is None else float(row[0])


def closes(conn: sqlite3.Connection, symbol: str) -> dict[str, object]:
    """The newest daily close (any source) and the two newest settled closes of a continuous
    feed, by CLOSE_COLUMNS: what a watchlist row needs for its price and change."""
    newest = conn.execute(
        "SELECT ts, close, source FROM bars WHERE symbol = ? AND interval = '1d' "
        "AND close IS NOT NULL ORDER BY ts DESC LIMIT 1", [symbol]).fetchone()
    marks = ", ".join("?" * len(SETTLED_SOURCES))
    settled = conn.execute(
        "SELECT ts, close FROM bars WHERE symbol = ? AND interval = '1d' AND close IS NOT NULL "
        f"AND partial = 0 AND source IN ({marks}) ORDER BY ts DESC LIMIT 2",
        [symbol, *SETTLED_SOURCES]).fetchall()
    values = [*(newest or (None,) * 3),
              *(value for i in range(2) for value in (settled[i] if i < len(settled)
                                                      else (None, None)))]
    return dict(zip(CLOSE_COLUMNS, values, strict=True))


_PRICE_ROWS = (
    "SELECT i.symbol, v.version AS price_version, q.price AS quote_price, "
    "q.currency AS quote_currency, q.ts AS quote_ts, q.previous_close AS quote_previous, "
    "q.source AS quote_source, "
    + ", ".join(f"s.{column}" for column in COLUMNS[1:]) +
    ", {note} AS note FROM {items} i LEFT JOIN quotes q ON q.symbol = i.symbol "
    "LEFT JOIN symbol_stats s ON s.symbol = i.symbol "
    "LEFT JOIN price_versions v ON v.symbol = i.symbol WHERE {where}")


def price_rows(conn: sqlite3.Connection, list_id: int) -> list[sqlite3.Row]:
    """Each item of a list with its stored figures, latest quote and their change counter
    (`price_version`), in list order: all a watchlist refresh reads, one row a symbol (the
    history stays unread). The list's note comes last."""
    return conn.execute(
        _PRICE_ROWS.format(items="watchlist_items", note="i.note", where="i.watchlist_id = ?")
        + " ORDER BY i.position, i.symbol", [list_id]).fetchall()


def price_row(conn: sqlite3.Connection, symbol: str) -> sqlite3.Row:
    """The same for one symbol (its figures and quote may be NULL)."""
    return conn.execute(_PRICE_ROWS.format(items="instruments", note="''", where="i.symbol = ?"),
                        [symbol]).fetchone()


def watched_price_rows(conn: sqlite3.Connection) -> tuple[list[sqlite3.Row], int]:
    """The same for every symbol in any watchlist (no note: it belongs to a list), with the
    price stamp, both read in one snapshot (outside a transaction)."""
    conn.execute("BEGIN")
    try:
        rows = conn.execute(_PRICE_ROWS.format(
            items="instruments", note="''",
            where="i.symbol IN (SELECT symbol FROM watchlist_items)")).fetchall()
        return rows, price_stamp(conn)
    finally:
        conn.execute("COMMIT")


def price_stamp(conn: sqlite3.Connection) -> int:
    """The sum of every price row's change counter: counters only grow, so the sum moves
    with any change to any symbol's quote or figures."""
    return int(conn.execute("SELECT total(version) FROM price_versions").fetchone()[0])


def symbols_missing_stats(conn: sqlite3.Connection) -> list[str]:
    """Symbols with daily bars but no stats row (a database from before the stats table)."""
    return [row[0] for row in conn.execute(
        "SELECT symbol FROM instruments WHERE symbol NOT IN (SELECT symbol FROM symbol_stats) "
        "AND EXISTS (SELECT 1 FROM bars b WHERE b.symbol = instruments.symbol "
        "AND b.interval = '1d')")]
