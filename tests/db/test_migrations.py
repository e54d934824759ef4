from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from db.connection import open_connection
from db.migrations import migrate, migrations
from db.schema_state import MIGRATION_NAMES, pending_migrations


def table_names(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_registered_migrations_match_the_cheap_start_up_list(tmp_path: Path) -> None:
    conn = open_connection(tmp_path / "x.sqlite3")
    assert [m.name for m in migrations().pending(Database(conn))] == list(MIGRATION_NAMES)


def schema(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return [tuple(row) for row in conn.execute(
        "SELECT type, name, sql FROM sqlite_master ORDER BY type, name")]


def test_a_new_database_gets_in_one_transaction_what_the_steps_build(tmp_path: Path) -> None:
    """The first start creates the schema at once, without sqlite-utils; the result is the
    schema and the records of applied migrations that sqlite-utils builds step by step, so a
    later upgrade of that database knows what is applied."""
    at_once = open_connection(tmp_path / "new.sqlite3")
    assert migrate(at_once) == list(MIGRATION_NAMES)
    by_steps = open_connection(tmp_path / "steps.sqlite3")
    migrations().apply(Database(by_steps))
    assert schema(at_once) == schema(by_steps)
    records = "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id"
    assert at_once.execute(records).fetchall() == by_steps.execute(records).fetchall()
    assert [m.name for m in migrations().pending(Database(at_once))] == []
    for table in ("watchlists", "reference_version"):
        query = f"SELECT * FROM {table}"
        assert at_once.execute(query).fetchall() == by_steps.execute(query).fetchall()


def test_empty_file_gets_the_whole_schema(tmp_path: Path) -> None:
    conn = open_connection(tmp_path / "new.sqlite3")
    assert migrate(conn) == list(MIGRATION_NAMES)
    assert pending_migrations(conn) == []
    assert {
        "instruments", "bars", "quotes", "shares_outstanding", "revenue", "fx_rates", "targets",
        "lockups", "valuation_bands", "reference_points", "watchlists", "watchlist_items",
    } <= table_names(conn)
    bars_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'bars'").fetchone()[0]
    assert "WITHOUT ROWID" in bars_sql
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert migrate(conn) == []  # a second start applies nothing


@pytest.mark.parametrize("stop_before", MIGRATION_NAMES[1:])
def test_every_previous_schema_is_migrated_in_place_keeping_data(
    tmp_path: Path, stop_before: str
) -> None:
    path = tmp_path / "old.sqlite3"
    conn = open_connection(path)
    migrate(conn, stop_before=stop_before)
    conn.execute(
        "INSERT INTO instruments (symbol, name, currency) VALUES ('2513.HK', 'Zhipu AI', 'HKD')"
    )
    conn.execute(
        "INSERT INTO bars (symbol, interval, ts, close, source) "
        "VALUES ('2513.HK', '1d', 1767835800, 131.5, 'yahoo')"
    )
    conn.close()

    conn = open_connection(path)
    later = list(MIGRATION_NAMES[MIGRATION_NAMES.index(stop_before):])
    assert pending_migrations(conn) == later
    assert migrate(conn) == later
    assert conn.execute("SELECT close FROM bars").fetchall()[0][0] == 131.5
    assert conn.execute("SELECT name FROM instruments").fetchone()[0] == "Zhipu AI"
    assert [r[0] for r in conn.execute("SELECT name FROM watchlists")] == ["Main"]
    assert "feed_health" in table_names(conn)


def test_foreign_keys_protect_bars_from_unknown_symbols(tmp_path: Path) -> None:
    conn = open_connection(tmp_path / "fk.sqlite3")
    migrate(conn)
    try:
        conn.execute(
            "INSERT INTO bars (symbol, interval, ts, close, source) "
            "VALUES ('NOPE', '1d', 1, 1.0, 'yahoo')"
        )
    except sqlite3.IntegrityError:
        pass
    else:
        raise AssertionError("a bar for an unknown instrument was accepted")


def test_an_upgrade_fills_the_watchlist_prices_from_stored_bars(tmp_path: Path) -> None:
    """m010 adds the closes a watchlist row starts from; an older database gets them from its
    bars, so the first refresh after the upgrade shows the same price and change."""
    conn = open_connection(tmp_path / "old.sqlite3")
    migrate(conn, stop_before="m010_watchlist_prices")
    conn.execute("INSERT INTO instruments (symbol, name, currency) VALUES ('X.HK', 'X', 'HKD')")
    for ts, close, source, partial in ((100, 9.0, "yahoo", 0), (200, 10.0, "yahoo", 0),
                                       (300, 11.0, "reference", 0), (400, 12.0, "yahoo", 1)):
        conn.execute("INSERT INTO bars (symbol, interval, ts, close, source, partial) "
                     "VALUES ('X.HK', '1d', ?, ?, ?, ?)", [ts, close, source, partial])
    conn.execute("INSERT INTO symbol_stats (symbol, last_ts) VALUES ('X.HK', 400)")
    conn.commit()
    migrate(conn)
    row = conn.execute("SELECT close_ts, close, close_source, settled_ts, settled_close, "
                       "settled_before_ts, settled_before_close FROM symbol_stats").fetchone()
    assert tuple(row) == (400, 12.0, "yahoo", 200, 10.0, 100, 9.0)
