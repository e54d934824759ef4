"""Drawdown, upside and lock-ups against figures computed by hand from the bundled sources."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from services.core import analytics
from services.core.analytics import MissingDataError
from services.core.models import Lockup, Money, Target

D = dt.date
HKD = "HKD"


def test_minimax_427_against_its_1330_high_is_a_67_9_percent_drawdown() -> None:
    assert analytics.drawdown(427.0, 1330.0) == pytest.approx(-0.679, abs=5e-4)
    assert analytics.drawdown(427.0, 1330.0) == pytest.approx(427 / 1330 - 1)


def test_gain_needed_to_recover() -> None:
    assert analytics.gain_to_recover(-0.5) == pytest.approx(1.0)
    assert analytics.gain_to_recover(427 / 1330 - 1) == pytest.approx(1330 / 427 - 1)
    with pytest.raises(ValueError):
        analytics.gain_to_recover(-1.0)


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


def test_a_lockup_counts_down_to_its_first_trading_day() -> None:
    """MiniMax's founders are locked through at least 2027-01-08: free on Saturday 2027-01-09
    at the earliest, so tradable from Monday 2027-01-11 at the earliest."""
    founders = Lockup("0100.HK", "founders", D(2027, 1, 9), D(2027, 1, 8), date_exact=False,
                      first_trading_day=D(2027, 1, 11))
    cornerstones = Lockup("0100.HK", "cornerstones", D(2026, 7, 9),
                          first_trading_day=D(2026, 7, 9))
    assert founders.free_to_trade == D(2027, 1, 11)
    assert Lockup("0100.HK", "unchecked", D(2027, 1, 9)).free_to_trade == D(2027, 1, 9)
    upcoming = analytics.next_lockup([cornerstones, founders], D(2027, 1, 10))
    assert upcoming is founders  # still ahead: its shares trade from the 11th


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
