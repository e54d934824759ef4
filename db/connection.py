"""Opening SQLite connections the one way this app uses them, and explicit transactions.

sqlite3 connections belong to the thread that made them, so every thread (the GUI, each poll job)
calls `open_connection` for its own. Connections run in autocommit mode and every write goes
through `transaction()`, so a commit boundary is always visible in the code.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_MS = 5_000
# After a checkpoint the write-ahead log is cut back to this size: a large backfill may grow it
# for a moment, but it does not stay beside the database for the life of the window.
JOURNAL_SIZE_LIMIT = 32 * 1024 * 1024


def open_connection(path: Path | str) -> sqlite3.Connection:
    """Open (creating if needed) the database with WAL, foreign keys and a busy timeout.

    WAL lets the GUI read while a poll job writes; synchronous=FULL makes a committed poll survive
    power loss as well as a killed process.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=True)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One all-or-nothing write. BEGIN IMMEDIATE takes the write lock up front, so two writers
    wait on the busy timeout instead of failing half-way with SQLITE_BUSY."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
