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


def items_version(conn: sqlite3.Connection) -> int:
    """A counter every change to any list's items moves (symbols, order, notes; m012)."""
    return int(conn.execute("SELECT version FROM watchlist_items_version").fetchone()[0])


def add_item(conn: sqlite3.Connection, list_id: int, symbol: str, note: str = "") -> bool:
    """Append a symbol to a list; False when it is already there."""
    cursor = conn.execute(
        "INSERT INTO watchlist_items (watchlist_id, symbol, position, note) "
        "SELECT ?, ?, COALESCE(MAX(position) + 1, 0), ? FROM watchlist_items "
        "WHERE watchlist_id = ? ON CONFLICT DO NOTHING",
        [list_id, symbol, note, list_id],
    )
    return cursor.rowcount == 1


def create(conn: sqlite3.Connection, name: str) -> int:
    cursor = conn.execute(
        "INSERT INTO watchlists (name, position) "
        "SELECT ?, COALESCE(MAX(position) + 1, 0) FROM watchlists", [name])
    assert cursor.lastrowid is not None
    return int(cursor.lastrowid)


def rename(conn: sqlite3.Connection, list_id: int, name: str) -> None:
    conn.execute("UPDATE watchlists SET name = ? WHERE id = ?", [name, list_id])


def delete(conn: sqlite3.Connection, list_id: int) -> None:
    conn.execute("DELETE FROM watchlists WHERE id = ?", [list_id])


def remove_item(conn: sqlite3.Connection, list_id: int, symbol: str) -> bool:
    return conn.execute("DELETE FROM watchlist_items WHERE watchlist_id = ? AND symbol = ?",
                        [list_id, symbol]).rowcount == 1


def set_order(conn: sqlite3.Connection, list_id: int, symbols: list[str]) -> None:
    conn.executemany(
        "UPDATE watchlist_items SET position = ? WHERE watchlist_id = ? AND symbol = ?",
        [(i, list_id, s) for i, s in enumerate(symbols)])


def set_note(conn: sqlite3.Connection, list_id: int, symbol: str, note: str) -> None:
    conn.execute("UPDATE watchlist_items SET note = ? WHERE watchlist_id = ? AND symbol = ?",
                 [note, list_id, symbol])


def set_verified(conn: sqlite3.Connection, symbol: str) -> None:
    conn.execute("UPDATE watchlist_items SET verified = 1 WHERE symbol = ?", [symbol])


def ensure_instrument(conn: sqlite3.Connection, symbol: str, name: str, currency: str,
                      timezone: str, exchange: str, board_lot: int | None) -> None:
    """Add a symbol the user typed; bundled instruments are left as they are. An unknown
    currency ('') is filled in by the first successful poll."""
    conn.execute(
        "INSERT INTO instruments (symbol, name, currency, timezone, exchange, board_lot) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(symbol) DO UPDATE SET "
        "currency = CASE WHEN instruments.currency = '' THEN excluded.currency "
        "ELSE instruments.currency END, "
        "timezone = CASE WHEN instruments.currency = '' THEN excluded.timezone "
        "ELSE instruments.timezone END, "
        "exchange = CASE WHEN instruments.exchange = '' THEN excluded.exchange "
        "ELSE instruments.exchange END",
        [symbol, name, currency, timezone, exchange, board_lot])


def learn_instruments(conn: sqlite3.Connection, learned: list[tuple[str, str, str, str]]) -> None:
    """(currency, timezone, exchange, symbol) from Yahoo: fills in symbols added unverified and
    marks them verified."""
    conn.executemany("UPDATE instruments SET currency = ?, timezone = ?, exchange = ? "
                     "WHERE symbol = ? AND currency = ''", learned)
    conn.executemany("UPDATE watchlist_items SET verified = 1 WHERE symbol = ? AND verified = 0",
                     [(row[3],) for row in learned])
