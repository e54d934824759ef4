"""Daily FX rates from the feed, and the feed's health per FX pair."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

FX_BAR_COLUMNS = ("base", "quote", "day", "rate", "symbol", "source", "partial")
FEED_COLUMNS = ("base", "quote", "last_attempt", "last_success", "last_error", "last_error_kind",
                "consecutive_failures", "next_attempt", "backfilled")


def upsert_rates(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """Rows in FX_BAR_COLUMNS order; a newer fetch of the same day replaces the older one (a
    day's rate is partial until that day is over). Call inside the poll's transaction."""
    conn.executemany(
        f"INSERT INTO fx_bars ({', '.join(FX_BAR_COLUMNS)}) VALUES "
        f"({', '.join('?' * len(FX_BAR_COLUMNS))}) ON CONFLICT(base, quote, day) DO UPDATE SET "
        "rate = excluded.rate, symbol = excluded.symbol, source = excluded.source, "
        "partial = excluded.partial WHERE (fx_bars.rate, fx_bars.partial) IS NOT "
        "(excluded.rate, excluded.partial)", rows)


def rate_tuples(conn: sqlite3.Connection) -> list[tuple[str, str, str, float, str]]:
    """(base, quote, day, rate, symbol) of every stored daily rate, oldest first per pair, as
    plain tuples (thousands of rows are read on every conversion table)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute("SELECT base, quote, day, rate, symbol FROM fx_bars "
                          "ORDER BY base, quote, symbol, day").fetchall()


def feed_state(conn: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    return {r["symbol"]: r for r in conn.execute("SELECT * FROM fx_feed")}


def save_feed_state(conn: sqlite3.Connection, symbol: str, values: Mapping[str, Any]) -> None:
    columns = [c for c in FEED_COLUMNS if c in values]
    conn.execute(
        f"INSERT INTO fx_feed (symbol, {', '.join(columns)}) "
        f"VALUES (?, {', '.join('?' * len(columns))}) ON CONFLICT(symbol) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in columns),
        [symbol, *(values[c] for c in columns)],
    )


def currencies_in_use(conn: sqlite3.Connection) -> set[str]:
    """Every currency a figure may need converting from or to: instruments' trading and
    reporting currencies, stored FX facts, the ledger's trades and Yahoo's revenue."""
    found = conn.execute(
        "SELECT currency FROM instruments UNION SELECT reporting_currency FROM instruments "
        "UNION SELECT base FROM fx_rates UNION SELECT quote FROM fx_rates "
        "UNION SELECT currency FROM transactions "
        "UNION SELECT currency FROM yahoo_revenue").fetchall()
    return {row[0] for row in found if row[0]}
