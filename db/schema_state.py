"""A cheap, sqlite3-only check of whether the schema is current.

Importing sqlite-utils pulls in pandas (about 0.4 s); start-up only needs it when a migration is
actually pending, which this module can tell without importing it.
"""

from __future__ import annotations

import sqlite3

MIGRATION_SET = "harbourwatch"
# Must equal the names registered in db.migrations, in order (tests/db/test_migrations.py checks).
MIGRATION_NAMES = ("m001_market_data", "m002_watchlists", "m003_feed_health", "m004_alerts",
                   "m005_alert_progress", "m006_transactions", "m007_symbol_stats",
                   "m008_provenance_fx")


def pending_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names of migrations not yet applied to this database, in order."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone()
    applied: set[str] = set()
    if exists:
        applied = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
            )
        }
    return [name for name in MIGRATION_NAMES if name not in applied]
