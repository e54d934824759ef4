"""Dated FX through the same feed: real yfinance against the fake Yahoo's FX pairs."""

from __future__ import annotations

import datetime as dt
import sqlite3

from db import calendar_repo
from services.core.clock import FixedClock
from services.market.feed_types import ErrorKind
from services.market.poller import Poller
from services.reference import store
from tests.conftest import hkt
from tests.fake_yahoo import FakeYahoo

PAIRS = ("CNYHKD=X", "USDHKD=X")


def fx_requests(fake: FakeYahoo) -> list:
    return [r for r in fake.chart_requests() if r.path.endswith("=X")
            and r.query.get("range") != "1d"]  # leave out yfinance's time-zone probe


def served(fake: FakeYahoo, symbol: str, day: dt.date) -> float:
    [bar] = [b for b in fake.symbols[symbol].daily_bars
             if dt.datetime.fromtimestamp(b[0], dt.UTC).date() == day]
    return bar[4]


def test_fx_is_backfilled_once_then_fetched_once_a_day(
    poller: Poller, fake_yahoo: FakeYahoo, clock: FixedClock, app_db: sqlite3.Connection
) -> None:
    outcome = poller.poll()
    assert sorted(r.symbol for r in outcome.fx_results if r.ok) == list(PAIRS)
    assert {r.query["range"] for r in fx_requests(fake_yahoo)} == {"5y"}
    count = app_db.execute("SELECT COUNT(*) FROM fx_bars WHERE base = 'USD'").fetchone()[0]
    assert count == len([b for b in fake_yahoo.symbols["USDHKD=X"].daily_bars
                         if b[0] <= clock.now().timestamp()])
    # each day converts at that day's rate, on the pair's own (London) date
    fx = store.fx_table(app_db)
    quote = fx.quote("USD", "HKD", dt.date(2026, 1, 9))
    assert quote.rate == served(fake_yahoo, "USDHKD=X", dt.date(2026, 1, 9))
    assert not quote.placeholder and "Yahoo USDHKD=X" in quote.source
    assert fx.rate("CNY", "HKD", dt.date(2026, 11, 20)) == served(
        fake_yahoo, "CNYHKD=X", dt.date(2026, 11, 20))
    today = app_db.execute("SELECT partial FROM fx_bars WHERE base = 'USD' AND "
                           "day = '2026-11-23'").fetchone()
    assert today[0] == 1  # the day is still trading

    before = len(fx_requests(fake_yahoo))
    clock.advance(60)
    assert poller.poll().fx_results == ()  # once a day is enough for a conversion
    assert len(fx_requests(fake_yahoo)) == before
    clock.set(hkt(2026, 11, 24, 10, 15))
    outcome = poller.poll()
    assert [r.query["range"] for r in fx_requests(fake_yahoo)[before:]] == ["5d", "5d"]
    assert app_db.execute("SELECT partial FROM fx_bars WHERE base = 'USD' AND "
                          "day = '2026-11-23'").fetchone()[0] == 0


def test_an_fx_failure_backs_off_without_touching_the_stocks(
    poller: Poller, fake_yahoo: FakeYahoo, clock: FixedClock, app_db: sqlite3.Connection
) -> None:
    fake_yahoo.fail("500", symbol="USDHKD=X")
    outcome = poller.poll()
    assert all(r.ok for r in outcome.results) and not outcome.offline
    failed = {r.symbol: r for r in outcome.fx_results}
    assert failed["USDHKD=X"].error_kind == ErrorKind.TRANSPORT and failed["CNYHKD=X"].ok
    fx = store.fx_table(app_db)
    placeholder = fx.quote("USD", "HKD", dt.date(2026, 11, 23))
    assert placeholder.placeholder and (placeholder.low, placeholder.high) == (7.75, 7.85)
    clock.advance(10)  # inside the backoff: no request for that pair
    before = len(fx_requests(fake_yahoo))
    poller.poll()
    assert len(fx_requests(fake_yahoo)) == before
    fake_yahoo.clear_faults()
    clock.advance(15 * 60)
    assert [r.ok for r in poller.poll().fx_results] == [True]
    assert not store.fx_table(app_db).quote("USD", "HKD", dt.date(2026, 11, 23)).placeholder


def test_the_exchange_calendar_is_stored_for_the_window(poller: Poller,
                                                        app_db: sqlite3.Connection) -> None:
    assert calendar_repo.first_trading_day(app_db, "XHKG", "2027-01-09") is None
    poller.poll()
    assert calendar_repo.first_trading_day(app_db, "XHKG", "2027-01-09") == "2027-01-11"
    assert calendar_repo.previous_trading_day(app_db, "XHKG", "2026-02-20") == "2026-02-16"
