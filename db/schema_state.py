"""A cheap, sqlite3-only check of whether the schema is current, outdated or too new.

Importing sqlite-utils pulls in pandas (about 0.4 s); start-up only needs it when a migration is
actually pending, which this module can tell without importing it.
"""

from __future__ import annotations

import sqlite3

MIGRATION_SET = "harbourwatch"
# Must equal the names registered in db.migrations, in order (tests/db/test_migrations.py checks).
MIGRATION_NAMES = ("m001_market_data", "m002_watchlists", "m003_feed_health", "m004_alerts",
                   "m005_alert_progress", "m006_transactions", "m007_symbol_stats",
                   "m008_provenance_fx", "m009_yahoo_fundamentals",
                   "m010_watchlist_prices", "m011_price_versions",
                   "m012_watchlist_items_version")


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations recorded in this database (empty for a new one)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone()
    if not exists:
        return []
    return [row[0] for row in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET])]


def pending_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names of migrations not yet applied to this database, in order."""
    applied = set(applied_migrations(conn))
    return [name for name in MIGRATION_NAMES if name not in applied]


def unknown_migrations(conn: sqlite3.Connection) -> list[str]:
    """Migrations this version does not know: the database was written by a newer one."""
    return sorted(set(applied_migrations(conn)) - set(MIGRATION_NAMES))


def holds_other_tables(conn: sqlite3.Connection) -> bool:
    """Tables but no HarbourWatch schema: another program's database, not to be migrated."""
    tables = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchone()[0]
    return bool(tables) and not applied_migrations(conn)
