"""One symbol's new live minutes and what the metrics need, read alone with a query for each:
the reference the stacked read (services.alerts.observations) must equal, and its way for a
symbol its kept values cannot answer."""

from __future__ import annotations

import datetime as dt
import sqlite3

import numpy as np

from db import alert_repo, market_repo
from services.alerts.engine import Path
from services.core import valuation
from services.core.analytics import MissingDataError
from services.core.clock import local_date, midnight
from services.core.fx import FxTable
from services.core.models import Fundamentals, Instrument, Money
from services.market import history
from services.market.calendar import AFTER_CLOSE_DELAY, MarketClock

DayValues = dict[str, float]  # ISO date -> value


def path(conn: sqlite3.Connection, market: MarketClock, symbol: str, ins: Instrument,
         after: int, funds: Fundamentals, fx: FxTable) -> Path:
    """The symbol's live minutes after `after` with their context."""
    currency, tz = ins.currency, ins.timezone
    rows = alert_repo.minute_bars_after(conn, symbol, after)
    if not rows:
        empty = np.empty(0)
        return Path(symbol, empty.astype(np.int64), empty, empty, empty, empty.astype(bool),
                    [], empty, float("nan"), empty, empty)
    ts = np.array([r[0] for r in rows], dtype=np.int64)
    hi, lo, close = (np.array([r[i] for r in rows], dtype=float) for i in (1, 2, 3))
    days = [local_date(int(t), tz).isoformat() for t in ts]
    partial = [r[4] for r in rows]
    complete = [int(t) for t, p in zip(ts, partial, strict=True) if not p]
    valid = (np.isfinite(hi) & np.isfinite(lo) & np.isfinite(close) & (lo > 0)
             & _in_session(market, ts, days, symbol))
    prev, shares, factor = _day_context(conn, symbol, currency, tz, sorted(set(days)), funds,
                                        fx)
    peak = history.peak_before(conn, symbol, int(ts[0]), tz)
    return Path(symbol, ts, hi, lo, close, valid, days,
                np.array([prev[d] for d in days]), np.nan if peak is None else peak,
                np.array([shares[d] for d in days]), np.array([factor[d] for d in days]),
                max(complete) if complete else int(ts[0]) - 1)


def shares_and_ps_factor(currency: str, date: dt.date, funds: Fundamentals, fx: FxTable
                 ) -> tuple[float, float]:
    """Shares outstanding and the P/S factor on a day, point in time: only figures published
    by then (NaN where unknown)."""
    shares = np.nan
    try:
        shares = float(valuation.shares_on(funds.shares, date).shares)
        revenue = valuation.revenue_on(funds.revenue, date, "fy")
        if revenue is None:
            raise MissingDataError(f"no annual revenue published by {date.isoformat()}")
        rate = fx.quote(currency, revenue.amount.currency, date)
        return shares, valuation.price_to_sales(Money(1.0, currency), revenue, rate).value
    except MissingDataError:
        return shares, np.nan


def _in_session(market: MarketClock, ts: np.ndarray, days: list[str], symbol: str
                ) -> np.ndarray:
    """Bars inside continuous trading or the closing auction; never lunch or night."""
    if not symbol.endswith(".HK"):
        return np.ones(ts.size, dtype=bool)  # other exchanges: trust the feed
    ok = np.zeros(ts.size, dtype=bool)
    for day in set(days):
        session = market.session(dt.date.fromisoformat(day))
        if session is None:
            continue
        mask = np.array([d == day for d in days])
        within = (ts >= session.open.timestamp()) & (
            ts < (session.close + AFTER_CLOSE_DELAY).timestamp())
        if session.break_start and session.break_end:
            within &= ~((ts >= session.break_start.timestamp())
                        & (ts < session.break_end.timestamp()))
        ok |= mask & within
    return ok


def _day_context(conn: sqlite3.Connection, symbol: str, currency: str, tz: str,
                 days: list[str], funds: Fundamentals, fx: FxTable
                 ) -> tuple[DayValues, DayValues, DayValues]:
    """Previous close, shares outstanding and the P/S factor for each day (one indexed read a
    day: the history before it is never scanned)."""
    prev, shares, factor = {}, {}, {}
    for day in days:
        date = dt.date.fromisoformat(day)
        close = market_repo.close_before(conn, symbol, midnight(date, tz))
        prev[day] = np.nan if close is None else close
        shares[day], factor[day] = shares_and_ps_factor(currency, date, funds, fx)
    return prev, shares, factor
