"""Yahoo's fundamentals as stored (db.migration_m009): the latest answer per symbol, the share
count and revenue histories, the recommendation trend, and the refresh's own health."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

SNAPSHOT_COLUMNS = ("fetched_at", "name", "shares", "float_shares", "financial_currency",
                    "target_mean", "target_median", "target_high", "target_low",
                    "target_currency", "analysts",
                    "recommendation_key", "recommendation_mean", "next_results",
                    "next_results_estimate", "first_trade", "missing")
FEED_COLUMNS = ("last_attempt", "last_success", "last_error", "last_error_kind",
                "consecutive_failures", "next_attempt")


def save(conn: sqlite3.Connection, symbol: str, snapshot: Mapping[str, Any],
         shares: Sequence[tuple[str, int]], revenue: Sequence[tuple[str, str, float, str]],
         trend: Sequence[tuple[str, int, int, int, int, int]]) -> None:
    """One successful refresh, inside the caller's transaction: the snapshot and the trend are
    replaced, the histories gain (or update) the points Yahoo sent."""
    fetched = snapshot["fetched_at"]
    columns = ", ".join(SNAPSHOT_COLUMNS)
    conn.execute(f"INSERT OR REPLACE INTO yahoo_fundamentals (symbol, {columns}) VALUES "
                 f"(?, {', '.join('?' * len(SNAPSHOT_COLUMNS))})",
                 [symbol, *(snapshot[c] for c in SNAPSHOT_COLUMNS)])
    conn.executemany("INSERT OR REPLACE INTO yahoo_shares (symbol, as_of, shares, fetched_at) "
                     "VALUES (?, ?, ?, ?)", [(symbol, day, n, fetched) for day, n in shares])
    conn.executemany("INSERT OR REPLACE INTO yahoo_revenue (symbol, kind, period_end, amount, "
                     "currency, fetched_at) VALUES (?, ?, ?, ?, ?, ?)",
                     [(symbol, *point, fetched) for point in revenue])
    conn.execute("DELETE FROM yahoo_recommendations WHERE symbol = ?", [symbol])
    conn.executemany("INSERT INTO yahoo_recommendations (symbol, period, strong_buy, buy, hold, "
                     "sell, strong_sell, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     [(symbol, *row, fetched) for row in trend])


def snapshots(conn: sqlite3.Connection, symbol: str | None = None) -> dict[str, sqlite3.Row]:
    where, args = ("WHERE symbol = ?", [symbol]) if symbol else ("", [])
    return {r["symbol"]: r for r in conn.execute(
        f"SELECT * FROM yahoo_fundamentals {where}", args)}


def rows(conn: sqlite3.Connection, table: str, symbol: str | None = None) -> list[sqlite3.Row]:
    """yahoo_shares, yahoo_revenue or yahoo_recommendations, oldest first."""
    order = {"yahoo_shares": "symbol, as_of", "yahoo_revenue": "symbol, kind, period_end",
             "yahoo_recommendations": "symbol, period DESC"}[table]
    where, args = ("WHERE symbol = ?", [symbol]) if symbol else ("", [])
    return conn.execute(f"SELECT * FROM {table} {where} ORDER BY {order}", args).fetchall()


def feed_state(conn: sqlite3.Connection, symbol: str | None = None) -> dict[str, sqlite3.Row]:
    where, args = ("WHERE symbol = ?", [symbol]) if symbol else ("", [])
    return {r["symbol"]: r for r in conn.execute(
        f"SELECT * FROM fundamentals_feed {where}", args)}


def save_feed_state(conn: sqlite3.Connection, symbol: str, values: Mapping[str, Any]) -> None:
    columns = [c for c in FEED_COLUMNS if c in values]
    conn.execute(
        f"INSERT INTO fundamentals_feed (symbol, {', '.join(columns)}) "
        f"VALUES (?, {', '.join('?' * len(columns))}) ON CONFLICT(symbol) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in columns),
        [symbol, *(values[c] for c in columns)])
