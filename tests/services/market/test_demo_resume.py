"""Restarting the DEMO on the same day continues its session: the clock goes on after the last
stored bar and nothing stored is simulated again or overwritten."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from db import market_repo
from services.core.clock import FixedClock, epoch
from services.market.calendar import MarketClock
from services.market.demo_feed import DemoQuoteSource, demo_clock
from services.market.feeds import last_prices, session_minutes
from services.market.poller import Poller
from tests.conftest import hkt


def demo_poll(db_path: Path, clock: FixedClock, market: MarketClock) -> None:
    source = DemoQuoteSource(clock, market, last_prices(db_path),
                             stored=session_minutes(db_path, clock, market))
    poller = Poller(db_path, source, clock, market)
    try:
        assert poller.poll(force=True).succeeded
    finally:
        poller.close()


def demo_bars(conn: sqlite3.Connection) -> dict[tuple[str, str, int], tuple]:
    return {(r[0], r[1], r[2]): tuple(r[3:]) for r in conn.execute(
        "SELECT symbol, interval, ts, open, high, low, close, volume FROM bars "
        "WHERE source = 'demo'")}


def test_a_restart_continues_the_day(db_path: Path, app_db: sqlite3.Connection) -> None:
    market = MarketClock()
    real_now = hkt(2026, 11, 23, 15, 0)
    first = demo_clock(market, real_now)
    assert first.now() >= hkt(2026, 11, 23, 10, 0)  # half an hour into the session
    clock = FixedClock(hkt(2026, 11, 23, 10, 40))
    demo_poll(db_path, clock, market)
    before = demo_bars(app_db)
    last = market_repo.last_minute_ts(app_db, "demo")
    assert before and last is not None and last >= epoch(hkt(2026, 11, 23, 10, 30))

    resumed = demo_clock(market, real_now, last)  # what a restart now starts from
    start = resumed.now()
    assert dt.datetime.fromtimestamp(last + 60, dt.UTC) <= start \
        < dt.datetime.fromtimestamp(last + 120, dt.UTC)
    later = FixedClock(start + dt.timedelta(minutes=20))
    demo_poll(db_path, later, market)
    after = demo_bars(app_db)
    minutes_before = {k: v for k, v in before.items() if k[1] == "1m"}
    assert {k: after[k] for k in minutes_before} == minutes_before  # nothing overwritten
    assert any(k[1] == "1m" and k[2] > last for k in after)  # and the day went on
    for symbol in {k[0] for k in minutes_before}:  # today's daily bar still holds the morning
        daily = [v for k, v in after.items() if k[0] == symbol and k[1] == "1d"]
        first_open = minutes_before[min(k for k in minutes_before if k[0] == symbol)][0]
        assert daily and daily[-1][0] == first_open


def test_a_different_day_starts_fresh(db_path: Path, app_db: sqlite3.Connection) -> None:
    market = MarketClock()
    yesterday_bar = epoch(hkt(2026, 11, 20, 14, 0))
    start = demo_clock(market, hkt(2026, 11, 23, 15, 0), yesterday_bar).now()
    assert hkt(2026, 11, 23, 10, 0) <= start < hkt(2026, 11, 23, 10, 1)
