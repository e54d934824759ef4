"""Which FX pairs the poller fetches, when, and how their daily bars are stored.

Every currency in use (instruments' trading and reporting currencies, stored FX facts, the
ledger) is fetched against the Hong Kong dollar as Yahoo's `{CCY}HKD=X` pair: five years of daily
bars once, then the last few days once a trading day — a conversion needs the day's rate, not the
minute's. Each day's rate is kept under the pair's own market date; today's is partial until the
day is over. Failures back off per pair and never touch the stocks' feed health.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from dataclasses import dataclass
from typing import Any

from db import fx_repo
from services.core.clock import HONG_KONG, local_date
from services.core.fx import HUB
from services.market.backoff import FAILURE
from services.market.feed_types import ErrorKind, FeedError, Fetched

BACKFILL_PERIOD = "5y"
DAILY_PERIOD = "5d"


@dataclass(frozen=True)
class FxPair:
    base: str
    quote: str

    @property
    def symbol(self) -> str:
        """Yahoo's name for the pair: 1 base in quote (USDHKD=X: Hong Kong dollars a dollar)."""
        return f"{self.base}{self.quote}=X"


def wanted_pairs(conn: sqlite3.Connection) -> list[FxPair]:
    return [FxPair(currency, HUB) for currency in sorted(fx_repo.currencies_in_use(conn))
            if currency != HUB]


def request_for(state: sqlite3.Row | None, now: int) -> str | None:
    """The period to fetch for a pair now, or None: backfill once, then one fetch per Hong
    Kong day, honouring the pair's backoff after a failure."""
    if state is not None and now < state["next_attempt"]:
        return None
    if state is None or not state["backfilled"]:
        return BACKFILL_PERIOD
    last = state["last_success"]
    if last is None or local_date(last, HONG_KONG) < local_date(now, HONG_KONG):
        return DAILY_PERIOD
    return None


def rate_rows(pair: FxPair, fetched: Fetched, source: str) -> list[tuple]:
    """fx_bars rows (db.fx_repo.FX_BAR_COLUMNS): one a day in the pair's market time zone,
    the newest partial while that day is still trading."""
    tz = fetched.meta.timezone
    today = local_date(fetched.meta.ts, tz)
    rows = []
    for ts, _open, _high, _low, close, _volume in fetched.bars:
        day = local_date(ts, tz)
        rows.append((pair.base, pair.quote, day.isoformat(), close, pair.symbol, source,
                     int(day >= today)))
    return rows


def success(pair: FxPair, now: int) -> dict[str, Any]:
    return {"base": pair.base, "quote": pair.quote, "last_attempt": now, "last_success": now,
            "last_error": "", "last_error_kind": "", "consecutive_failures": 0,
            "next_attempt": 0, "backfilled": 1}


def failure(pair: FxPair, state: sqlite3.Row | None, error: FeedError, now: int,
            rng: random.Random) -> dict[str, Any]:
    """Back off like a symbol (30 s doubling to 10 min); a rate limit is handled globally."""
    failures = (state["consecutive_failures"] if state else 0) + 1
    delay = 0.0 if error.kind == ErrorKind.RATE_LIMIT else FAILURE.delay(failures, rng)
    return {"base": pair.base, "quote": pair.quote, "last_attempt": now,
            "last_error": error.detail, "last_error_kind": error.kind,
            "consecutive_failures": failures, "next_attempt": now + int(delay),
            "backfilled": int(bool(state and state["backfilled"]))}


def pair_status(conn: sqlite3.Connection) -> list[str]:
    """One line a pair for the detail pane: when its rates were last fetched, or why not."""
    lines = []
    for symbol, row in sorted(fx_repo.feed_state(conn).items()):
        if row["last_success"]:
            when = dt.datetime.fromtimestamp(row["last_success"], HONG_KONG)
            lines.append(f"{symbol}: fetched {when:%Y-%m-%d %H:%M} HKT")
        if row["last_error"]:
            lines.append(f"{symbol}: last attempt failed ({row['last_error_kind']}: "
                         f"{row['last_error']})")
    return lines
