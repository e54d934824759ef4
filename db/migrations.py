"""The schema, as sqlite-utils migrations. Append new migrations; never edit an applied one.

Every fact table a user may edit carries the same provenance columns: `source` and `confidence`
(where the figure comes from and how sure it is), `origin` ('bundled' or 'user'), `fact_key` (the
stable key of a bundled fact, NULL for user rows) and `user_edited` (a bundled row the user changed,
which bundled updates must leave alone).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from functools import partial
from typing import TYPE_CHECKING

from db.connection import transaction
from db.migration_m009 import M009_STATEMENTS
from db.migration_m011 import M011_STATEMENTS
from db.migration_m012 import M012_STATEMENTS
from db.schema_state import MIGRATION_SET, pending_migrations

if TYPE_CHECKING:
    from db.sqlite_utils_lite import Database, Migrations

PROVENANCE = """
    source TEXT NOT NULL DEFAULT '',
    confidence TEXT NOT NULL DEFAULT 'user',
    origin TEXT NOT NULL DEFAULT 'user' CHECK (origin IN ('bundled', 'user')),
    fact_key TEXT UNIQUE,
    user_edited INTEGER NOT NULL DEFAULT 0
"""

M001_STATEMENTS = [
    f"""CREATE TABLE instruments (
        symbol TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        legal_name TEXT NOT NULL DEFAULT '',
        local_name TEXT NOT NULL DEFAULT '',
        exchange TEXT NOT NULL DEFAULT '',
        currency TEXT NOT NULL,
        reporting_currency TEXT NOT NULL DEFAULT '',
        timezone TEXT NOT NULL DEFAULT 'Asia/Hong_Kong',
        listing_date TEXT,
        offer_price REAL,
        board_lot INTEGER,
        notes TEXT NOT NULL DEFAULT '',
        {PROVENANCE})""",
    # ts = UTC epoch seconds of the bar start; source says where a row came from so a real
    # price is never confused with a reference point or a demo bar.
    """CREATE TABLE bars (
        symbol TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        interval TEXT NOT NULL,
        ts INTEGER NOT NULL,
        open REAL, high REAL, low REAL, close REAL,
        volume INTEGER,
        source TEXT NOT NULL CHECK (source IN ('yahoo', 'import', 'reference', 'demo')),
        partial INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (symbol, interval, ts)
    ) WITHOUT ROWID""",
    """CREATE TABLE quotes (
        symbol TEXT PRIMARY KEY REFERENCES instruments(symbol) ON DELETE CASCADE,
        price REAL NOT NULL,
        currency TEXT NOT NULL,
        ts INTEGER NOT NULL,
        previous_close REAL,
        source TEXT NOT NULL,
        fetched_at INTEGER NOT NULL
    )""",
    f"""CREATE TABLE shares_outstanding (
        id INTEGER PRIMARY KEY,
        symbol TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        as_of TEXT NOT NULL,
        shares INTEGER NOT NULL CHECK (shares > 0),
        note TEXT NOT NULL DEFAULT '',
        {PROVENANCE})""",
    f"""CREATE TABLE revenue (
        id INTEGER PRIMARY KEY,
        symbol TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        period TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('annual', 'interim', 'arr')),
        period_end TEXT NOT NULL,
        months INTEGER NOT NULL,
        amount REAL NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        {PROVENANCE})""",
    f"""CREATE TABLE fx_rates (
        id INTEGER PRIMARY KEY,
        base TEXT NOT NULL,
        quote TEXT NOT NULL,
        as_of TEXT NOT NULL,
        rate REAL NOT NULL CHECK (rate > 0),
        note TEXT NOT NULL DEFAULT '',
        {PROVENANCE},
        UNIQUE (base, quote, as_of))""",
    f"""CREATE TABLE targets (
        id INTEGER PRIMARY KEY,
        symbol TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        broker TEXT NOT NULL,
        date TEXT NOT NULL,
        date_approximate INTEGER NOT NULL DEFAULT 0,
        rating TEXT NOT NULL DEFAULT '',
        price REAL NOT NULL CHECK (price > 0),
        currency TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        {PROVENANCE})""",
    f"""CREATE TABLE lockups (
        id INTEGER PRIMARY KEY,
        symbol TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        holders TEXT NOT NULL,
        shares INTEGER,
        term_months INTEGER,
        locked_through TEXT,
        first_free_day TEXT NOT NULL,
        date_exact INTEGER NOT NULL DEFAULT 1,
        note TEXT NOT NULL DEFAULT '',
        {PROVENANCE})""",
    f"""CREATE TABLE valuation_bands (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        ps_low REAL NOT NULL CHECK (ps_low > 0),
        ps_high REAL NOT NULL CHECK (ps_high >= ps_low),
        meaning TEXT NOT NULL DEFAULT '',
        {PROVENANCE})""",
    # Sparse public price points; mirrored into bars (source 'reference') for charts.
    f"""CREATE TABLE reference_points (
        id INTEGER PRIMARY KEY,
        symbol TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        date TEXT NOT NULL,
        close REAL,
        high REAL,
        note TEXT NOT NULL DEFAULT '',
        {PROVENANCE},
        CHECK (close IS NOT NULL OR high IS NOT NULL))""",
    # Keys of every bundled fact ever loaded: a bundled fact the user deleted stays deleted.
    """CREATE TABLE bundled_facts (
        fact_key TEXT PRIMARY KEY,
        table_name TEXT NOT NULL,
        loaded_at INTEGER NOT NULL
    )""",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE INDEX idx_targets_symbol ON targets(symbol, date)",
    "CREATE INDEX idx_lockups_symbol ON lockups(symbol, first_free_day)",
    "CREATE INDEX idx_shares_symbol ON shares_outstanding(symbol, as_of)",
    "CREATE INDEX idx_revenue_symbol ON revenue(symbol, period_end)",
    "CREATE INDEX idx_refpoints_symbol ON reference_points(symbol, date)",
]

M002_STATEMENTS = [
    """CREATE TABLE watchlists (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
        position INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE watchlist_items (
        watchlist_id INTEGER NOT NULL REFERENCES watchlists(id) ON DELETE CASCADE,
        symbol TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        position INTEGER NOT NULL DEFAULT 0,
        note TEXT NOT NULL DEFAULT '',
        verified INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (watchlist_id, symbol)
    )""",
    "INSERT INTO watchlists (name, position) VALUES ('Main', 0)",
]

# Per-symbol health of the price feed, so backoff and "last good price" survive a restart.
M003_STATEMENTS = [
    """CREATE TABLE feed_health (
        symbol TEXT PRIMARY KEY REFERENCES instruments(symbol) ON DELETE CASCADE,
        last_attempt INTEGER,
        last_success INTEGER,
        last_error TEXT NOT NULL DEFAULT '',
        last_error_kind TEXT NOT NULL DEFAULT '',
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        not_found_count INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER NOT NULL DEFAULT 0,
        daily_backfilled INTEGER NOT NULL DEFAULT 0,
        intraday_backfilled INTEGER NOT NULL DEFAULT 0
    )""",
]

M004_STATEMENTS = [
    """CREATE TABLE alert_rules (
        id INTEGER PRIMARY KEY,
        symbol TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        level REAL NOT NULL,
        direction TEXT NOT NULL,
        policy TEXT NOT NULL,
        hysteresis_pct REAL NOT NULL DEFAULT 0,
        cooldown_min INTEGER NOT NULL DEFAULT 0,
        band_pct REAL NOT NULL DEFAULT 0,
        expires_at INTEGER,
        enabled INTEGER NOT NULL DEFAULT 1,
        note TEXT NOT NULL DEFAULT '',
        start_ts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT '{}'
    )""",
    # The history outlives its rule; (rule, observation) fires at most once.
    """CREATE TABLE alert_events (
        id INTEGER PRIMARY KEY,
        rule_id INTEGER REFERENCES alert_rules(id) ON DELETE SET NULL,
        symbol TEXT NOT NULL,
        observed_ts INTEGER NOT NULL,
        fired_at INTEGER NOT NULL,
        value REAL NOT NULL,
        rule_text TEXT NOT NULL,
        message TEXT NOT NULL,
        source TEXT NOT NULL,
        while_closed INTEGER NOT NULL DEFAULT 0,
        acknowledged INTEGER NOT NULL DEFAULT 0,
        UNIQUE (rule_id, observed_ts)
    )""",
    "CREATE INDEX idx_alert_events_time ON alert_events(fired_at)",
]

# Per-symbol evaluation progress (rules not touched by a poll are not rewritten) and a counter
# of rule changes, so the poller keeps its rule book in memory until a rule changes.
_RULE_COLUMNS = ("symbol, kind, level, direction, policy, hysteresis_pct, cooldown_min, "
                 "band_pct, expires_at, enabled, note, start_ts")
M005_STATEMENTS = [
    """CREATE TABLE alert_progress (
        symbol TEXT PRIMARY KEY REFERENCES instruments(symbol) ON DELETE CASCADE,
        last_ts INTEGER NOT NULL
    )""",
    """CREATE TABLE alert_rules_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
    )""",
    "INSERT INTO alert_rules_version (id, version) VALUES (1, 0)",
    *(f"""CREATE TRIGGER alert_rules_{name} AFTER {event} ON alert_rules
        BEGIN UPDATE alert_rules_version SET version = version + 1; END"""
      for name, event in (("inserted", "INSERT"), ("deleted", "DELETE"),
                          ("changed", f"UPDATE OF {_RULE_COLUMNS}"))),
]

# Holdings: what the trader bought and sold. import_key makes re-importing a file a no-op.
M006_STATEMENTS = [
    """CREATE TABLE transactions (
        id INTEGER PRIMARY KEY,
        symbol TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE RESTRICT,
        trade_date TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        quantity REAL NOT NULL CHECK (quantity > 0),
        price REAL NOT NULL CHECK (price >= 0),
        fees REAL NOT NULL DEFAULT 0 CHECK (fees >= 0),
        currency TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        import_key TEXT UNIQUE,
        created_at INTEGER NOT NULL
    )""",
    "CREATE INDEX idx_transactions_symbol ON transactions(symbol, trade_date)",
]


# Figures over each symbol's whole daily history, kept as bars are written (services.market.stats):
# the fold of every daily bar before the newest (peak, deepest fall) plus the newest bar itself.
M007_STATEMENTS = [
    """CREATE TABLE symbol_stats (
        symbol TEXT PRIMARY KEY REFERENCES instruments(symbol) ON DELETE CASCADE,
        last_ts INTEGER NOT NULL,
        last_high REAL,
        last_close REAL,
        peak REAL,
        peak_ts INTEGER,
        depth REAL,
        depth_peak_ts INTEGER,
        depth_trough_ts INTEGER,
        high_52w REAL,
        avg_volume_20 REAL
    )""",
]

# Point-in-time provenance and dated FX: when each fundamental became public (and whether that
# date is known or assumed), revenue known only as a bound, the range of a placeholder FX rate,
# further sourced facts, daily FX rates from the feed with their own feed health, and the
# exchange's trading days (so the window needs no calendar library to name a trading day).
M008_STATEMENTS = [
    *(f"ALTER TABLE {table} ADD COLUMN {column}" for table in ("revenue", "shares_outstanding")
      for column in ("published TEXT",
                     "published_basis TEXT NOT NULL DEFAULT 'assumed' "
                     "CHECK (published_basis IN ('known', 'assumed'))")),
    "ALTER TABLE revenue ADD COLUMN bound TEXT NOT NULL DEFAULT 'exact' "
    "CHECK (bound IN ('exact', 'at least', 'at most'))",
    "ALTER TABLE fx_rates ADD COLUMN rate_low REAL",
    "ALTER TABLE fx_rates ADD COLUMN rate_high REAL",
    f"""CREATE TABLE key_facts (
        id INTEGER PRIMARY KEY,
        symbol TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        topic TEXT NOT NULL,
        label TEXT NOT NULL,
        value TEXT NOT NULL,
        date TEXT,
        opinion INTEGER NOT NULL DEFAULT 0,
        note TEXT NOT NULL DEFAULT '',
        {PROVENANCE})""",
    "CREATE INDEX idx_key_facts_symbol ON key_facts(symbol, topic)",
    # One rate a pair a day (the day in the pair's own market time zone), as the feed served it.
    """CREATE TABLE fx_bars (
        base TEXT NOT NULL,
        quote TEXT NOT NULL,
        day TEXT NOT NULL,
        rate REAL NOT NULL CHECK (rate > 0),
        symbol TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('yahoo', 'import')),
        partial INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (base, quote, day)
    ) WITHOUT ROWID""",
    """CREATE TABLE fx_feed (
        symbol TEXT PRIMARY KEY,
        base TEXT NOT NULL,
        quote TEXT NOT NULL,
        last_attempt INTEGER,
        last_success INTEGER,
        last_error TEXT NOT NULL DEFAULT '',
        last_error_kind TEXT NOT NULL DEFAULT '',
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER NOT NULL DEFAULT 0,
        backfilled INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE trading_days (
        calendar TEXT NOT NULL,
        day TEXT NOT NULL,
        PRIMARY KEY (calendar, day)
    ) WITHOUT ROWID""",
]

# The prices a watchlist row starts from, kept beside the figures so a refresh reads one row a
# symbol: the newest daily close (any source) and the two newest settled closes of a continuous
# feed (the previous close is one of them, whichever lies before the price's day).
_CLOSE = ("SELECT {col} FROM bars b WHERE b.symbol = symbol_stats.symbol AND b.interval = '1d' "
          "AND b.close IS NOT NULL {settled} ORDER BY b.ts DESC LIMIT 1 OFFSET {offset}")
_SETTLED = "AND b.partial = 0 AND b.source IN ('yahoo', 'import', 'demo')"
# A counter every change to a reference fact bumps (any connection): readers keep what they
# built from the facts (the alert pass, the watchlist) until it moves.
_REFERENCE_TABLES = ("instruments", "shares_outstanding", "revenue", "fx_rates", "targets",
                     "lockups", "valuation_bands", "reference_points", "key_facts", "fx_bars",
                     "trading_days", "yahoo_fundamentals", "yahoo_shares", "yahoo_revenue",
                     "yahoo_recommendations", "fundamentals_feed")
M010_STATEMENTS = [
    """CREATE TABLE reference_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
    )""",
    "INSERT INTO reference_version (id, version) VALUES (1, 0)",
    *(f"""CREATE TRIGGER {table}_{event.lower()}_version AFTER {event} ON {table}
        BEGIN UPDATE reference_version SET version = version + 1; END"""
      for table in _REFERENCE_TABLES for event in ("INSERT", "UPDATE", "DELETE")),
    *(f"ALTER TABLE symbol_stats ADD COLUMN {column}" for column in (
        "close_ts INTEGER", "close REAL", "close_source TEXT", "settled_ts INTEGER",
        "settled_close REAL", "settled_before_ts INTEGER", "settled_before_close REAL")),
    "UPDATE symbol_stats SET " + ", ".join(
        f"{name} = ({_CLOSE.format(col=col, settled=settled, offset=offset)})"
        for name, col, settled, offset in (
            ("close_ts", "b.ts", "", 0), ("close", "b.close", "", 0),
            ("close_source", "b.source", "", 0), ("settled_ts", "b.ts", _SETTLED, 0),
            ("settled_close", "b.close", _SETTLED, 0),
            ("settled_before_ts", "b.ts", _SETTLED, 1),
            ("settled_before_close", "b.close", _SETTLED, 1))),
]


# Every migration, in order: plain SQL, so a new database gets them all in one transaction.
STEPS: dict[str, list[str]] = {
    "m001_market_data": M001_STATEMENTS,
    "m002_watchlists": M002_STATEMENTS,
    "m003_feed_health": M003_STATEMENTS,
    "m004_alerts": M004_STATEMENTS,
    "m005_alert_progress": M005_STATEMENTS,
    "m006_transactions": M006_STATEMENTS,
    "m007_symbol_stats": M007_STATEMENTS,
    "m008_provenance_fx": M008_STATEMENTS,
    "m009_yahoo_fundamentals": M009_STATEMENTS,
    "m010_watchlist_prices": M010_STATEMENTS,
    "m011_price_versions": M011_STATEMENTS,
    "m012_watchlist_items_version": M012_STATEMENTS,
}
# sqlite-utils' record of applied migrations, as it creates it (a test compares the two).
_RECORD_TABLE = [
    """CREATE TABLE "_sqlite_migrations" (
   "id" INTEGER PRIMARY KEY,
   "migration_set" TEXT,
   "name" TEXT,
   "applied_at" TEXT
)""",
    """CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name")""",
]


