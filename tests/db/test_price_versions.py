"""The change counter of each symbol's price row: moved by every change a watchlist row is
built from, by any writer, and by nothing else."""

from __future__ import annotations

import sqlite3

from db import stats_repo
from db.connection import transaction


def version(conn: sqlite3.Connection, symbol: str) -> int | None:
    row = conn.execute("SELECT version FROM price_versions WHERE symbol = ?", [symbol]).fetchone()
    return None if row is None else row[0]


def write_quote(conn: sqlite3.Connection, price: float, fetched_at: int) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO quotes (symbol, price, currency, ts, previous_close, source, fetched_at)"
            " VALUES ('0100.HK', ?, 'HKD', 1795400000, NULL, 'yahoo', ?) ON CONFLICT(symbol) "
            "DO UPDATE SET price = excluded.price, fetched_at = excluded.fetched_at",
            [price, fetched_at])


def test_quotes_and_figures_move_the_counter_only_when_a_value_changes(
        app_db: sqlite3.Connection) -> None:
    before, other = version(app_db, "0100.HK"), version(app_db, "2513.HK")
    write_quote(app_db, 210.0, 1)
    first = version(app_db, "0100.HK")
    assert first is not None and first != before
    write_quote(app_db, 210.0, 2)  # the same quote fetched again
    assert version(app_db, "0100.HK") == first
    write_quote(app_db, 211.0, 3)
    assert version(app_db, "0100.HK") == first + 1

    stored = dict(stats_repo.stats(app_db, "0100.HK"))
    with transaction(app_db):
        stats_repo.save(app_db, stored)  # the figures written again unchanged
    assert version(app_db, "0100.HK") == first + 1
    with transaction(app_db):
        stats_repo.save(app_db, {**stored, "peak": stored["peak"] + 1})
    assert version(app_db, "0100.HK") == first + 2
    with transaction(app_db):
        app_db.execute("DELETE FROM quotes WHERE symbol = '0100.HK'")
    assert version(app_db, "0100.HK") == first + 3
    assert version(app_db, "2513.HK") == other  # another symbol's counter stays
