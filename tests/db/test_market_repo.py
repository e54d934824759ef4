from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from db import market_repo
from db.connection import open_connection, transaction
from db.migrations import migrate


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    conn = open_connection(tmp_path / "bars.sqlite3")
    migrate(conn)
    conn.execute("INSERT INTO instruments (symbol, name, currency) VALUES ('A.HK', 'A', 'HKD')")
    return conn


def bar(ts: int, close: float, source: str = "yahoo", high: float | None = None) -> tuple:
    return ("A.HK", "1m", ts, close, high or close, close, close, 100, source, 0)


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM bars").fetchone()[0]


def test_overlapping_upserts_never_duplicate(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        market_repo.upsert_bars(conn, [bar(60 * i, 10.0 + i) for i in range(5000)])
    with transaction(conn):
        market_repo.upsert_bars(conn, [bar(60 * i, 10.0 + i) for i in range(4000, 6000)])
    assert count(conn) == 6000
    assert conn.execute("SELECT close FROM bars WHERE ts = ?", [60 * 5999]).fetchone()[0] == 6009


def test_changed_bar_is_updated_and_identical_one_is_not_rewritten(
    conn: sqlite3.Connection,
) -> None:
    with transaction(conn):
        market_repo.upsert_bars(conn, [bar(0, 10.0), bar(60, 11.0)])
    before = conn.total_changes
    with transaction(conn):
        market_repo.upsert_bars(conn, [bar(0, 10.0), bar(60, 12.5)])
    assert conn.total_changes - before == 1
    assert conn.execute("SELECT close FROM bars WHERE ts = 60").fetchone()[0] == 12.5


def test_a_writer_is_told_exactly_the_rows_it_changed(conn: sqlite3.Connection) -> None:
    """Across statements (more rows than one holds): new and changed rows, never identical
    ones, as CHANGED_COLUMNS."""
    first = [bar(60 * i, 10.0 + i) for i in range(market_repo.ROWS_PER_STATEMENT + 5)]
    with transaction(conn):
        market_repo.upsert_bars(conn, first)
    again = [*first, bar(60 * 9000, 1.0)]
    again[3] = bar(180, 99.0)  # a correction
    again[-2] = (*again[-2][:9], 1)  # only its partial flag
    changed: list[tuple] = []
    with transaction(conn):
        market_repo.upsert_bars(conn, again, changed=changed)
    ts = dict(zip(market_repo.CHANGED_COLUMNS, range(8), strict=True))["ts"]
    assert sorted(row[ts] for row in changed) == [180, again[-2][2], 60 * 9000]
    assert ("A.HK", "1m", 180, 99.0, 99.0, 99.0, "yahoo", 0) in changed


def test_writes_of_every_size_use_a_few_statement_shapes(conn: sqlite3.Connection) -> None:
    """A connection caches each statement it prepares (one of thousands of rows weighs about a
    megabyte); the poll cycle's lives all day and writes a different number of rows each poll."""
    shapes: set[int] = set()  # rows a statement
    conn.set_trace_callback(lambda sql: sql.startswith("INSERT") and shapes.add(
        sql.count("('A.HK'")))
    for rows in range(1, 5000, 37):
        with transaction(conn):
            market_repo.upsert_bars(conn, [bar(60 * i, 1.0) for i in range(rows)])
    assert len(shapes) <= 12  # the biggest, and powers of two below it
    assert count(conn) == rows


def test_reference_mirror_never_replaces_market_data(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        market_repo.upsert_bars(conn, [bar(0, 10.0, "yahoo"), bar(60, 5.0, "reference")])
        market_repo.upsert_bars(
            conn, [bar(0, 99.0, "reference"), bar(60, 6.0, "reference")], keep_market_data=True
        )
    rows = conn.execute("SELECT ts, close, source FROM bars ORDER BY ts").fetchall()
    assert [tuple(r) for r in rows] == [(0, 10.0, "yahoo"), (60, 6.0, "reference")]


def test_failed_transaction_leaves_nothing_behind(conn: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError), transaction(conn):
        market_repo.upsert_bars(conn, [bar(0, 10.0)])
        market_repo.upsert_bars(conn, [("UNKNOWN", "1m", 0, 1, 1, 1, 1, 1, "yahoo", 0)])
    assert count(conn) == 0


def test_peak_before_uses_highs_closes_and_only_the_day_s_minutes(
        conn: sqlite3.Connection) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO bars (symbol, interval, ts, high, close, source) VALUES "
            "('A.HK', '1d', 1, NULL, 50, 'reference'), ('A.HK', '1d', 2, 80, NULL, 'reference'),"
            "('A.HK', '1d', 100, NULL, 70, 'yahoo'), ('A.HK', '1m', 100, 90, 85, 'yahoo'),"
            "('A.HK', '1m', 160, 95, 90, 'yahoo')"
        )
    assert market_repo.peak_before(conn, "A.HK", 100, day_start=100) == 80  # days before
    assert market_repo.peak_before(conn, "A.HK", 160, day_start=100) == 90  # + minutes before
    assert market_repo.peak_before(conn, "A.HK", 1, day_start=1) is None
