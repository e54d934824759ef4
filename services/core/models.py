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
    delay_min: int = 0  # how late the feed shows trades (Yahoo's HKEX quotes: 15 minutes)

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
    date_exact: bool = True  # False: the shares are free on first_free_day at the earliest
    shares: int | None = None
    term_months: int | None = None
    note: str = ""
    provenance: Provenance | None = None
    first_trading_day: dt.date | None = None  # the first session on or after first_free_day

    @property
    def free_to_trade(self) -> dt.date:
        """The first day the shares can actually be sold on the exchange."""
        return self.first_trading_day or self.first_free_day


@dataclass(frozen=True)
class SharesCount:
    symbol: str
    as_of: dt.date
    shares: int
    note: str = ""
    provenance: Provenance | None = None
    published: dt.date | None = None  # when the market could know the count (None: as_of)
    published_known: bool = False  # False: the publication date is an assumption


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
    published: dt.date | None = None  # when the figure became public (None: not recorded)
    published_known: bool = False  # False: the publication date is an assumption
    bound: str = "exact"  # exact | at least | at most (ARR "> US$150m" is at least)


@dataclass(frozen=True)
class FxRate:
    """1 unit of `base` = `rate` units of `quote`, as of a date."""

    base: str
    quote: str
    as_of: dt.date
    rate: float
    note: str = ""
    provenance: Provenance | None = None
    low: float | None = None  # a placeholder's plausible range; None for an observed rate
    high: float | None = None


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
class KeyFact:
    """A sourced fact beyond the tables (highest close, placing, convertible bond, a bull
    case) or a commentator's reading (`opinion`), grouped by topic in the detail pane."""

    symbol: str
    topic: str
    label: str
    value: str
    date: dt.date | None = None
    opinion: bool = False
    note: str = ""
    provenance: Provenance | None = None


@dataclass(frozen=True)
class Fundamentals:
    """Share counts and revenue over time for one instrument, as the analytics need them."""

    shares: tuple[SharesCount, ...]
    revenue: tuple[Revenue, ...]
