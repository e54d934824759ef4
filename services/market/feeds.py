"""Choosing the price feed for a run: Yahoo, or the simulated DEMO market."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from db import feed_repo, market_repo
from db.connection import open_connection
from services.core.clock import Clock, SystemClock
from services.core.paths import AppPaths
from services.market.calendar import MarketClock
from services.market.feed_types import QuoteMeta, Verify

if TYPE_CHECKING:  # the poller loads on the worker thread, with the feed
    from services.market.poller import Poller

log = logging.getLogger(__name__)


def make_clock(demo: bool, market: MarketClock, db_path: Path | None = None) -> Clock:
    """The real clock, or the DEMO's fast one, going on after the newest DEMO minute stored in
    `db_path` when that lies in the session the demo plays."""
    if not demo:
        return SystemClock()
    from services.market.demo_feed import demo_clock

    return demo_clock(market, dt.datetime.now(dt.UTC),
                      _last_demo_minute(db_path) if db_path is not None else None)


def _last_demo_minute(db_path: Path) -> int | None:
    """None when there is none, or when the file cannot tell yet (new, old or damaged): the
    database's own checks explain that when it is opened for real."""
    if not db_path.exists():
        return None
    try:
        conn = open_connection(db_path)
        try:
            return market_repo.last_minute_ts(conn, "demo")
        finally:
            conn.close()
    except (sqlite3.Error, OSError) as error:
        log.info("no DEMO session to continue in %s: %s", db_path, error)
        return None


def poller_factory(db_path: Path, paths: AppPaths, clock: Clock, market: MarketClock,
                   demo: bool) -> Callable[[], Poller]:
    """A function that builds the Poller; call it on the worker thread (it imports yfinance)."""

    def make() -> Poller:
        from services.market.poller import Poller

        if demo:
            from services.market.demo_feed import DemoQuoteSource

            source = DemoQuoteSource(clock, market, last_prices(db_path),
                                     stored=session_minutes(db_path, clock, market))
            return Poller(db_path, source, clock, market)
        from services.market.yahoo_source import YahooQuoteSource

        return Poller(db_path, YahooQuoteSource(paths.cache_dir / "yfinance"), clock, market,
                      poll_fx=True)

    return make


def yahoo_verifier(paths: AppPaths) -> Verify:
    """Checks a new symbol with Yahoo (one small chart request; yfinance loads on first use)."""

    def verify(symbol: str) -> QuoteMeta:
        from services.market.yahoo_source import YahooQuoteSource

        source = YahooQuoteSource(paths.cache_dir / "yfinance", timeout=5.0)
        return source.fetch(symbol, "1d", "5d", None).meta

    return verify


def session_minutes(db_path: Path, clock: Clock, market: MarketClock
                    ) -> dict[str, list[tuple]]:
    """The DEMO minutes already stored for the clock's session day, per symbol."""
    session = market.session(market.local_day(clock.now()))
    if session is None:
        return {}
    conn = open_connection(db_path)
    try:
        stored: dict[str, list[tuple]] = {}
        for symbol, *bar in market_repo.minute_bars_since(conn, "demo",
                                                          int(session.open.timestamp())):
            stored.setdefault(symbol, []).append(tuple(bar))
        return stored
    finally:
        conn.close()


def last_prices(db_path: Path) -> dict[str, float]:
    """The newest stored close of every polled symbol: where the demo walk starts."""
    conn = open_connection(db_path)
    try:
        prices = {}
        for row in feed_repo.polled_symbols(conn):
            bars = market_repo.last_daily_bars(conn, row["symbol"], 1)
            if bars:
                prices[row["symbol"]] = float(bars[0]["close"])
        return prices
    finally:
        conn.close()
