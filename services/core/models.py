"""Domain values. Frozen, so a value handed to another thread cannot change under it.

Every amount carries its currency; every price carries its time and where it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str


@dataclass(frozen=True)
class Provenance:
    """Where a fact comes from and how sure it is (filing, press, digest, derived, ...)."""

    source: str
    confidence: str
    origin: str = "bundled"
    user_edited: bool = False


@dataclass(frozen=True)
class Price:
    """A traded or reported price. `source` is yahoo, import, reference or demo."""

    amount: float
    currency: str
    ts: int  # UTC epoch seconds
    source: str
    confidence: str = ""
    daily: bool = False  # a daily close: its time of day is a convention, show the date only

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


@dataclass(frozen=True)
class Instrument:
    symbol: str
    name: str
    currency: str
    timezone: str
    exchange: str = ""
    legal_name: str = ""
    local_name: str = ""
    reporting_currency: str = ""
    listing_date: dt.date | None = None
    offer_price: float | None = None
    board_lot: int | None = None
    notes: str = ""
    provenance: Provenance | None = None


@dataclass(frozen=True)
class Target:
    symbol: str
    broker: str
    date: dt.date
    price: Money
    rating: str = ""
    date_approximate: bool = False
    note: str = ""
    provenance: Provenance | None = None


@dataclass(frozen=True)
class Lockup:
    symbol: str
    holders: str
    first_free_day: dt.date  # the first day the locked shares may be sold
    locked_through: dt.date | None = None
    date_exact: bool = True
    shares: int | None = None
    term_months: int | None = None
    note: str = ""
    provenance: Provenance | None = None


@dataclass(frozen=True)
class SharesCount:
    symbol: str
    as_of: dt.date
    shares: int
    note: str = ""
    provenance: Provenance | None = None


@dataclass(frozen=True)
class Revenue:
    symbol: str
    period: str  # "FY2025", "H1 2025", "ARR Mar 2026"
    kind: str  # annual | interim | arr
    period_end: dt.date
    months: int
    amount: Money
    note: str = ""
    provenance: Provenance | None = None


@dataclass(frozen=True)
class FxRate:
    """1 unit of `base` = `rate` units of `quote`, as of a date."""

    base: str
    quote: str
    as_of: dt.date
    rate: float
    note: str = ""
    provenance: Provenance | None = None


@dataclass(frozen=True)
class ValuationBand:
    name: str
    ps_low: float
    ps_high: float
    meaning: str = ""
    provenance: Provenance | None = None


@dataclass(frozen=True)
class ReferencePoint:
    symbol: str
    date: dt.date
    close: float | None
    high: float | None
    note: str = ""
    provenance: Provenance | None = None


@dataclass(frozen=True)
class Fundamentals:
    """Share counts and revenue over time for one instrument, as the analytics need them."""

    shares: tuple[SharesCount, ...]
    revenue: tuple[Revenue, ...]
