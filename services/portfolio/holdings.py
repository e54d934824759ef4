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
from typing import TYPE_CHECKING

from db import portfolio_repo
from db.connection import transaction
from services.core.analytics import MissingDataError
from services.core.clock import Clock, daily_bar_ts, epoch, local_date, trading_day
from services.core.formatting import price_caveat
from services.core.fx import FxTable
from services.core.models import Instrument, Money, Price
from services.core.parsing import note_problem
from services.core.tickers import is_hkex
from services.reference import store as reference_store
from services.watchlists.service import WatchlistService

if TYPE_CHECKING:  # history() imports numpy when called: the window starts without it
    import numpy as np

QTY_EPS = 1e-9
MAX_QUANTITY = 1e12
MAX_PRICE = 1e7


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
    caveats: tuple[str, ...] = ()  # prices that are not live quotes, placeholder FX rates


class OversoldError(ValueError):
    """A sell of more than is held at that point."""

    def __init__(self, message: str, sell: Transaction):
        super().__init__(message)
        self.sell = sell


@dataclass(frozen=True)
class LedgerProblem:
    """A sell of more shares than the ledger holds on its day."""

    transaction: Transaction
    reason: str
    short: float  # shares sold beyond what was held


def ledger_problems(transactions: Sequence[Transaction]) -> list[LedgerProblem]:
    """Every sell of more than is held then, in trade-date order (ties keep input order). An
    offending sell is set aside and the rest judged without it, so one bad row does not make
    every later sell look bad too."""
    held: dict[str, float] = {}
    found = []
    for t in sorted(transactions, key=lambda t: t.trade_date):
        have = held.get(t.symbol, 0.0)
        if t.side == "buy":
            held[t.symbol] = have + t.quantity
        elif t.quantity > have + QTY_EPS:
            found.append(LedgerProblem(t, f"{t.trade_date.isoformat()}: selling {t.quantity:g} "
                                          f"{t.symbol} but only {have:g} are held then",
                                       t.quantity - have))
        else:
            held[t.symbol] = have - t.quantity
    return found


def new_problems(before: Sequence[Transaction],
                 after: Sequence[Transaction]) -> list[LedgerProblem]:
    """Problems of `after` that `before` did not have, or had smaller (the same transaction
    objects in both): a change may leave an inconsistent ledger as inconsistent as it was,
    never worse."""
    known = {id(p.transaction): p.short for p in ledger_problems(before)}
    return [p for p in ledger_problems(after)
            if p.short > known.get(id(p.transaction), 0.0) + QTY_EPS]


def check_transaction(t: Transaction, instrument: Instrument | None,
                      today: dt.date) -> Transaction:
    """The transaction with its currency filled in, or ValueError saying what is wrong (the
    same rules for a typed entry and an imported row)."""
    if instrument is None:
        raise ValueError(f"{t.symbol} is not on any watchlist; add it first")
    if t.trade_date > today:
        raise ValueError(f"the date {t.trade_date.isoformat()} is in the future")
    if t.trade_date.year < 1980:
        raise ValueError(f"the date {t.trade_date.isoformat()} is too early")
    if t.side not in ("buy", "sell"):
        raise ValueError(f"side {t.side!r} is neither buy nor sell")
    if not 0 < t.quantity <= MAX_QUANTITY:
        raise ValueError(f"quantity {t.quantity:g} must be above zero and sensible")
    if not 0 < t.price <= MAX_PRICE:
        raise ValueError(f"price {t.price:g} must be above zero and below {MAX_PRICE:g}")
    if not 0 <= t.fees <= t.quantity * t.price + 1e6:
        raise ValueError(f"fees {t.fees:g} must be zero or more and below the trade's value")
    currency = (t.currency or instrument.currency).upper()
    if not currency:
        raise ValueError(f"the currency of {t.symbol} is not known yet: give the row a "
                         "currency")
    if instrument.currency and currency != instrument.currency:
        raise ValueError(f"{t.symbol} trades in {instrument.currency}, the row says {currency}")
    problem = note_problem(t.note)
    if problem:
        raise ValueError(problem)
    return replace(t, currency=currency)


