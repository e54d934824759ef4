"""The fake Yahoo's fundamentals are in the shapes yfinance's own readers expect: its public
Ticker API parses them (so the app's readers are tested against Yahoo's real documents)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yfinance as yf

from services.market.yahoo_source import YahooQuoteSource
from tests.fake_fundamentals import hk_fundamentals
from tests.fake_yahoo import FakeSymbol, FakeYahoo, FakeYahooSession, random_walk_minutes


def test_yfinance_reads_the_fakes_quote_summary_and_time_series(
        fake_yahoo: FakeYahoo, tmp_path: Path) -> None:
    days = [(dt.date(2026, 11, d), False) for d in (19, 20, 23)]
    fake_yahoo.symbols["9988.HK"] = FakeSymbol("9988.HK",
                                               minute_bars=random_walk_minutes(days, 150.0, 5),
                                               fundamentals=hk_fundamentals())
    session = FakeYahooSession(fake_yahoo.proxy_url)
    YahooQuoteSource(tmp_path / "yf", session)  # the app's yfinance set-up: caches, exceptions
    ticker = yf.Ticker("9988.HK", session=session)

    targets = ticker.analyst_price_targets
    assert (targets["mean"], targets["median"], targets["high"], targets["low"]) == \
        (185.2, 182.0, 240.0, 120.0)
    trend = ticker.recommendations
    assert list(trend["period"]) == ["0m", "-1m"] and int(trend["strongBuy"][0]) == 12
    stamp = hk_fundamentals().modules["calendarEvents"]["earnings"]["earningsDate"][0]
    local_day = dt.datetime.fromtimestamp(stamp).date()  # yfinance uses the machine's zone
    assert ticker.calendar["Earnings Date"] == [local_day]
    shares = ticker.get_shares_full(start="2025-01-01", end="2026-11-30")
    assert shares is not None and list(shares) == [19_300_000_000, 19_180_000_000,
                                                   19_100_000_000]
    quarterly = ticker.get_income_stmt(freq="quarterly", pretty=False)
    assert quarterly.loc["TotalRevenue"].dropna().tolist() == [251_100_000_000.0,
                                                               247_652_000_000.0]
    yearly = ticker.get_income_stmt(freq="yearly", pretty=False)
    assert yearly.loc["TotalRevenue"].iloc[0] == pytest.approx(1_020_500_000_000.0)


def test_a_symbol_without_fundamentals_gets_yahoos_404(fake_yahoo: FakeYahoo,
                                                       tmp_path: Path) -> None:
    session = FakeYahooSession(fake_yahoo.proxy_url)
    YahooQuoteSource(tmp_path / "yf", session)
    ticker = yf.Ticker("2513.HK", session=session)
    with pytest.raises(Exception, match="404"):
        _ = ticker.analyst_price_targets
    assert ticker.get_shares_full(start="2025-01-01", end="2026-11-30") is None
