"""What the watchlist table and the detail pane show: immutable snapshots, one per symbol,
and the figures a row derives from the stored history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.core import analytics
from services.core import formatting as fmt
from services.core.clock import local_date
from services.core.models import (
    Fundamentals,
    Instrument,
    KeyFact,
    Lockup,
    Money,
    Price,
    ReferencePoint,
    Target,
)
from services.core.valuation import BandPrice, Estimate
from services.market.stats import SymbolStats
from services.reference.yahoo_facts import YahooSnapshot


@dataclass(frozen=True)
class DrawdownFacts:
    """The drawdown figures a trader reads off an underwater chart, since listing."""

    deepest: float  # maximum drawdown, e.g. -0.85
    peak: dt.date
    trough: dt.date
    from_52w_high: float | None
    to_recover: float | None  # gain needed to get back to the peak


@dataclass(frozen=True)
class WatchlistRow:
    instrument: Instrument
    last: Price | None
    change: float | None  # fraction since the previous close
    peak: Price | None
    drawdown: float | None
    latest_target: Target | None
    upside: float | None
    market_cap: Money | None
    price_to_sales: float | None
    ps_basis: str  # e.g. "FY2025", or why there is no figure
    next_lockup: Lockup | None
    lockup_days: int | None
    stale_minutes: int | None = None  # set when the market trades but the price stopped moving
    drawdowns: DrawdownFacts | None = None
    ps: Estimate | None = None  # price_to_sales with its range or bound
    yahoo: YahooSnapshot | None = None  # Yahoo's fundamentals (None: never asked)
    previous_close: float | None = None  # what `change` is against
    note: str = ""  # the trader's note on this symbol in the list shown

    @property
    def price_caveat(self) -> str:
        """What the figures computed from the last price must admit ('' for a live quote)."""
        return fmt.price_caveat(self.last, self.stale_minutes, self.instrument.timezone)

    @property
    def symbol(self) -> str:
        return self.instrument.symbol


KeptRow = tuple[tuple[object, ...], WatchlistRow]  # (price version, facts version, day), row


@dataclass(frozen=True)
class PreparedRows:
    """Rows built on another thread, by symbol, each with what it was built from; and what
    the whole set was built from: the sum of every price row's change counter (counters only
    grow, so an equal sum later means no price row changed since), the reference facts'
    version and the trading day in each time zone."""

    rows: dict[str, KeptRow]
    stamp: int
    facts_version: int | None
    days: dict[str, dt.date]


@dataclass(frozen=True)
class InstrumentDetail:
    row: WatchlistRow
    targets: tuple[Target, ...]
    lockups: tuple[Lockup, ...]
    fundamentals: Fundamentals
    reference_points: tuple[ReferencePoint, ...]
    band_prices: tuple[BandPrice, ...]
    fx_notes: tuple[str, ...]
    today: dt.date  # in the instrument's exchange time zone
    key_facts: tuple[KeyFact, ...] = ()
    basis: str = "fy"  # the revenue basis of band_prices
    yahoo_fundamentals: Fundamentals | None = None  # Yahoo's, used or not

    @property
    def shown_targets(self) -> tuple[Target, ...]:
        """The recorded targets; Yahoo's consensus when none is recorded."""
        latest = self.row.latest_target
        return self.targets or ((latest,) if latest else ())


def drawdown_facts(instrument: Instrument, last: Price | None, drawdown: float | None,
                   figures: SymbolStats | None) -> DrawdownFacts | None:
    """Max drawdown with its dates, the fall from the 52-week high and the gain to recover:
    the stored figures over the daily bars, with the live price added when it is newer."""
    if last is None or drawdown is None or figures is None:
        return None
    worst = figures.figures
    high_52w = figures.high_52w
    if last.ts > figures.last_ts:
        worst = worst.add(last.ts, None, last.amount)
        high_52w = max(high_52w or last.amount, last.amount)
    if worst.depth_peak_ts is None or worst.depth_trough_ts is None or high_52w is None:
        return None
    tz = instrument.timezone
    return DrawdownFacts(
        worst.depth, local_date(worst.depth_peak_ts, tz), local_date(worst.depth_trough_ts, tz),
        analytics.drawdown(last.amount, max(high_52w, last.amount)),
        analytics.gain_to_recover(drawdown))
