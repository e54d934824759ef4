"""A backfill streams: each new symbol is stored as its answer arrives, only a few answers run
ahead of the one being stored, and yfinance keeps nothing per symbol. A normal poll still
commits every symbol together. Real yfinance, the fake Yahoo on 127.0.0.1, a real SQLite file."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from yfinance import shared as yf_shared
from yfinance.data import YfData

from db.connection import transaction
from services.core.clock import FixedClock
from services.market.calendar import MarketClock
from services.market.feed_types import Fetched
from services.market.fetching import AHEAD_PER_WORKER
from services.market.poller import Poller
from services.market.yahoo_source import YahooQuoteSource
from tests.fake_yahoo import FakeSymbol, FakeYahoo, FakeYahooSession

ADDED = [f"{1001 + i}.HK" for i in range(10)]
WORKERS = 1  # one request at a time: which symbols are stored when is then certain
AHEAD = WORKERS * AHEAD_PER_WORKER


class Watching:
    """The real Yahoo source, noting before each symbol's first request what the database
    already holds."""

    name = "yahoo"

    def __init__(self, inner: YahooQuoteSource, db_path: Path):
        self._inner = inner
        self._db_path = db_path
        self.symbols_stored: dict[str, int] = {}  # symbols with Yahoo bars
        self.bars_stored: dict[str, int] = {}

    def fetch(self, symbol: str, interval: str, period: str, currency: str | None) -> Fetched:
        if symbol not in self.symbols_stored:
            conn = sqlite3.connect(self._db_path)
            try:
                self.symbols_stored[symbol], self.bars_stored[symbol] = conn.execute(
                    "SELECT COUNT(DISTINCT symbol), COUNT(*) FROM bars "
                    "WHERE source = 'yahoo'").fetchone()
            finally:
                conn.close()
        return self._inner.fetch(symbol, interval, period, currency)

    def forget(self) -> None:
        self.symbols_stored.clear()
        self.bars_stored.clear()


@pytest.fixture
def watching(db_path: Path, app_db: sqlite3.Connection, fake_yahoo: FakeYahoo,
             tmp_path: Path) -> Watching:
    """Ten more new symbols on the watchlist, served by the fake like 0100.HK."""
    minutes = fake_yahoo.symbols["0100.HK"].minute_bars
    with transaction(app_db):
        for symbol in ADDED:
            fake_yahoo.symbols[symbol] = FakeSymbol(symbol, "HKD", minutes)
            app_db.execute("INSERT INTO instruments (symbol, name, currency) "
                           "VALUES (?, ?, 'HKD')", [symbol, symbol])
            app_db.execute("INSERT INTO watchlist_items (watchlist_id, symbol) "
                           "SELECT MIN(id), ? FROM watchlists", [symbol])
    source = YahooQuoteSource(tmp_path / "yf-cache", FakeYahooSession(fake_yahoo.proxy_url),
                              timeout=5.0)
    return Watching(source, db_path)


@pytest.fixture
def one_at_a_time(db_path: Path, watching: Watching, clock: FixedClock) -> Iterator[Poller]:
    poller = Poller(db_path, watching, clock, MarketClock(), random.Random(7), workers=WORKERS)
    yield poller
    poller.close()


def polled(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT symbol FROM watchlist_items ORDER BY symbol")]


def test_a_backfill_stores_each_symbol_as_its_answer_arrives(
    one_at_a_time: Poller, watching: Watching, app_db: sqlite3.Connection
) -> None:
    outcome = one_at_a_time.poll()
    symbols = polled(app_db)
    assert len(symbols) == 12 and len(outcome.succeeded) == 12
    for k, symbol in enumerate(symbols):
        # symbol k is asked for once symbol k - AHEAD is taken, after every one before it
        # was stored
        assert watching.symbols_stored[symbol] >= k - AHEAD, (symbol, watching.symbols_stored)
    for symbol in symbols:  # each stored whole, its feed state with it
        row = app_db.execute("SELECT daily_backfilled, intraday_backfilled FROM feed_health "
                             "WHERE symbol = ?", [symbol]).fetchone()
        assert tuple(row) == (1, 1)
        assert app_db.execute("SELECT COUNT(*) FROM quotes WHERE symbol = ?",
                              [symbol]).fetchone()[0] == 1


def test_a_normal_poll_still_commits_every_symbol_together(
    one_at_a_time: Poller, watching: Watching, app_db: sqlite3.Connection, clock: FixedClock
) -> None:
    one_at_a_time.poll()
    clock.advance(300)
    watching.forget()
    before = app_db.execute("SELECT COUNT(*) FROM bars WHERE source = 'yahoo'").fetchone()[0]
    outcome = one_at_a_time.poll()
    assert len(outcome.succeeded) == 12
    assert set(watching.bars_stored.values()) == {before}  # nothing stored mid-poll
    after = app_db.execute("SELECT COUNT(*) FROM bars WHERE source = 'yahoo'").fetchone()[0]
    assert after > before


def test_a_rate_limit_mid_backfill_keeps_the_symbols_already_stored(
    one_at_a_time: Poller, fake_yahoo: FakeYahoo, app_db: sqlite3.Connection
) -> None:
    fake_yahoo.fail("429", "1005.HK")
    outcome = one_at_a_time.poll()
    assert outcome.rate_limited_until is not None
    stored = {r[0] for r in app_db.execute("SELECT DISTINCT symbol FROM bars "
                                           "WHERE source = 'yahoo'")}
    assert stored == {"0100.HK", "1001.HK", "1002.HK", "1003.HK", "1004.HK"}
    backfilled = {r[0] for r in app_db.execute(
        "SELECT symbol FROM feed_health WHERE daily_backfilled AND intraday_backfilled")}
    assert backfilled == stored  # the next poll backfills only the others


def test_yfinance_keeps_no_response_per_symbol(one_at_a_time: Poller) -> None:
    outcome = one_at_a_time.poll()
    assert len(outcome.succeeded) == 12
    assert YfData().cache_get.cache_info().currsize == 0  # 12 time-zone probes before
    assert not (yf_shared._DFS or yf_shared._ERRORS or yf_shared._TRACEBACKS
                or yf_shared._ISINS)
