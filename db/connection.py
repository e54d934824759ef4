"""Opening SQLite connections the one way this app uses them, and explicit transactions.

sqlite3 connections belong to the thread that made them, so every thread (the GUI, each poll job)
calls `open_connection` for its own. Connections run in autocommit mode and every write goes
through `transaction()`, so a commit boundary is always visible in the code.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from db.errors import BUSY, DatabaseBusyError, is_busy

# Read when a connection opens, so a test can shorten it.
BUSY_TIMEOUT_MS = 5_000
# After a checkpoint the write-ahead log is cut back to this size: a large backfill may grow it
# for a moment, but it does not stay beside the database for the life of the window.
JOURNAL_SIZE_LIMIT = 32 * 1024 * 1024
log = logging.getLogger(__name__)


class Connection(sqlite3.Connection):
    """A connection that knows how patient its writers are: `transaction()` tries to take the
    write lock `lock_attempts` times (each waiting the busy timeout) and calls `on_busy` between
    attempts, so a command can say it is waiting instead of failing at once."""

    lock_attempts: int = 1
    on_busy: Callable[[int, int], None] | None = None  # (attempt that failed, attempts)


def open_connection(path: Path | str, any_thread: bool = False) -> Connection:
    """Open (creating if needed) the database with WAL, foreign keys and a busy timeout.

    WAL lets the GUI read while a poll job writes; synchronous=FULL makes a committed poll survive
    power loss as well as a killed process. `any_thread`: the owner uses it from one thread at a
    time, not always the same one (the poll cycle's, kept across polls).
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=not any_thread,
                           factory=Connection)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One all-or-nothing write. BEGIN IMMEDIATE takes the write lock up front, so two writers
    wait on the busy timeout instead of failing half-way with SQLITE_BUSY, and checks made inside
    the transaction hold until it commits. A failed COMMIT (a full disk) rolls back too."""
    _begin(conn)
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("rolling back failed")
        raise


def _begin(conn: sqlite3.Connection) -> None:
    attempts = max(1, getattr(conn, "lock_attempts", 1))
    for attempt in range(1, attempts + 1):
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
            log.warning("database busy (attempt %d of %d)", attempt, attempts)
            if attempt == attempts:
                raise DatabaseBusyError(BUSY) from error
            notice = getattr(conn, "on_busy", None)
            if notice is not None:
                notice(attempt, attempts)
