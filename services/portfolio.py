"""Holdings from transactions, with the average-cost method.

Average cost: a buy adds its quantity and its cost (quantity x price + fees); a sell removes
quantity at the current average cost per share, and its realised P&L is the proceeds (quantity x
price - fees) minus that cost. Amounts stay in the instrument's currency; totals convert to the
chosen base currency with the stored FX rate of the valuation day.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from db import portfolio_repo
from services import reference_store
from services.analytics import FxTable, MissingDataError
from services.clock import Clock, daily_bar_ts, local_date
from services.models import Money, Price
from services.watchlist_service import WatchlistService

QTY_EPS = 1e-9


@dataclass(frozen=True)
class Transaction:
    symbol: str
    trade_date: dt.date
    side: str  # 'buy' or 'sell'
    quantity: float
    price: float
    fees: float
    currency: str
    note: str = ""
    id: int | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Transaction:
        return cls(row["symbol"], dt.date.fromisoformat(row["trade_date"]), row["side"],
                   row["quantity"], row["price"], row["fees"], row["currency"], row["note"],
                   row["id"])


@dataclass(frozen=True)
class Position:
    symbol: str
    currency: str
    quantity: float
    cost: float  # of the shares still held, fees included
    realised: float
    fees: float
    last: Price | None = None
    base_value: Money | None = None  # market value in the base currency
    weight: float | None = None  # share of the portfolio's market value

    @property
    def average_cost(self) -> float | None:
        return self.cost / self.quantity if self.quantity > QTY_EPS else None

    @property
    def market_value(self) -> Money | None:
        return None if self.last is None else Money(self.quantity * self.last.amount,
                                                    self.currency)

    @property
    def unrealised(self) -> Money | None:
        value = self.market_value
        return None if value is None else Money(value.amount - self.cost, self.currency)


@dataclass(frozen=True)
class PortfolioTotals:
    base: str
    market_value: Money | None  # None when a held position has no price or FX rate
    cost: Money | None
    unrealised: Money | None
    realised: Money | None
    missing: tuple[str, ...]  # what could not be converted or priced, in words


class OversoldError(ValueError):
    """A sell of more than is held at that point."""


def positions(transactions: Sequence[Transaction]) -> dict[str, Position]:
    """Average-cost positions per symbol, in trade-date order (ties keep input order)."""
    held: dict[str, list[float]] = {}  # symbol -> [quantity, cost, realised, fees]
    currency: dict[str, str] = {}
    for t in sorted(transactions, key=lambda t: t.trade_date):
        book = held.setdefault(t.symbol, [0.0, 0.0, 0.0, 0.0])
        currency.setdefault(t.symbol, t.currency)
        book[3] += t.fees
        if t.side == "buy":
            book[0] += t.quantity
            book[1] += t.quantity * t.price + t.fees
            continue
        if t.quantity > book[0] + QTY_EPS:
            raise OversoldError(f"{t.trade_date.isoformat()}: selling {t.quantity:g} {t.symbol} "
                                f"but only {book[0]:g} are held then.")
        average = book[1] / book[0]
        book[2] += t.quantity * t.price - t.fees - average * t.quantity
        book[0] -= t.quantity
        book[1] = 0.0 if book[0] <= QTY_EPS else book[1] - average * t.quantity
    return {s: Position(s, currency[s], q if q > QTY_EPS else 0.0, c, r, f)
            for s, (q, c, r, f) in held.items()}


def value(held: dict[str, Position], prices: dict[str, Price], fx: FxTable, base: str,
          day: dt.date) -> tuple[list[Position], PortfolioTotals]:
    """Price each position, convert to the base currency, and weigh them."""
    priced, missing = [], []
    total = cost = realised = 0.0
    for p in held.values():
        p = replace(p, last=prices.get(p.symbol))
        try:
            rate = fx.rate(p.currency, base, day)
        except MissingDataError:
            missing.append(f"no {p.currency}/{base} rate")
            priced.append(p)
            continue
        realised += p.realised * rate
        cost += p.cost * rate
        if p.last is not None:
            p = replace(p, base_value=Money(p.quantity * p.last.amount * rate, base))
            total += p.base_value.amount  # type: ignore[union-attr]
        elif p.quantity:
            missing.append(f"no price for {p.symbol}")
        priced.append(p)
    no_rate = any("rate" in m for m in missing)
    value_known = not missing
    weighed = [replace(p, weight=p.base_value.amount / total)
               if value_known and total and p.base_value is not None else p for p in priced]
    return weighed, PortfolioTotals(
        base, Money(total, base) if value_known else None,
        Money(cost, base) if value_known else None,
        Money(total - cost, base) if value_known else None,
        None if no_rate else Money(realised, base), tuple(dict.fromkeys(missing)))


class PortfolioService:
    """Holdings and their history from the database (Qt-free)."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock):
        self._conn = conn
        self._clock = clock

    def transactions(self) -> list[Transaction]:
        return [Transaction.from_row(r) for r in portfolio_repo.transactions(self._conn)]

    def snapshot(self, base: str) -> tuple[list[Position], PortfolioTotals]:
        held = positions(self.transactions())
        instruments = reference_store.instruments(self._conn)
        quotes = WatchlistService(self._conn, self._clock)
        prices = {symbol: price for symbol in held if symbol in instruments
                  for price in [quotes.last_price(instruments[symbol])[0]] if price is not None}
        fx = FxTable(reference_store.fx_rates(self._conn))
        return value(held, prices, fx, base, self._clock.now().date())

    def history(self, base: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(daily UTC epoch, portfolio value in base, drawdown from its running peak) on every
        day with a stored daily close of a held symbol; NaN where a held symbol has no price
        yet or an FX rate is missing."""
        txs = self.transactions()
        if not txs:
            empty = np.empty(0)
            return empty.astype(np.int64), empty, empty
        instruments = reference_store.instruments(self._conn)
        fx = FxTable(reference_store.fx_rates(self._conn))
        symbols = sorted({t.symbol for t in txs})
        closes: dict[str, dict[dt.date, float]] = {}
        days: set[dt.date] = set()
        for symbol in symbols:
            tz = instruments[symbol].timezone
            rows = self._conn.execute(
                "SELECT ts, close FROM bars WHERE symbol = ? AND interval = '1d' AND close > 0 "
                "AND source IN ('yahoo', 'import', 'demo') AND ts >= ? ORDER BY ts",
                [symbol, daily_bar_ts(min(t.trade_date for t in txs), tz)]).fetchall()
            closes[symbol] = {local_date(r[0], tz): r[1] for r in rows}
            days.update(closes[symbol])
        ordered = sorted(days)
        ts = np.array([daily_bar_ts(d) for d in ordered], dtype=np.int64)
        values = np.full(len(ordered), np.nan)
        quantity = dict.fromkeys(symbols, 0.0)
        last = dict.fromkeys(symbols, np.nan)
        pending = sorted(txs, key=lambda t: t.trade_date)
        k = 0
        for i, day in enumerate(ordered):
            while k < len(pending) and pending[k].trade_date <= day:
                t = pending[k]
                quantity[t.symbol] += t.quantity if t.side == "buy" else -t.quantity
                k += 1
            total = 0.0
            for symbol in symbols:
                last[symbol] = closes[symbol].get(day, last[symbol])
                if quantity[symbol] > QTY_EPS:
                    try:
                        rate = fx.rate(instruments[symbol].currency, base, day)
                    except MissingDataError:
                        rate = np.nan
                    total += quantity[symbol] * last[symbol] * rate
            values[i] = total
        with np.errstate(invalid="ignore", divide="ignore"):
            peaks = np.fmax.accumulate(values)
            drawdown = values / peaks - 1.0
        return ts, values, drawdown
