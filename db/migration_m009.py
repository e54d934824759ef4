"""Schema m009: Yahoo's fundamentals, kept apart from the bundled and user facts they back up.

Each table says when it was fetched (`fetched_at`, UTC epoch seconds) and, where Yahoo gives
one, the date a figure is as of (share counts) or its period end (revenue). The fact tables keep
their precedence: these rows are read only where no bundled or user fact exists.
"""

from __future__ import annotations

M009_STATEMENTS = [
    # The latest answer for a symbol, replaced whole by each successful refresh.
    """CREATE TABLE yahoo_fundamentals (
        symbol TEXT PRIMARY KEY REFERENCES instruments(symbol) ON DELETE CASCADE,
        fetched_at INTEGER NOT NULL,
        source TEXT NOT NULL DEFAULT 'yahoo',
        name TEXT NOT NULL DEFAULT '',
        shares INTEGER,
        float_shares INTEGER,
        financial_currency TEXT NOT NULL DEFAULT '',
        target_mean REAL, target_median REAL, target_high REAL, target_low REAL,
        target_currency TEXT NOT NULL DEFAULT '',
        analysts INTEGER,
        recommendation_key TEXT NOT NULL DEFAULT '',
        recommendation_mean REAL,
        next_results TEXT,
        next_results_estimate INTEGER NOT NULL DEFAULT 0,
        first_trade TEXT,
        missing TEXT NOT NULL DEFAULT ''
    )""",
    # Histories grow: Yahoo serves 18 months of share counts and 4 years of revenue.
    """CREATE TABLE yahoo_shares (
        symbol TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        as_of TEXT NOT NULL,
        shares INTEGER NOT NULL CHECK (shares > 0),
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (symbol, as_of)
    ) WITHOUT ROWID""",
    """CREATE TABLE yahoo_revenue (
        symbol TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('annual', 'quarterly')),
        period_end TEXT NOT NULL,
        amount REAL NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (symbol, kind, period_end)
    ) WITHOUT ROWID""",
    """CREATE TABLE yahoo_recommendations (
        symbol TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        period TEXT NOT NULL,
        strong_buy INTEGER NOT NULL, buy INTEGER NOT NULL, hold INTEGER NOT NULL,
        sell INTEGER NOT NULL, strong_sell INTEGER NOT NULL,
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (symbol, period)
    ) WITHOUT ROWID""",
    # When each symbol's fundamentals were last asked for, and the backoff after a failure.
    """CREATE TABLE fundamentals_feed (
        symbol TEXT PRIMARY KEY,
        last_attempt INTEGER,
        last_success INTEGER,
        last_error TEXT NOT NULL DEFAULT '',
        last_error_kind TEXT NOT NULL DEFAULT '',
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER NOT NULL DEFAULT 0
    )""",
]
