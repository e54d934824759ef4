"""What the watchlist table and the detail pane show: one immutable snapshot per symbol.

Built from the database on whichever thread owns the connection; the UI only formats it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, replace

from db import market_repo, watchlist_repo
from services.core import analytics
from services.core.analytics import FxTable, MissingDataError
from services.core.clock import Clock, local_date, trading_day
from services.core.models import (
    Fundamentals,
    Instrument,
    Lockup,
    Money,
    Price,
    ReferencePoint,
    Target,
    ValuationBand,
)
from services.market import stats
from services.market.stats import SymbolStats
from services.reference import store as reference_store

# Sources whose consecutive daily closes make a meaningful day-on-day change. Reference points
# are sparse (weeks apart), so a "change" between two of them would mislead.
CONTINUOUS_SOURCES = frozenset({"yahoo", "import", "demo"})
LIVE_SOURCES = frozenset({"yahoo", "demo"})
# Yahoo's HK quotes run at least 15 minutes late; no new trade for this long in a session is stale.
STALE_AFTER_S = 25 * 60


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

    @property
    def symbol(self) -> str:
        return self.instrument.symbol


@dataclass(frozen=True)
class BandPrice:
    band: ValuationBand
    low: Money
    high: Money


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


class WatchlistService:
    """Reads snapshots for the GUI thread (or the CLI) from one connection."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock):
        self._conn = conn
        self._clock = clock

    def today(self, instrument: Instrument) -> dt.date:
        return trading_day(self._clock, instrument.timezone)

    def watchlist_names(self) -> list[str]:
        return [row["name"] for row in watchlist_repo.watchlists(self._conn)]

    def rows(self, watchlist: str = "Main", market_open: bool = False) -> list[WatchlistRow]:
        """One row a symbol. `market_open`: the exchange is trading now, so an old live price
        is flagged stale."""
        list_id = watchlist_repo.watchlist_id(self._conn, watchlist)
        if list_id is None:
            raise KeyError(f"no watchlist named {watchlist!r}")
        instruments = reference_store.instruments(self._conn)
        fx = FxTable(reference_store.fx_rates(self._conn))
        facts = _Facts.read(self._conn)
        figures = stats.load(self._conn)
        rows = [self._row(instruments[item["symbol"]], fx, facts, figures.get(item["symbol"]))
                for item in watchlist_repo.items(self._conn, list_id)]
        if not market_open:
            return rows
        now = self._clock.now().timestamp()
        return [
            replace(row, stale_minutes=int((now - row.last.ts) // 60))
            if row.last and row.last.source in LIVE_SOURCES and now - row.last.ts > STALE_AFTER_S
            else row
            for row in rows
        ]

    def detail(self, symbol: str) -> InstrumentDetail:
        instrument = reference_store.instruments(self._conn)[symbol]
        fx_rates = reference_store.fx_rates(self._conn)
        fx = FxTable(fx_rates)
        facts = _Facts.read(self._conn, symbol)
        row = self._row(instrument, fx, facts, stats.load_one(self._conn, symbol))
        funds = facts.fundamentals.get(symbol, Fundamentals((), ()))
        return InstrumentDetail(
            row=row,
            targets=tuple(facts.targets.get(symbol, ())),
            lockups=tuple(facts.lockups.get(symbol, ())),
            fundamentals=funds,
            reference_points=tuple(reference_store.reference_points(self._conn, symbol)),
            band_prices=tuple(self._band_prices(instrument, funds, fx)),
            fx_notes=tuple(
                f"1 {r.base} = {r.rate:g} {r.quote} as of {r.as_of.isoformat()} "
                f"({r.provenance.confidence if r.provenance else ''}): {r.note}"
                for r in fx_rates
            ),
            today=self.today(instrument),
        )

    def last_price(self, instrument: Instrument) -> tuple[Price | None, float | None]:
        """The newest price (live quote or stored bar) and the change since the previous close."""
        symbol = instrument.symbol
        bars = market_repo.last_daily_bars(self._conn, symbol, 2)
        quote = market_repo.latest_quote(self._conn, symbol)
        if quote is not None and (not bars or quote["ts"] >= bars[0]["ts"]):
            price = Price(quote["price"], quote["currency"], quote["ts"], quote["source"])
            prev = quote["previous_close"]
            return price, (price.amount / prev - 1.0) if prev else None
        if not bars:
            return None, None
        newest = bars[0]
        confidence = ""
        if newest["source"] == "reference":
            confidence = self._reference_confidence(symbol, newest["ts"], instrument.timezone)
        price = Price(newest["close"], instrument.currency, newest["ts"], newest["source"],
                      confidence, daily=True)
        change = None
        if len(bars) == 2 and {bars[0]["source"], bars[1]["source"]} <= CONTINUOUS_SOURCES:
            change = newest["close"] / bars[1]["close"] - 1.0
        return price, change

    def _reference_confidence(self, symbol: str, ts: int, tz: str) -> str:
        row = self._conn.execute(
            "SELECT confidence FROM reference_points WHERE symbol = ? AND date = ?",
            [symbol, local_date(ts, tz).isoformat()],
        ).fetchone()
        return row[0] if row else ""

    def _row(self, instrument: Instrument, fx: FxTable, facts: _Facts,
             figures: SymbolStats | None) -> WatchlistRow:
        """Reads only this symbol's newest bars and quote: its history is in `figures`."""
        symbol = instrument.symbol
        last, change = self.last_price(instrument)
        peak = None
        if figures is not None and figures.figures.peak_ts is not None:
            peak = Price(figures.figures.peak, instrument.currency, figures.figures.peak_ts, "",
                         daily=True)
        target = analytics.latest_target(facts.targets.get(symbol, ()))
        lockups = facts.lockups.get(symbol, ())
        today = self.today(instrument)
        lock = analytics.next_lockup(lockups, today)

        drawdown = upside = ps = None
        cap = None
        ps_basis = ""
        if last is not None:
            if peak is not None:
                drawdown = analytics.drawdown(last.amount, max(peak.amount, last.amount))
            if target is not None:
                upside = analytics.upside(last.money, target.price)
            on = local_date(last.ts, instrument.timezone)
            funds = facts.fundamentals.get(symbol, Fundamentals((), ()))
            try:
                cap = analytics.market_cap(last.money, funds.shares, on)
                revenue = analytics.latest_revenue(funds.revenue, "annual", on)
                ps_basis = revenue.period
                ps = analytics.price_to_sales(cap, revenue, fx, on)
            except MissingDataError as missing:
                ps_basis = str(missing)
        return WatchlistRow(
            instrument=instrument, last=last, change=change, peak=peak, drawdown=drawdown,
            drawdowns=_drawdown_facts(instrument, last, drawdown, figures),
            latest_target=target, upside=upside, market_cap=cap, price_to_sales=ps,
            ps_basis=ps_basis, next_lockup=lock,
            lockup_days=None if lock is None else analytics.days_until(lock.first_free_day, today),
        )

    def _band_prices(
        self, instrument: Instrument, funds: Fundamentals, fx: FxTable
    ) -> list[BandPrice]:
        """Price each valuation band implies today on the latest annual revenue."""
        today = self.today(instrument)
        try:
            revenue = analytics.latest_revenue(funds.revenue, "annual", today)
            result = []
            for band in reference_store.valuation_bands(self._conn):
                low, high = (
                    analytics.implied_price(ps, revenue, funds.shares, fx, instrument.currency,
                                            today)
                    for ps in (band.ps_low, band.ps_high)
                )
                result.append(BandPrice(band, low, high))
            return result
        except MissingDataError:
            return []


@dataclass(frozen=True)
class _Facts:
    """Reference facts by symbol, read once for a whole refresh (not once per symbol)."""

    targets: dict[str, list[Target]]
    lockups: dict[str, list[Lockup]]
    fundamentals: dict[str, Fundamentals]

    @classmethod
    def read(cls, conn: sqlite3.Connection, symbol: str | None = None) -> _Facts:
        return cls(reference_store.group(reference_store.targets(conn, symbol)),
                   reference_store.group(reference_store.lockups(conn, symbol)),
                   reference_store.all_fundamentals(conn, symbol))


def _drawdown_facts(instrument: Instrument, last: Price | None, drawdown: float | None,
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
