"""Drawdown, upside, lock-up countdowns and implied valuation.

Pure functions over domain values: nothing here reads the database or the clock, so every figure
can be checked by hand against the sources the bundled reference data cites.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.core.models import FxRate, Lockup, Money, Revenue, SharesCount, Target


class MissingDataError(LookupError):
    """A figure cannot be computed because an input (share count, revenue, FX rate) is missing."""


def drawdown(price: float, peak: float) -> float:
    """Fall from the peak as a fraction: 427 against a 1,330 peak is -0.679."""
    if peak <= 0:
        raise ValueError("peak must be positive")
    return price / peak - 1.0


def gain_to_recover(drawdown_fraction: float) -> float:
    """The rise needed to get back to the peak: -50% needs +100%."""
    if drawdown_fraction <= -1.0:
        raise ValueError("a -100% drawdown cannot recover")
    return 1.0 / (1.0 + drawdown_fraction) - 1.0


def reached(highs: np.ndarray, closes: np.ndarray) -> np.ndarray:
    """The price each bar reached: its high, or its close where no high is known."""
    return np.where(np.isnan(highs), closes, highs)


def drawdown_series(highs: np.ndarray, closes: np.ndarray,
                    prior_peak: float | None = None) -> np.ndarray:
    """Drawdown of each close from the running peak (NaN where close is unknown).

    `prior_peak`: the peak before the first bar, when the bars are a window of a longer history.
    """
    marks = reached(highs, closes)
    if prior_peak is not None and marks.size:
        marks[0] = np.fmax(marks[0], prior_peak)
    peaks = np.fmax.accumulate(marks) if marks.size else marks
    with np.errstate(invalid="ignore", divide="ignore"):
        return closes / peaks - 1.0


@dataclass(frozen=True)
class MaxDrawdown:
    depth: float  # most negative drawdown, e.g. -0.85
    peak_index: int
    trough_index: int


def max_drawdown(highs: np.ndarray, closes: np.ndarray) -> MaxDrawdown | None:
    """The deepest fall from a running peak, with where the peak and the trough were."""
    series = drawdown_series(highs, closes)
    if np.all(np.isnan(series)):
        return None
    trough = int(np.nanargmin(series))
    marks = reached(highs, closes)[: trough + 1]
    peak = int(np.nanargmax(marks))
    return MaxDrawdown(float(series[trough]), peak, trough)


def upside(price: Money, target: Money) -> float:
    """Return to the target as a fraction (+1.076 = +107.6%)."""
    if price.currency != target.currency:
        raise MissingDataError(f"target in {target.currency}, price in {price.currency}")
    return target.amount / price.amount - 1.0


def latest_target(targets: Sequence[Target]) -> Target | None:
    return max(targets, key=lambda t: (t.date, t.price.amount), default=None)


def days_until(day: dt.date, today: dt.date) -> int:
    """Calendar days from today to day (negative once it has passed)."""
    return (day - today).days


def next_lockup(lockups: Sequence[Lockup], today: dt.date) -> Lockup | None:
    """The next lock-up to expire on or after today, else the most recent past one."""
    upcoming = [lock for lock in lockups if lock.first_free_day >= today]
    if upcoming:
        return min(upcoming, key=lambda lock: lock.first_free_day)
    return max(lockups, key=lambda lock: lock.first_free_day, default=None)


def shares_on(counts: Sequence[SharesCount], day: dt.date) -> SharesCount:
    """The share count in force on a day: the latest one dated on or before it."""
    valid = [count for count in counts if count.as_of <= day]
    if not valid:
        raise MissingDataError(f"no share count on or before {day.isoformat()}")
    return max(valid, key=lambda count: count.as_of)


class FxTable:
    """Stored FX rates; converts with the latest rate dated on or before the day asked for."""

    def __init__(self, rates: Sequence[FxRate]):
        self._rates = sorted(rates, key=lambda rate: rate.as_of)

    def rate(self, base: str, quote: str, day: dt.date) -> float:
        if base == quote:
            return 1.0
        best: tuple[dt.date, float] | None = None
        for r in self._rates:
            if r.as_of > day:
                break
            if (r.base, r.quote) == (base, quote):
                best = (r.as_of, r.rate)
            elif (r.base, r.quote) == (quote, base):
                best = (r.as_of, 1.0 / r.rate)
        if best is None:
            raise MissingDataError(f"no {base}/{quote} rate on or before {day.isoformat()}")
        return best[1]

    def convert(self, money: Money, currency: str, day: dt.date) -> Money:
        return Money(money.amount * self.rate(money.currency, currency, day), currency)


def market_cap(price: Money, counts: Sequence[SharesCount], day: dt.date) -> Money:
    """Price x the share count valid on that day, in the price's currency."""
    return Money(price.amount * shares_on(counts, day).shares, price.currency)


def latest_revenue(
    revenue: Sequence[Revenue], kind: str = "annual", day: dt.date | None = None
) -> Revenue:
    """The newest revenue figure of a kind (annual, arr, ...), ending on or before day if given."""
    candidates = [r for r in revenue if r.kind == kind and (day is None or r.period_end <= day)]
    if not candidates:
        raise MissingDataError(f"no {kind} revenue")
    return max(candidates, key=lambda r: r.period_end)


def price_to_sales(cap: Money, revenue: Revenue, fx: FxTable, day: dt.date) -> float:
    """Market cap converted to the revenue's currency, over revenue annualised to 12 months."""
    cap_in_revenue_ccy = fx.convert(cap, revenue.amount.currency, day)
    annual = revenue.amount.amount * 12.0 / revenue.months
    return cap_in_revenue_ccy.amount / annual


def implied_price(
    ps: float,
    revenue: Revenue,
    counts: Sequence[SharesCount],
    fx: FxTable,
    currency: str,
    day: dt.date,
) -> Money:
    """Price at which the stock would trade at `ps` times revenue: ps x revenue / shares."""
    annual = Money(revenue.amount.amount * 12.0 / revenue.months, revenue.amount.currency)
    value = fx.convert(annual, currency, day)
    return Money(ps * value.amount / shares_on(counts, day).shares, currency)