def migrations() -> Migrations:
    """The steps as sqlite-utils migrations: each in its own transaction with its record."""
    from db.sqlite_utils_lite import Migrations

    registered = Migrations(MIGRATION_SET)
    for name, statements in STEPS.items():
        registered(name=name)(partial(_run, statements=statements))
    return registered


def _run(db: Database | sqlite3.Connection, statements: list[str]) -> None:
    for statement in statements:
        db.execute(statement)


def migrate(conn: sqlite3.Connection, stop_before: str | None = None) -> list[str]:
    """Apply pending migrations in their own transactions; return the names applied.

    An existing database is always upgraded in place, never recreated. A new (empty) one gets
    the whole schema and the same records in one transaction, without loading sqlite-utils: the
    very first start waits for neither.
    """
    pending = pending_migrations(conn)
    if not pending:
        return []
    if stop_before is None and _is_empty(conn):
        _create(conn)
    else:
        from db.sqlite_utils_lite import Database

        migrations().apply(Database(conn), stop_before=stop_before)
    return [name for name in pending if name not in pending_migrations(conn)]


def _is_empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def _create(conn: sqlite3.Connection) -> None:
    applied_at = str(dt.datetime.now(dt.UTC))  # sqlite-utils' format
    with transaction(conn):
        _run(conn, _RECORD_TABLE)
        for name, statements in STEPS.items():
            _run(conn, statements)
            conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                         "VALUES (?, ?, ?)", [MIGRATION_SET, name, applied_at])