def _refuse(problems: list[LedgerProblem]) -> None:
    if problems:
        raise OversoldError(problems[0].reason + ".", problems[0].transaction)


def board_lot_problem(t: Transaction, instrument: Instrument | None) -> str | None:
    """HKEX trades in board lots; a quantity that is not a multiple is probably a typo."""
    lot = instrument.board_lot if instrument is not None else None
    if lot and is_hkex(t.symbol) and t.quantity % lot:
        return f"{t.quantity:g} {t.symbol} is not a multiple of the board lot ({lot})"
    return None


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
                                f"but only {book[0]:g} are held then.", t)
        average = book[1] / book[0]
        book[2] += t.quantity * t.price - t.fees - average * t.quantity
        book[0] -= t.quantity
        book[1] = 0.0 if book[0] <= QTY_EPS else book[1] - average * t.quantity
    return {s: Position(s, currency[s], q if q > QTY_EPS else 0.0, c, r, f)
            for s, (q, c, r, f) in held.items()}


def value(held: dict[str, Position], prices: dict[str, Price], fx: FxTable, base: str,
          day: dt.date) -> tuple[list[Position], PortfolioTotals]:
    """Price each position, convert to the base currency, and weigh them."""
    priced, missing, caveats = [], [], []
    total = cost = realised = 0.0
    for p in held.values():
        p = replace(p, last=prices.get(p.symbol))
        try:
            quote = fx.quote(p.currency, base, day)
        except MissingDataError:
            missing.append(f"no {p.currency}/{base} rate")
            priced.append(p)
            continue
        rate = quote.rate
        if quote.placeholder:
            caveats.append(f"{p.currency}/{base} converted at a placeholder rate "
                           f"({quote.low:.4f}–{quote.high:.4f}), not an observed one")
        caveat = price_caveat(p.last) if p.quantity > QTY_EPS else ""
        if caveat:
            caveats.append(f"{p.symbol} valued at the {caveat}")
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
        None if no_rate else Money(realised, base), tuple(dict.fromkeys(missing)),
        tuple(dict.fromkeys(caveats)))


