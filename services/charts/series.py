"""The numbers behind the charts, as numpy arrays: bars, drawdown, valuation, comparison.

Pure functions plus loaders that take a connection; no Qt, so every series is tested by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from services.charts.ranges import CALENDAR_RANGES, INTRADAY_RANGES
from services.core import analytics
from services.core import valuation as core_valuation
from services.core.analytics import MissingDataError
from services.core.clock import epoch, local_date
from services.core.fx import FxTable
from services.core.models import Price, Revenue, SharesCount
from services.core.valuation import ValuationPoint
from services.market.history import SOURCE_CODES, BarSeries


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


@dataclass(frozen=True)
class ValuationSeries:
    """The valuation history a chart draws and the `valuation` command prints: arrays to plot,
    and for every bar the ValuationPoint with the provenance of each input (None where no share
    count or FX rate was known that day)."""

    ts: np.ndarray
    market_cap: np.ndarray  # in `currency`
    currency: str
    price_to_sales: np.ndarray  # NaN where no revenue (or FX rate) was known on the day
    ps_low: np.ndarray  # across an input's range (the FX placeholder's); equal when exact
    ps_high: np.ndarray
    shares: np.ndarray
    basis: str
    points: tuple[ValuationPoint | None, ...]


def valuation(bars: BarSeries, tz: str, shares: Sequence[SharesCount],
              revenue: Sequence[Revenue], fx: FxTable, currency: str, basis: str = "fy",
              confidences: Mapping[dt.date, str] | None = None) -> ValuationSeries:
    """Point in time: each day's market cap uses the share count in force and published by that
    day, converted at that day's rate; its P/S the revenue of `basis` published by that day.
    `confidences`: the confidence of the reference point of a day, for its price's label."""
    n = len(bars)
    cap, ps, low, high, counts = (np.full(n, np.nan) for _ in range(5))
    points: list[ValuationPoint | None] = [None] * n
    names = {code: name for name, code in SOURCE_CODES.items()}
    for i in range(n):
        if np.isnan(bars.close[i]):
            continue
        day = local_date(int(bars.ts[i]), tz)
        source = names[int(bars.source[i])]
        price = Price(float(bars.close[i]), bars.currency, int(bars.ts[i]), source,
                      (confidences or {}).get(day, "") if source == "reference" else "",
                      daily=True)
        try:
            point = core_valuation.valuation_on(day, price, shares, revenue, fx, currency, basis)
        except MissingDataError:
            continue
        points[i] = point
        counts[i] = point.shares.shares
        cap[i] = point.market_cap.amount
        if point.ps is not None:
            ps[i], low[i], high[i] = point.ps.value, point.ps.low, point.ps.high
    return ValuationSeries(bars.ts, cap, currency, ps, low, high, counts, basis, tuple(points))


def rebased(closes: np.ndarray, base: float) -> np.ndarray:
    """Closes as an index: 100 at the base price."""
    return closes / base * 100.0


def base_value(ts: np.ndarray, closes: np.ndarray, at: int) -> float | None:
    """The first known close on or after `at` (the rebasing date)."""
    after = np.flatnonzero((ts >= at) & ~np.isnan(closes))
    return float(closes[after[0]]) if after.size else None
