"""Opening the app's database ready to use: schema migrated, bundled reference data loaded.

Before anything is written the file is checked, so a wrong `--db`, a damaged file or one from a
newer HarbourWatch is refused in words and left exactly as it was.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from db import meta_repo, stats_repo
from db.connection import Connection, open_connection, transaction
from db.errors import explain
from db.schema_state import holds_other_tables, pending_migrations, unknown_migrations
from services.market import stats
from services.reference.bundled import DIGEST_KEY, file_digest

MODE_KEY = "mode"
SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_BYTES = 100
CHOOSE_ANOTHER = "Nothing was changed. Choose another file with --db."


class DatabaseModeError(RuntimeError):
    """A demo database opened for real prices, or the other way round."""


class DatabaseUnusableError(RuntimeError):
    """The file cannot be HarbourWatch's database as it is; the message says why and what to
    do. Nothing was written to it."""


def open_app_database(path: Path | str, demo: bool = False) -> Connection:
    """Open, migrate and load reference data as needed.

    A database is either real or DEMO for its whole life, so simulated prices can never mix
    with real ones.

    Only sqlite3 is needed: a new database gets its schema in one transaction and the bundled
    file in another; sqlite-utils is loaded only to upgrade an existing database's schema.
    """
    if check_database_file(path):
        _check_schema(path)
    try:
        conn = open_connection(path)
    except sqlite3.DatabaseError as error:
        raise _unusable(path, error) from error
    try:
        if pending_migrations(conn):
            from db.migrations import migrate

            migrate(conn)
        if meta_repo.get_meta(conn, DIGEST_KEY) != file_digest():
            from services.reference.loader import load_reference_data

            load_reference_data(conn)
        if stats_repo.symbols_missing_stats(conn):  # a database from before the stats table
            with transaction(conn):
                stats.fill_missing(conn)
        _check_mode(conn, path, demo)
    except sqlite3.DatabaseError as error:
        conn.close()
        raise _unusable(path, error) from error
    except BaseException:
        conn.close()
        raise
    return conn


def _unusable(path: Path | str, error: sqlite3.DatabaseError) -> Exception:
    words = explain(error)
    return error if words is None else DatabaseUnusableError(f"{path}: {words}")


def _check_schema(path: Path | str) -> None:
    """Read-only, so neither a newer nor a foreign database is touched (not even switched to
    WAL) before it is refused."""
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            newer, foreign = unknown_migrations(conn), holds_other_tables(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise _unusable(path, error) from error
    if newer:
        raise DatabaseUnusableError(
            f"{path} was written by a newer version of HarbourWatch (its schema has "
            f"{', '.join(newer)}, which this version does not know). Use the newer version, or "
            "choose another file with --db. Nothing was changed.")
    if foreign:
        raise DatabaseUnusableError(
            f"{path} is another program's SQLite database, not HarbourWatch's. {CHOOSE_ANOTHER}")


def _check_mode(conn: sqlite3.Connection, path: Path | str, demo: bool) -> None:
    wanted = "demo" if demo else "real"
    mode = meta_repo.get_meta(conn, MODE_KEY)
    if mode is None:
        with transaction(conn):
            meta_repo.set_meta(conn, MODE_KEY, wanted)
    elif mode != wanted:
        hint = "run with --demo" if mode == "demo" else "run without --demo"
        raise DatabaseModeError(
            f"{path} holds {mode.upper()} prices; {hint} or choose another --db.")


def check_database_file(path: Path | str) -> bool:
    """Whether the file exists; DatabaseUnusableError, without writing anything, when `path`
    cannot be HarbourWatch's database: a folder, an empty or foreign file, a truncated database,
    a read-only file or folder, or a folder that cannot be created."""
    if str(path) == ":memory:":
        return False
    path = Path(path)
    if not path.exists():
        _check_can_create(path)
        return False
    if path.is_dir():
        raise DatabaseUnusableError(f"{path} is a folder, not a database file. {CHOOSE_ANOTHER}")
    if not path.is_file():
        raise DatabaseUnusableError(f"{path} is not a regular file. {CHOOSE_ANOTHER}")
    size = path.stat().st_size
    if size == 0:
        raise DatabaseUnusableError(
            f"{path} is empty (0 bytes): it is not a HarbourWatch database, and nothing of one is "
            "left in it. Delete it to start a new database there, or choose another file with "
            "--db.")
    with path.open("rb") as handle:
        header = handle.read(HEADER_BYTES)
    if len(header) < HEADER_BYTES or not header.startswith(SQLITE_MAGIC):
        raise DatabaseUnusableError(
            f"{path} is not an SQLite database (did --db name another kind of file?). "
            f"{CHOOSE_ANOTHER}")
    expected = _expected_size(header)
    wal = Path(f"{path}-wal")
    if expected and size < expected and not (wal.exists() and wal.stat().st_size):
        raise DatabaseUnusableError(
            f"{path} is damaged: it is truncated ({size:,} of {expected:,} bytes). Restore it "
            f"from a backup. {CHOOSE_ANOTHER}")
    if not os.access(path, os.R_OK | os.W_OK) or not path.stat().st_mode & 0o222:
        raise DatabaseUnusableError(
            f"{path} is read-only: HarbourWatch must write its database (prices, alerts). "
            f"Make it writable, or choose another file with --db. Nothing was changed.")
    if not os.access(path.parent, os.W_OK | os.X_OK) or not path.parent.stat().st_mode & 0o222:
        raise DatabaseUnusableError(
            f"The folder {path.parent} is read-only: SQLite needs to write its journal beside "
            f"the database. Make it writable, or choose another file with --db. Nothing was "
            "changed.")
    return True


def _expected_size(header: bytes) -> int:
    """The size the header says the file has; 0 when the header does not say (old SQLite)."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65_536 if page_size == 1 else page_size
    change_counter, valid_for = header[24:28], header[92:96]
    pages = int.from_bytes(header[28:32], "big")
    return page_size * pages if change_counter == valid_for else 0


def _check_can_create(path: Path) -> None:
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise DatabaseUnusableError(
            f"{path} cannot be created: {folder} is a file, not a folder. {CHOOSE_ANOTHER}")
    if not os.access(folder, os.W_OK | os.X_OK) or not folder.stat().st_mode & 0o222:
        raise DatabaseUnusableError(
            f"{path} cannot be created: the folder {folder} is read-only. {CHOOSE_ANOTHER}")
