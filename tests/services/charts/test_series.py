"""Chart series against figures computed by hand from companies.md."""

from __future__ import annotations

import datetime as dt
import sqlite3

import numpy as np
import pytest

from services.charts import series as chart_series
from services.charts.valuation_text import band_position
from services.core import analytics
from services.core.clock import FixedClock, daily_bar_ts, epoch
from services.core.fx import FxTable
from services.core.models import FxRate, Money, Revenue, SharesCount, ValuationBand
from services.market.history import BarSeries
from tests.conftest import hkt

D = dt.date
TZ = "Asia/Hong_Kong"


def daily(points: list[tuple[dt.date, float | None, float | None]]) -> BarSeries:
    rows = [(daily_bar_ts(day), np.nan, high, np.nan, close, np.nan, 2)
            for day, close, high in points]
    return BarSeries.from_rows("0100.HK", "1d", "HKD", rows)


MINIMAX = daily([(D(2026, 1, 9), 345.0, None), (D(2026, 2, 13), 680.0, None),
                 (D(2026, 2, 20), 970.0, None), (D(2026, 3, 18), None, 1330.0),
                 (D(2026, 6, 26), 427.0, None), (D(2026, 7, 9), 297.4, None),
                 (D(2026, 7, 23), 199.30, None)])


def test_drawdown_series_from_the_running_peak() -> None:
    dd = chart_series.drawdown(MINIMAX)
    assert dd[2] == pytest.approx(0.0)
    assert np.isnan(dd[3])  # no close that day, only the 1,330 intraday high
    assert dd[4] == pytest.approx(427 / 1330 - 1)  # -67.9 %
    assert dd[6] == pytest.approx(199.30 / 1330 - 1)
    worst = analytics.max_drawdown(MINIMAX.high, MINIMAX.close)
    assert worst is not None
    peak_day = dt.datetime.fromtimestamp(MINIMAX.ts[worst.peak_index], dt.UTC).date()
    trough_day = dt.datetime.fromtimestamp(MINIMAX.ts[worst.trough_index], dt.UTC).date()
    assert (peak_day, trough_day) == (D(2026, 3, 18), D(2026, 7, 23))


def test_drawdown_of_a_window_starts_from_the_earlier_peak() -> None:
    window = daily([(D(2026, 6, 26), 427.0, None), (D(2026, 7, 9), 297.4, None)])
    assert chart_series.drawdown(window, prior_peak=1330.0)[0] == pytest.approx(427 / 1330 - 1)
    assert chart_series.drawdown(window)[0] == pytest.approx(0.0)


def test_valuation_steps_with_the_share_count_and_converts_currency() -> None:
    shares = [SharesCount("2513.HK", D(2026, 1, 8), 440_230_190),
              SharesCount("2513.HK", D(2026, 2, 1), 445_843_090)]
    revenue = [Revenue("2513.HK", "FY2024", "annual", D(2024, 12, 31), 12,
                       Money(312_400_000, "CNY"), published=D(2026, 1, 8)),
               Revenue("2513.HK", "H1 2025", "interim", D(2025, 6, 30), 6,
                       Money(190_900_000, "CNY"), published=D(2026, 1, 8))]
    fx = FxTable([FxRate("CNY", "HKD", D(2026, 1, 2), 1.10),
                  FxRate("USD", "HKD", D(2026, 1, 2), 7.8)])
    bars = BarSeries.from_rows("2513.HK", "1d", "HKD", [
        (daily_bar_ts(D(2026, 1, 12)), np.nan, np.nan, np.nan, 208.4, np.nan, 0),
        (daily_bar_ts(D(2026, 2, 20)), np.nan, np.nan, np.nan, 725.0, np.nan, 2)])
    usd = chart_series.valuation(bars, TZ, shares, revenue, fx, "USD", "fy",
                                 {D(2026, 2, 20): "press"})
    assert usd.market_cap[0] == pytest.approx(208.4 * 440_230_190 / 7.8)
    assert usd.market_cap[1] == pytest.approx(725.0 * 445_843_090 / 7.8)  # the count stepped
    assert list(usd.shares) == [440_230_190, 445_843_090]
    # P/S on FY2024 revenue: HKD cap / 1.10 HKD per RMB / RMB 312.4m
    assert usd.price_to_sales[1] == pytest.approx(725.0 * 445_843_090 / 1.10 / 312_400_000)
    first, second = usd.points
    assert first is not None and second is not None
    assert (first.price.source, second.price.source, second.price.confidence) == (
        "yahoo", "reference", "press")
    latest = chart_series.valuation(bars, TZ, shares, revenue, fx, "HKD", "annualised")
    # latest period: H1 2025 annualised to RMB 381.8m
    assert latest.price_to_sales[1] == pytest.approx(725.0 * 445_843_090 / 1.10 / 381_800_000)
    arr = chart_series.valuation(bars, TZ, shares, revenue, fx, "HKD", "arr")
    assert np.isnan(arr.price_to_sales).all()  # no ARR figure: no made-up P/S


def test_range_windows() -> None:
    end = hkt(2026, 11, 23, 10, 15)
    assert chart_series.range_window("1M", end, TZ, None) == (
        "1d", epoch(hkt(2026, 10, 23, 0, 0)))
    assert chart_series.range_window("YTD", end, TZ, None)[1] == epoch(hkt(2026, 1, 1, 0, 0))
    assert chart_series.range_window("Max", end, TZ, D(2026, 1, 8))[1] == epoch(
        hkt(2026, 1, 8, 0, 0))
    sessions = [D(2026, 11, d) for d in (17, 18, 19, 20, 23)]
    assert chart_series.range_window("5D", end, TZ, None, sessions) == (
        "1m", epoch(hkt(2026, 11, 17, 0, 0)))
    assert chart_series.range_window("1D", end, TZ, None, sessions)[1] == epoch(
        hkt(2026, 11, 23, 0, 0))


def test_rebasing() -> None:
    ts = np.array([1.0, 2.0, 3.0])
    closes = np.array([np.nan, 200.0, 300.0])
    assert chart_series.base_value(ts, closes, 1) == 200.0
    assert list(chart_series.rebased(closes[1:], 200.0)) == [100.0, 150.0]


def test_band_words() -> None:
    bands = [ValuationBand("L1", 50, 100), ValuationBand("L2", 20, 30)]
    assert band_position(25, bands) == "inside the L2 band (20–30x)"
    assert band_position(487.5, bands).startswith("above every band, 4.9x the top of L1")
    assert band_position(40, bands) == "below the L1 band (50–100x)"


def test_chart_service_for_both_bundled_stocks(app_db: sqlite3.Connection,
                                               clock: FixedClock) -> None:
    from services.charts.service import ChartService
    from services.watchlists.service import WatchlistService

    charts = ChartService(app_db, clock, WatchlistService(app_db, clock))
    zhipu = charts.price_chart("2513.HK", "Max")
    assert len(zhipu.bars) == 10 and zhipu.bars.of_source("reference").all()
    assert np.nanmin(zhipu.drawdown) == pytest.approx(819 / 2980 - 1)
    valuation = charts.valuation_chart("0100.HK", "USD", "fy")
    last = np.flatnonzero(~np.isnan(valuation.series.market_cap))[-1]
    assert valuation.series.market_cap[last] == pytest.approx(199.30 * 349_200_000 / 7.80)
    lines = charts.comparison(["2513.HK", "0100.HK"], None)
    assert [line.base for line in lines] == [116.20, 165.00]
    assert lines[0].index[-1] == pytest.approx(819 / 116.20 * 100)
