"""Everything the charts of one symbol need, gathered from the database in one place.

Read on the GUI thread's connection (reads are cheap; WAL lets the poller write meanwhile).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from db import alert_repo, market_repo
from services.alerts.records import rule_from_row
from services.alerts.rules import RuleKind
from services.charts import series as chart_series
from services.charts.ranges import INTRADAY_RANGES, RECENT_MINUTES
from services.charts.series import ValuationSeries
from services.core import valuation
from services.core.clock import Clock, epoch
from services.core.models import Instrument, KeyFact, Lockup, Target, ValuationBand
from services.core.valuation import BandPrice, TargetCap, ValuationPoint
from services.market import history
from services.market.history import BarSeries
from services.reference import store as reference_store
from services.watchlists.service import WatchlistService
from services.watchlists.snapshots import DrawdownFacts

# Rules whose level is a price, drawn as lines on the price chart.
PRICE_LEVELS = frozenset({RuleKind.PRICE_ABOVE, RuleKind.PRICE_BELOW, RuleKind.PRICE_CROSS,
                          RuleKind.TARGET})


@dataclass(frozen=True)
class PriceChartData:
    instrument: Instrument
    range_key: str
    start: int  # where the range begins (epoch), even if the first bar comes later
    bars: BarSeries
    drawdown: np.ndarray
    targets: tuple[Target, ...]
    lockups: tuple[Lockup, ...]
    band_prices: tuple[BandPrice, ...]
    alert_levels: tuple[float, ...]
    today: dt.date
    drawdowns: DrawdownFacts | None = None  # since listing, for the drawdown pane's headline
    previous_close: float | None = None  # intraday: the official close before the last session

    @property
    def has_demo(self) -> bool:
        return bool(np.any(self.bars.of_source("demo")))


@dataclass(frozen=True)
class ValuationChartData:
    instrument: Instrument
    series: ValuationSeries
    bands: tuple[ValuationBand, ...]
    band_prices: tuple[BandPrice, ...]  # today, on the series' basis, caps in its currency
    target_caps: tuple[TargetCap, ...]  # in the series' currency
    opinions: tuple[KeyFact, ...]  # the commentator's reading of the bands, labelled opinion
    today: dt.date
    has_demo: bool

    @property
    def last(self) -> ValuationPoint | None:
        """The newest day with a valuation (a price, a share count and an FX rate)."""
        return next((p for p in reversed(self.series.points) if p is not None), None)


@dataclass(frozen=True)
class ComparisonLine:
    symbol: str
    name: str
    ts: np.ndarray
    index: np.ndarray  # rebased to 100
    drawdown: np.ndarray
    base: float
    has_demo: bool
    sources: tuple[str, ...] = ()  # where each close came from (yahoo, reference, ...)


@dataclass(frozen=True)
class Comparison:
    lines: tuple[ComparisonLine, ...]
    left_out: tuple[tuple[str, str], ...]  # (symbol, why it is not drawn)


class ChartService:
    def __init__(self, conn: sqlite3.Connection, clock: Clock, watchlists: WatchlistService):
        self._conn = conn
        self._clock = clock
        self._watchlists = watchlists

    def instrument(self, symbol: str) -> Instrument:
        return self._watchlists.instrument(symbol)

    def price_chart(self, symbol: str, range_key: str = "Max") -> PriceChartData:
        ins = self.instrument(symbol)
        sessions: list[dt.date] = []
        if range_key in INTRADAY_RANGES:  # only these count sessions
            recent = market_repo.recent_minute_days(self._conn, symbol, RECENT_MINUTES)
            sessions = chart_series.session_dates(recent, ins.timezone)
        interval, start = chart_series.range_window(range_key, self._clock.now(), ins.timezone,
                                                    ins.listing_date, sessions)
        bars = history.load_bars(self._conn, symbol, ins.currency, interval, start)
        prior = (history.peak_before(self._conn, symbol, int(bars.ts[0]), ins.timezone)
                 if len(bars) else None)
        detail = self._watchlists.detail(symbol)
        levels = tuple(rule.threshold() for rule, _ in map(rule_from_row, alert_repo.rules(
            self._conn, enabled_only=True, symbol=symbol)) if rule.kind in PRICE_LEVELS)
        # intraday: the close the watchlist's change is against (the newest session's)
        previous = detail.row.previous_close if interval == "1m" and len(bars) else None
        return PriceChartData(ins, range_key, start, bars, chart_series.drawdown(bars, prior),
                              detail.shown_targets, detail.lockups, detail.band_prices, levels,
                              detail.today, detail.row.drawdowns, previous)

    def valuation_series(self, symbol: str, currency: str, basis: str) -> ValuationSeries:
        """The daily valuation history of `symbol`, point in time (what the chart draws)."""
        ins = self.instrument(symbol)
        bars = history.load_bars(self._conn, symbol, ins.currency, "1d")
        funds = reference_store.fundamentals(self._conn, symbol)
        confidences = {p.date: p.provenance.confidence if p.provenance else ""
                       for p in reference_store.reference_points(self._conn, symbol)}
        return chart_series.valuation(bars, ins.timezone, funds.shares, funds.revenue,
                                      reference_store.fx_table(self._conn), currency, basis,
                                      confidences)

    def valuation_chart(self, symbol: str, currency: str, basis: str) -> ValuationChartData:
        ins = self.instrument(symbol)
        series = self.valuation_series(symbol, currency, basis)
        detail = self._watchlists.detail(symbol, basis, currency)
        funds = detail.fundamentals
        caps = valuation.target_caps(detail.shown_targets, funds.shares,
                                     reference_store.fx_table(self._conn), currency)
        has_demo = any(p is not None and p.price.source == "demo" for p in series.points)
        return ValuationChartData(
            ins, series, tuple(reference_store.valuation_bands(self._conn)), detail.band_prices,
            tuple(caps), tuple(f for f in detail.key_facts if f.opinion), detail.today, has_demo)

    def comparison(self, symbols: list[str], base_day: dt.date | None) -> list[ComparisonLine]:
        return list(self.compare(symbols, base_day).lines)

    def compare(self, symbols: list[str], base_day: dt.date | None) -> Comparison:
        """Each symbol's daily closes rebased to 100 at `base_day` (None: at its IPO price),
        and the symbols that cannot be drawn, with the reason."""
        lines, left_out = [], []
        for symbol in symbols:
            ins = self.instrument(symbol)
            bars = history.load_bars(self._conn, symbol, ins.currency, "1d")
            if base_day is None:
                base = ins.offer_price
                why = "no IPO price known"
            else:
                at = epoch(dt.datetime.combine(base_day, dt.time(0), ZoneInfo(ins.timezone)))
                base = chart_series.base_value(bars.ts, bars.close, at)
                why = f"no close on or after {base_day.isoformat()}"
            if not len(bars):
                left_out.append((symbol, "no daily prices stored yet"))
                continue
            if not base:
                left_out.append((symbol, why))
                continue
            keep = ~np.isnan(bars.close)
            if base_day is not None:
                keep &= bars.ts >= at
            names = {code: name for name, code in history.SOURCE_CODES.items()}
            lines.append(ComparisonLine(
                symbol, ins.name, bars.ts[keep], chart_series.rebased(bars.close[keep], base),
                chart_series.drawdown(bars)[keep], base, bool(np.any(bars.of_source("demo"))),
                tuple(names[int(code)] for code in bars.source[keep])))
        return Comparison(tuple(lines), tuple(left_out))
