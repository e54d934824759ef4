"""Currency conversion with dated rates, each answer carrying its rate's date and source.

Observed rates (the feed's daily closes, or a dated rate someone typed in) always win. A
placeholder (confidence 'approximate', with a stated range) is used only for a day on or before
which no observed rate exists — before the first FX fetch — and says so: its range travels with
it, so a figure built on it can be shown as a range. A pair missing in both directions is crossed
through the Hong Kong dollar.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from services.core.analytics import MissingDataError
from services.core.models import FxRate, Money

HUB = "HKD"  # every fetched pair is quoted against it
PLACEHOLDER = "approximate"


@dataclass(frozen=True)
class FxQuote:
    """1 `base` = `rate` `quote` on `as_of`; `low`-`high` is the range when the rate is a
    placeholder (equal to `rate` for an observed one)."""

    base: str
    quote: str
    rate: float
    low: float
    high: float
    as_of: dt.date | None  # None: no conversion (same currency)
    source: str
    placeholder: bool = False

    @classmethod
    def identity(cls, currency: str) -> FxQuote:
        return cls(currency, currency, 1.0, 1.0, 1.0, None, "same currency")

    @classmethod
    def of(cls, fact: FxRate) -> FxQuote:
        placeholder = bool(fact.provenance and fact.provenance.confidence == PLACEHOLDER)
        low = fact.low if placeholder and fact.low else fact.rate
        high = fact.high if placeholder and fact.high else fact.rate
        source = fact.provenance.source if fact.provenance else "stored rate"
        return cls(fact.base, fact.quote, fact.rate, low, high, fact.as_of, source, placeholder)

    @property
    def is_identity(self) -> bool:
        return self.as_of is None

    def inverse(self) -> FxQuote:
        return FxQuote(self.quote, self.base, 1.0 / self.rate, 1.0 / self.high, 1.0 / self.low,
                       self.as_of, self.source, self.placeholder)

    def then(self, other: FxQuote) -> FxQuote:
        """base -> self.quote -> other.quote: rates multiply, the older date counts."""
        dates = [d for d in (self.as_of, other.as_of) if d is not None]
        return FxQuote(self.base, other.quote, self.rate * other.rate, self.low * other.low,
                       self.high * other.high, min(dates) if dates else None,
                       f"{self.source}; {other.source}", self.placeholder or other.placeholder)

    def describe(self) -> str:
        """'1 USD = 7.8123 HKD on 2026-11-20 (Yahoo USDHKD=X)', or the placeholder's range."""
        if self.is_identity:
            return f"no conversion ({self.base})"
        text = f"1 {self.base} = {self.rate:.4f} {self.quote}"
        if self.placeholder:
            text += (f" — placeholder, not an observed rate (range {self.low:.4f}–"
                     f"{self.high:.4f})")
        return f"{text} on {self.as_of.isoformat() if self.as_of else '?'} ({self.source})"


@dataclass(frozen=True)
class DailyRates:
    """One pair's daily rates from the feed, oldest first (a quote is made only when asked)."""

    base: str
    quote: str
    source: str
    days: tuple[dt.date, ...]
    rates: tuple[float, ...]


class _Pair:
    """Rates of one direction of one pair, sorted by date, for bisection."""

    def __init__(self) -> None:
        self.days: list[dt.date] = []
        self.quotes: list[FxQuote | None] = []
        self.series: DailyRates | None = None

    def add(self, quote: FxQuote) -> None:
        assert quote.as_of is not None
        at = bisect.bisect_right(self.days, quote.as_of)
        self.days.insert(at, quote.as_of)
        self.quotes.insert(at, quote)

    def on(self, day: dt.date) -> FxQuote | None:
        at = bisect.bisect_right(self.days, day)
        if not at:
            return None
        found = self.quotes[at - 1]
        if found is None and self.series is not None:  # a daily rate, made into a quote now
            s, rate = self.series, self.series.rates[at - 1]
            found = FxQuote(s.base, s.quote, rate, rate, rate, s.days[at - 1], s.source)
        return found


class FxTable:
    """Dated rates; converts with the latest rate dated on or before the day asked for.

    `rates`: stored FX facts (placeholders and dated rates someone typed in); `daily`: the
    feed's daily rates, thousands of them, kept as plain sequences."""

    def __init__(self, rates: Sequence[FxRate], daily: Sequence[DailyRates] = ()):
        self._observed: dict[tuple[str, str], _Pair] = {}
        self._placeholders: dict[tuple[str, str], _Pair] = {}
        for series in daily:
            pair = self._observed.setdefault((series.base, series.quote), _Pair())
            pair.days, pair.quotes, pair.series = list(series.days), [None] * len(series.days), \
                series
        for fact in sorted(rates, key=lambda r: r.as_of):
            quote = FxQuote.of(fact)
            book = self._placeholders if quote.placeholder else self._observed
            pair = book.setdefault((fact.base, fact.quote), _Pair())
            if pair.series is not None:  # a typed rate among the feed's: make them all quotes
                pair.quotes = [pair.on(day) for day in pair.days]
                pair.series = None
            pair.add(quote)

    def quote(self, base: str, quote: str, day: dt.date) -> FxQuote:
        if base == quote:
            return FxQuote.identity(base)
        direct = self._lookup(base, quote, day)
        if direct is not None:
            return direct
        if HUB not in (base, quote):
            first, second = self._lookup(base, HUB, day), self._lookup(HUB, quote, day)
            if first is not None and second is not None:
                return first.then(second)
        raise MissingDataError(f"no {base}/{quote} rate on or before {day.isoformat()}")

    def _lookup(self, base: str, quote: str, day: dt.date) -> FxQuote | None:
        for book in (self._observed, self._placeholders):
            found = []
            if (base, quote) in book:
                found.append(book[(base, quote)].on(day))
            if (quote, base) in book:
                back = book[(quote, base)].on(day)
                found.append(back.inverse() if back is not None else None)
            dated = [q for q in found if q is not None]
            if dated:
                return max(dated, key=lambda q: q.as_of or dt.date.min)
        return None

    def rate(self, base: str, quote: str, day: dt.date) -> float:
        return self.quote(base, quote, day).rate

    def convert(self, money: Money, currency: str, day: dt.date) -> Money:
        return Money(money.amount * self.rate(money.currency, currency, day), currency)