class PortfolioService:
    """Holdings and their history from the database (Qt-free)."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock):
        self._conn = conn
        self._clock = clock

    def transactions(self) -> list[Transaction]:
        return [Transaction.from_row(r) for r in portfolio_repo.transactions(self._conn)]

    def base_currencies(self) -> list[str]:
        """Currencies a total can be shown in: HKD first, then those with a stored rate."""
        found = {c for r in reference_store.fx_rates(self._conn) for c in (r.base, r.quote)}
        found |= {t.currency for t in self.transactions()}
        return ["HKD", *sorted(found - {"HKD"})]

    def today(self) -> dt.date:
        """Today in Hong Kong, which is ahead of most traders: no trade date lies after it."""
        return trading_day(self._clock)

    def instruments(self) -> dict[str, Instrument]:
        """Every known symbol's instrument (currency, board lot), read once by a caller that
        checks many transactions or keystrokes."""
        return reference_store.instruments(self._conn)

    def record(self, t: Transaction) -> Transaction:
        """Check and store one typed transaction; ValueError (OversoldError for a sell of more
        than is held on that day) leaves the ledger as it was. The oversell check runs inside
        the write transaction, so another writer cannot sell the same shares meanwhile."""
        t = check_transaction(t, self.instruments().get(t.symbol), self.today())
        with transaction(self._conn):
            stored = self.transactions()
            _refuse(new_problems(stored, [*stored, t]))
            new_id = portfolio_repo.insert_one(self._conn, t.symbol, t.trade_date.isoformat(),
                                               t.side, t.quantity, t.price, t.fees, t.currency,
                                               t.note, epoch(self._clock.now()))
        return replace(t, id=new_id)

    def delete(self, transaction_id: int) -> Transaction:
        """Refused (OversoldError) when a later sell would then sell more than was held;
        ValueError when there is no such transaction. Deleting a sell that the ledger cannot
        hold is always allowed: that is how an inconsistent ledger is mended."""
        with transaction(self._conn):
            stored = self.transactions()
            gone = next((t for t in stored if t.id == transaction_id), None)
            if gone is None:
                raise ValueError(f"There is no transaction {transaction_id}.")
            _refuse(new_problems(stored, [t for t in stored if t.id != transaction_id]))
            portfolio_repo.delete(self._conn, transaction_id)
        return gone

    def problems(self) -> list[LedgerProblem]:
        """The sells the stored ledger cannot hold (none unless it was edited outside the app
        or by an older version)."""
        return ledger_problems(self.transactions())

    def lot_checks(self) -> list[tuple[Transaction, str | None]]:
        """Every transaction with its board-lot problem, if any."""
        instruments = self.instruments()
        return [(t, board_lot_problem(t, instruments.get(t.symbol))) for t in self.transactions()]

    def board_lot_warnings(self) -> list[str]:
        return [f"{t.trade_date.isoformat()} {t.side}: {problem}"
                for t, problem in self.lot_checks() if problem]

    def snapshot(self, base: str) -> tuple[list[Position], PortfolioTotals]:
        held = positions(self.transactions())
        instruments = reference_store.instruments(self._conn)
        quotes = WatchlistService(self._conn, self._clock)
        prices = {symbol: price for symbol in held if symbol in instruments
                  for price in [quotes.last_price(instruments[symbol])[0]] if price is not None}
        return value(held, prices, reference_store.fx_table(self._conn), base, self.today())

    def history(self, base: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(daily UTC epoch, portfolio value in base, drawdown) on every day with a stored daily
        close of a held symbol. The value is NaN where a held symbol has no price yet or an FX
        rate is missing. The drawdown is that of the time-weighted return (`growth`), so money
        put in or taken out is neither a gain nor a loss."""
        import numpy as np

        txs = self.transactions()
        if not txs:
            empty = np.empty(0)
            return empty.astype(np.int64), empty, empty
        instruments = reference_store.instruments(self._conn)
        fx = reference_store.fx_table(self._conn)
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
        flows = np.zeros(len(ordered))
        quantity = dict.fromkeys(symbols, 0.0)
        last = dict.fromkeys(symbols, np.nan)
        pending = sorted(txs, key=lambda t: t.trade_date)
        k = 0

        def rate(currency: str, day: dt.date) -> float:
            try:
                return fx.rate(currency, base, day)
            except MissingDataError:
                return np.nan

        for i, day in enumerate(ordered):
            while k < len(pending) and pending[k].trade_date <= day:
                t = pending[k]
                buy = t.side == "buy"
                quantity[t.symbol] += t.quantity if buy else -t.quantity
                cash = t.quantity * t.price + (t.fees if buy else -t.fees)
                flows[i] += (cash if buy else -cash) * rate(t.currency, day)
                k += 1
            total = 0.0
            for symbol in symbols:
                last[symbol] = closes[symbol].get(day, last[symbol])
                if quantity[symbol] > QTY_EPS:
                    total += (quantity[symbol] * last[symbol]
                              * rate(instruments[symbol].currency, day))
            values[i] = total
        index = growth(values, flows)
        with np.errstate(invalid="ignore", divide="ignore"):
            drawdown = index / np.fmax.accumulate(index) - 1.0
        return ts, values, drawdown


def growth(values: np.ndarray, flows: np.ndarray) -> np.ndarray:
    """What one unit invested became, day by day, with buys and sells taken out: the
    time-weighted return. A buy counts as made at the start of its day (its cost earns that
    day's move), a sell at the end (its proceeds leave after it). NaN on days without a value;
    the return across such a gap is unknown and left out rather than guessed."""
    import numpy as np

    index = np.full(len(values), np.nan)
    level, previous = 1.0, 0.0  # nothing held before the first day
    for i, (value, flow) in enumerate(zip(values, flows, strict=True)):
        if not (np.isfinite(value) and np.isfinite(flow)):
            previous = np.nan
            continue
        if flow >= 0 and previous + flow > 0:
            level *= value / (previous + flow)
        elif flow < 0 and previous > 0:
            level *= (value - flow) / previous
        index[i] = level
        previous = value
    return index
