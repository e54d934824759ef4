"""The numbers behind the charts, as numpy arrays: bars, drawdown, valuation, comparison.

Pure functions plus loaders that take a connection; no Qt, so every series is tested by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from services.core import analytics
from services.core.analytics import FxTable, MissingDataError
from services.core.clock import epoch, local_date
from services.core.models import Money, Revenue, SharesCount
from services.market.history import BarSeries

RANGES = ("1D", "5D", "1M", "3M", "6M", "YTD", "1Y", "Max")
INTRADAY_RANGES = {"1D": 1, "5D": 5}  # sessions of 1-minute bars
# Enough 1-minute bars to span the last five sessions on any exchange (HKEX: 330 a day).
RECENT_MINUTES = 5 * 500
CALENDAR_RANGES = {"1M": 31, "3M": 92, "6M": 183, "1Y": 366}
REVENUE_BASES = {"fy": "last fiscal year", "latest": "latest period, annualised", "arr": "ARR"}


def drawdown(series: BarSeries, prior_peak: float | None = None) -> np.ndarray:
    """Drawdown of every close from the running peak since listing (`prior_peak`: the peak
    before the first bar shown)."""
    return analytics.drawdown_series(series.high, series.close, prior_peak)


def range_window(key: str, end: dt.datetime, tz: str, listing: dt.date | None,
                 sessions: Sequence[dt.date] = ()) -> tuple[str, int]:
    """(interval, start epoch) for a range button. Intraday ranges count trading sessions
    (`sessions`: known session dates, newest last), the others calendar time."""
    zone = ZoneInfo(tz)
    local_end = end.astimezone(zone)
    if key in INTRADAY_RANGES:
        days = list(sessions)[-INTRADAY_RANGES[key]:] or [local_end.date()]
        return "1m", epoch(dt.datetime.combine(days[0], dt.time(0), zone))
    if key == "YTD":
        start = dt.date(local_end.year, 1, 1)
    elif key == "Max":
        start = listing or dt.date(1970, 1, 2)
    else:
        start = local_end.date() - dt.timedelta(days=CALENDAR_RANGES[key])
    return "1d", epoch(dt.datetime.combine(start, dt.time(0), zone))


def session_dates(ts: Sequence[int], tz: str) -> list[dt.date]:
    return sorted({local_date(int(t), tz) for t in ts})


def revenue_on(revenue: Sequence[Revenue], day: dt.date, basis: str) -> Revenue | None:
    """The revenue figure a P/S on `day` divides by, for a basis in REVENUE_BASES."""
    kinds = {"fy": ("annual",), "latest": ("annual", "interim"), "arr": ("arr",)}[basis]
    known = [r for r in revenue if r.kind in kinds and r.period_end <= day]
    return max(known, key=lambda r: r.period_end) if known else None


@dataclass(frozen=True)
class ValuationSeries:
    ts: np.ndarray
    market_cap: np.ndarray  # in `currency`
    currency: str
    price_to_sales: np.ndarray  # NaN where no revenue (or FX rate) was known on the day
    shares: np.ndarray
    basis: str


def valuation(ts: np.ndarray, closes: np.ndarray, price_currency: str, tz: str,
              shares: Sequence[SharesCount], revenue: Sequence[Revenue], fx: FxTable,
              currency: str, basis: str = "fy") -> ValuationSeries:
    """Market cap with the share count valid on each date (steps where it changed) in
    `currency`, and P/S against the revenue basis, converting with the rate of each date."""
    n = ts.size
    cap = np.full(n, np.nan)
    ps = np.full(n, np.nan)
    counts = np.full(n, np.nan)
    for i in range(n):
        if np.isnan(closes[i]):
            continue
        day = local_date(int(ts[i]), tz)
        try:
            count = analytics.shares_on(shares, day)
            local_cap = Money(closes[i] * count.shares, price_currency)
            counts[i] = count.shares
            cap[i] = fx.convert(local_cap, currency, day).amount
            figure = revenue_on(revenue, day, basis)
            if figure is not None:
                ps[i] = analytics.price_to_sales(local_cap, figure, fx, day)
        except MissingDataError:
            continue
    return ValuationSeries(ts, cap, currency, ps, counts, basis)


def rebased(closes: np.ndarray, base: float) -> np.ndarray:
    """Closes as an index: 100 at the base price."""
    return closes / base * 100.0


def base_value(ts: np.ndarray, closes: np.ndarray, at: int) -> float | None:
    """The first known close on or after `at` (the rebasing date)."""
    after = np.flatnonzero((ts >= at) & ~np.isnan(closes))
    return float(closes[after[0]]) if after.size else None
