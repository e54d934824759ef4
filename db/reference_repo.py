"""Reads of the reference facts for one symbol or all symbols, as sqlite3.Row lists."""

from __future__ import annotations

import sqlite3

ORDER_BY = {
    "instruments": "symbol",
    "shares_outstanding": "symbol, as_of",
    "revenue": "symbol, period_end, kind",
    "fx_rates": "base, quote, as_of",
    "targets": "symbol, date, broker",
    "lockups": "symbol, first_free_day",
    "valuation_bands": "ps_low DESC, ps_high DESC",
    "reference_points": "symbol, date",
    "key_facts": "symbol, id",
}


def fact_rows(
    conn: sqlite3.Connection, table: str, symbol: str | None = None
) -> list[sqlite3.Row]:
    """Every row of a fact table (for one symbol when given), in the table's natural order."""
    order = ORDER_BY[table]  # KeyError for anything that is not a fact table
    if symbol is None:
        return conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
    return conn.execute(
        f"SELECT * FROM {table} WHERE symbol = ? ORDER BY {order}", [symbol]
    ).fetchall()


def version(conn: sqlite3.Connection) -> int:
    """A counter that moves on every change to a reference fact, FX rate or trading day."""
    return conn.execute("SELECT version FROM reference_version").fetchone()[0]
