"""Feed health per symbol and the symbols to poll."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

HEALTH_COLUMNS = ("last_attempt", "last_success", "last_error", "last_error_kind",
                  "consecutive_failures", "not_found_count", "next_attempt", "daily_backfilled",
                  "intraday_backfilled")


def polled_symbols(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every symbol on any watchlist, with its currency and time zone."""
    return conn.execute(
        "SELECT DISTINCT i.symbol, i.currency, i.timezone FROM watchlist_items w "
        "JOIN instruments i USING (symbol) ORDER BY i.symbol"
    ).fetchall()


def listing_dates(conn: sqlite3.Connection) -> dict[str, str | None]:
    """Each instrument's listing date (ISO text, NULL when unknown): bars long before it are
    not real."""
    return {r["symbol"]: r["listing_date"]
            for r in conn.execute("SELECT symbol, listing_date FROM instruments")}


def health(conn: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    return {r["symbol"]: r for r in conn.execute("SELECT * FROM feed_health")}


def save_health(conn: sqlite3.Connection, symbol: str, values: Mapping[str, Any]) -> None:
    columns = [c for c in HEALTH_COLUMNS if c in values]
    conn.execute(
        f"INSERT INTO feed_health (symbol, {', '.join(columns)}) "
        f"VALUES (?, {', '.join('?' * len(columns))}) ON CONFLICT(symbol) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in columns),
        [symbol, *(values[c] for c in columns)],
    )


def save_quote(conn: sqlite3.Connection, symbol: str, price: float, currency: str, ts: int,
               previous_close: float | None, source: str, fetched_at: int) -> None:
    """Keep the newest quote; an older observation never replaces a newer one."""
    conn.execute(
        "INSERT INTO quotes (symbol, price, currency, ts, previous_close, source, fetched_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(symbol) DO UPDATE SET "
        "price = excluded.price, currency = excluded.currency, ts = excluded.ts, "
        "previous_close = excluded.previous_close, source = excluded.source, "
        "fetched_at = excluded.fetched_at WHERE excluded.ts >= quotes.ts",
        [symbol, price, currency, ts, previous_close, source, fetched_at],
    )
