"""Analytics against figures computed by hand from the sources in resources/reference_data.json."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from services.core import analytics
from services.core.analytics import FxTable, MissingDataError
from services.core.models import FxRate, Lockup, Money, Revenue, SharesCount, Target

D = dt.date
HKD = "HKD"
ZHIPU_SHARES = [
    SharesCount("2513.HK", D(2026, 1, 8), 440_230_190),
    SharesCount("2513.HK", D(2026, 2, 1), 445_843_090),
    SharesCount("2513.HK", D(2026, 7, 31), 465_600_000),
]
MINIMAX_SHARES = [
    SharesCount("0100.HK", D(2026, 1, 9), 309_260_000),
    SharesCount("0100.HK", D(2026, 2, 20), 313_600_000),
    SharesCount("0100.HK", D(2026, 7, 23), 349_200_000),
]
ZHIPU_FY2025 = Revenue("2513.HK", "FY2025", "annual", D(2025, 12, 31), 12,
                       Money(724_330_000, "CNY"))
MINIMAX_FY2025 = Revenue("0100.HK", "FY2025", "annual", D(2025, 12, 31), 12,
                         Money(79_040_000, "USD"))
MINIMAX_9M = Revenue("0100.HK", "9M 2025", "interim", D(2025, 9, 30), 9,
                     Money(53_440_000, "USD"))
FX = FxTable([FxRate("CNY", "HKD", D(2026, 1, 2), 1.10), FxRate("USD", "HKD", D(2026, 1, 2), 7.8),
              FxRate("USD", "HKD", D(2026, 7, 1), 7.85)])


def test_minimax_427_against_its_1330_high_is_a_67_9_percent_drawdown() -> None:
    assert analytics.drawdown(427.0, 1330.0) == pytest.approx(-0.679, abs=5e-4)
    assert analytics.drawdown(427.0, 1330.0) == pytest.approx(427 / 1330 - 1)


def test_gain_needed_to_recover() -> None:
    assert analytics.gain_to_recover(-0.5) == pytest.approx(1.0)
    assert analytics.gain_to_recover(427 / 1330 - 1) == pytest.approx(1330 / 427 - 1)
    with pytest.raises(ValueError):
        analytics.gain_to_recover(-1.0)


def test_zhipu_market_cap_at_2046_uses_the_count_after_the_over_allotment() -> None:
    cap = analytics.market_cap(Money(2046.0, HKD), ZHIPU_SHARES, D(2026, 6, 26))
    assert cap == Money(912_194_962_140.0, HKD)  # 2,046.0 x 445,843,090


def test_share_count_steps_on_its_dates() -> None:
    assert analytics.shares_on(ZHIPU_SHARES, D(2026, 1, 31)).shares == 440_230_190
    assert analytics.shares_on(ZHIPU_SHARES, D(2026, 2, 1)).shares == 445_843_090
    assert analytics.shares_on(ZHIPU_SHARES, D(2026, 9, 10)).shares == 465_600_000
    with pytest.raises(MissingDataError):
        analytics.shares_on(ZHIPU_SHARES, D(2025, 12, 31))


def test_zhipu_price_to_sales_converts_hkd_market_cap_to_rmb() -> None:
    day = D(2026, 6, 26)
    cap = analytics.market_cap(Money(2046.0, HKD), ZHIPU_SHARES, day)
    ps = analytics.price_to_sales(cap, ZHIPU_FY2025, FX, day)
    # 912,194,962,140 HKD / 1.10 HKD per RMB = RMB 829,268,147,400; / RMB 724.33m
    assert ps == pytest.approx(829_268_147_400 / 724_330_000)
    assert ps == pytest.approx(1144.87, abs=0.01)


def test_price_to_sales_annualises_interim_revenue_and_uses_fx_of_the_day() -> None:
    day = D(2026, 2, 20)
    cap = analytics.market_cap(Money(970.0, HKD), MINIMAX_SHARES, day)
    ps = analytics.price_to_sales(cap, MINIMAX_9M, FX, day)
    # 970 x 313.6m = HK$304,192m; / 7.8 = US$38,999.0m; 9M revenue US$53.44m -> 71.2533m a year
    assert ps == pytest.approx(970 * 313_600_000 / 7.8 / (53_440_000 * 12 / 9))


def test_price_implied_by_a_ps_band() -> None:
    day = D(2026, 8, 1)  # after the 7.85 rate and the 349.2m share count
    price = analytics.implied_price(20, MINIMAX_FY2025, MINIMAX_SHARES, FX, HKD, day)
    assert price.currency == HKD
    assert price.amount == pytest.approx(20 * 79_040_000 * 7.85 / 349_200_000)  # HK$35.54


def test_fx_table_inverts_and_refuses_to_guess() -> None:
    assert FX.rate("HKD", "USD", D(2026, 3, 1)) == pytest.approx(1 / 7.8)
    assert FX.rate("HKD", "HKD", D(2000, 1, 1)) == 1.0
    with pytest.raises(MissingDataError):
        FX.rate("USD", "HKD", D(2025, 12, 31))
    with pytest.raises(MissingDataError):
        FX.rate("EUR", "HKD", D(2026, 3, 1))


def test_upside_to_target_and_currency_guard() -> None:
    assert analytics.upside(Money(819.0, HKD), Money(1700.0, HKD)) == pytest.approx(1700 / 819 - 1)
    with pytest.raises(MissingDataError):
        analytics.upside(Money(819.0, HKD), Money(200.0, "USD"))


def test_latest_target_is_the_newest() -> None:
    targets = [Target("0100.HK", b, d, Money(p, HKD)) for b, d, p in [
        ("JPM", D(2026, 2, 9), 700), ("Citi", D(2026, 7, 24), 533), ("MS", D(2026, 8, 10), 900)]]
    latest = analytics.latest_target(targets)
    assert latest is not None and latest.broker == "MS"


def test_lockup_countdown_past_and_upcoming() -> None:
    locks = [Lockup("2513.HK", "cornerstones", D(2026, 7, 8)),
             Lockup("2513.HK", "controlling", D(2027, 1, 8))]
    today = D(2026, 11, 23)
    upcoming = analytics.next_lockup(locks, today)
    assert upcoming is not None and upcoming.holders == "controlling"
    assert analytics.days_until(D(2027, 1, 8), today) == 46
    past = analytics.next_lockup(locks, D(2027, 2, 1))
    assert past is not None and past.holders == "controlling"
    assert analytics.days_until(D(2027, 1, 8), D(2027, 2, 1)) == -24
    assert analytics.next_lockup([], today) is None


def test_drawdown_series_and_maximum_with_peak_and_trough() -> None:
    # MiniMax reference points in order: closes, with the 1,330 intraday high on 2026-03-18
    highs = np.array([np.nan, np.nan, np.nan, 1330.0, np.nan, np.nan, np.nan, np.nan])
    closes = np.array([345.0, 680.0, 970.0, np.nan, 427.0, 297.4, 230.0, 199.3])
    series = analytics.drawdown_series(highs, closes)
    assert series[2] == pytest.approx(0.0)
    assert series[4] == pytest.approx(427 / 1330 - 1)
    worst = analytics.max_drawdown(highs, closes)
    assert worst is not None
    assert (worst.peak_index, worst.trough_index) == (3, 7)
    assert worst.depth == pytest.approx(199.3 / 1330 - 1)
    assert analytics.max_drawdown(np.array([np.nan]), np.array([np.nan])) is None
