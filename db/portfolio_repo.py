"""Transactions: the trader's buys and sells."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

COLUMNS = ("symbol", "trade_date", "side", "quantity", "price", "fees", "currency", "note",
           "import_key", "created_at")


def insert(conn: sqlite3.Connection, rows: Sequence[Sequence[object]]) -> int:
    """Rows in COLUMNS order; a row whose import_key is already stored is skipped.
    Returns how many were inserted."""
    before = conn.total_changes
    conn.executemany(
        f"INSERT INTO transactions ({', '.join(COLUMNS)}) VALUES "
        f"({', '.join('?' * len(COLUMNS))}) ON CONFLICT(import_key) DO NOTHING", rows)
    return conn.total_changes - before


def import_keys(conn: sqlite3.Connection) -> set[str]:
    """The keys of every imported transaction (a re-imported row is already there)."""
    return {row[0] for row in conn.execute(
        "SELECT import_key FROM transactions WHERE import_key IS NOT NULL")}


def transactions(conn: sqlite3.Connection, symbol: str | None = None) -> list[sqlite3.Row]:
    where, args = ("WHERE symbol = ?", [symbol]) if symbol else ("", [])
    return conn.execute(f"SELECT * FROM transactions {where} ORDER BY trade_date, id",
                        args).fetchall()


def delete(conn: sqlite3.Connection, transaction_id: int) -> bool:
    return conn.execute("DELETE FROM transactions WHERE id = ?",
                        [transaction_id]).rowcount == 1


def insert_one(conn: sqlite3.Connection, *values: object) -> int:
    """One typed transaction (COLUMNS order without import_key); returns its id."""
    names = [c for c in COLUMNS if c != "import_key"]
    cursor = conn.execute(f"INSERT INTO transactions ({', '.join(names)}) VALUES "
                          f"({', '.join('?' * len(names))})", values)
    assert cursor.lastrowid is not None
    return int(cursor.lastrowid)

