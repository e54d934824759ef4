"""Opening the app's database ready to use: schema migrated, bundled reference data loaded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from db import meta_repo, stats_repo
from db.connection import open_connection, transaction
from db.schema_state import pending_migrations
from services.market import stats
from services.reference.bundled import DIGEST_KEY, file_digest

MODE_KEY = "mode"


class DatabaseModeError(RuntimeError):
    """A demo database opened for real prices, or the other way round."""


def open_app_database(path: Path | str, demo: bool = False) -> sqlite3.Connection:
    """Open, migrate and load reference data as needed.

    A database is either real or DEMO for its whole life, so simulated prices can never mix
    with real ones.

    The usual start (schema current, same bundled file) touches only sqlite3; sqlite-utils and the
    pandas it imports are loaded only when there is a migration or a new bundled file to apply.
    """
    conn = open_connection(path)
    if pending_migrations(conn):
        from db.migrations import migrate

        migrate(conn)
    if meta_repo.get_meta(conn, DIGEST_KEY) != file_digest():
        from services.reference.loader import load_reference_data

        load_reference_data(conn)
    if stats_repo.symbols_missing_stats(conn):  # a database from before the stats table
        with transaction(conn):
            stats.fill_missing(conn)
    wanted = "demo" if demo else "real"
    mode = meta_repo.get_meta(conn, MODE_KEY)
    if mode is None:
        with transaction(conn):
            meta_repo.set_meta(conn, MODE_KEY, wanted)
    elif mode != wanted:
        conn.close()
        hint = "run with --demo" if mode == "demo" else "run without --demo"
        raise DatabaseModeError(
            f"{path} holds {mode.upper()} prices; {hint} or choose another --db.")
    return conn
