"""Per-symbol figures over the whole daily history, kept up to date as bars are written, so
nothing that runs on every refresh has to scan history (services.market.stats keeps them)."""

from __future__ import annotations

import sqlite3

COLUMNS = ("symbol", "last_ts", "last_high", "last_close", "peak", "peak_ts", "depth",
           "depth_peak_ts", "depth_trough_ts", "high_52w", "avg_volume_20")
YEAR_S = 365 * 86400
AVERAGE_SESSIONS = 20


def all_stats(conn: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    return {row["symbol"]: row for row in conn.execute("SELECT * FROM symbol_stats")}


def stats(conn: sqlite3.Connection, symbol: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM symbol_stats WHERE symbol = ?", [symbol]).fetchone()


def save(conn: sqlite3.Connection, values: dict[str, object]) -> None:
    conn.execute(f"INSERT OR REPLACE INTO symbol_stats ({', '.join(COLUMNS)}) "
                 f"VALUES ({', '.join('?' * len(COLUMNS))})", [values[c] for c in COLUMNS])


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


def symbols_missing_stats(conn: sqlite3.Connection) -> list[str]:
    """Symbols with daily bars but no stats row (a database from before the stats table)."""
    return [row[0] for row in conn.execute(
        "SELECT symbol FROM instruments WHERE symbol NOT IN (SELECT symbol FROM symbol_stats) "
        "AND EXISTS (SELECT 1 FROM bars b WHERE b.symbol = instruments.symbol "
        "AND b.interval = '1d')")]
