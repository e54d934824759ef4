"""Watchlists and their items."""

from __future__ import annotations

import sqlite3


def watchlists(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT id, name FROM watchlists ORDER BY position, id").fetchall()


def watchlist_id(conn: sqlite3.Connection, name: str) -> int | None:
    row = conn.execute("SELECT id FROM watchlists WHERE name = ?", [name]).fetchone()
    return None if row is None else int(row[0])


def items(conn: sqlite3.Connection, list_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT symbol, note, verified FROM watchlist_items WHERE watchlist_id = ? "
        "ORDER BY position, symbol",
        [list_id],
    ).fetchall()


def add_item(conn: sqlite3.Connection, list_id: int, symbol: str, note: str = "") -> bool:
    """Append a symbol to a list; False when it is already there."""
    cursor = conn.execute(
        "INSERT INTO watchlist_items (watchlist_id, symbol, position, note) "
        "SELECT ?, ?, COALESCE(MAX(position) + 1, 0), ? FROM watchlist_items "
        "WHERE watchlist_id = ? ON CONFLICT DO NOTHING",
        [list_id, symbol, note, list_id],
    )
    return cursor.rowcount == 1
