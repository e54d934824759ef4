"""Point-in-time valuation: what the market could know on a day, and how sure each figure is.

A fundamental counts from the day it was published, never from the end of its period: MiniMax's
FY2025 revenue (period ended 2025-12-31, published 2026-03-02) is no part of a 2026-01-09 P/S.
Where no publication date is recorded, an assumed one is used (HKEX's reporting deadline after
the period end, erring late) and labelled as assumed.

A figure resting on an uncertain input says so: a placeholder FX rate gives a range, revenue
known only as a lower bound ("> US$150m") makes the P/S an upper bound, and a derived or digest
share count or revenue makes the figure approximate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from services.core.analytics import MissingDataError
from services.core.fx import FxQuote, FxTable
from services.core.models import Money, Price, Revenue, SharesCount, Target, ValuationBand

BASES = {"fy": "last fiscal year", "annualised": "latest period, annualised", "arr": "ARR"}
BASIS_KINDS = {"fy": ("annual",), "annualised": ("annual", "interim"), "arr": ("arr",)}
# No publication date recorded: HKEX Main Board issuers publish annual results within three
# months of the year end (interim within two; three assumed, erring late). ARR has no deadline.
ASSUMED_LAG = {"annual": dt.timedelta(days=92), "interim": dt.timedelta(days=92),
               "arr": dt.timedelta(0)}
UNCERTAIN = frozenset({"digest", "derived", "approximate"})
# What the true figure is, given a revenue bound: a P/S on "at least" revenue is at most this.
FLIPPED = {"exact": "exact", "at least": "at most", "at most": "at least"}


def revenue_published(revenue: Revenue) -> tuple[dt.date, bool]:
    """(the day the figure became public, whether that day is known rather than assumed)."""
    if revenue.published is not None:
        return revenue.published, revenue.published_known
    return revenue.period_end + ASSUMED_LAG.get(revenue.kind, ASSUMED_LAG["annual"]), False


def shares_published(count: SharesCount) -> tuple[dt.date, bool]:
    if count.published is not None:
        return count.published, count.published_known
    return count.as_of, False


def shares_on(counts: Sequence[SharesCount], day: dt.date) -> SharesCount:
    """The share count in force on a day as the market knew it: the latest one dated on or
    before it and already published."""
    valid = [c for c in counts if c.as_of <= day and shares_published(c)[0] <= day]
    if not valid:
        raise MissingDataError(f"no share count known on {day.isoformat()}")
    return max(valid, key=lambda c: (c.as_of, shares_published(c)[0]))


def revenue_on(revenue: Sequence[Revenue], day: dt.date, basis: str) -> Revenue | None:
    """The revenue a P/S on `day` divides by, for a basis in BASES: the latest period of the
    basis' kinds already published on that day."""
    kinds = BASIS_KINDS[basis]
    known = [r for r in revenue if r.kind in kinds and revenue_published(r)[0] <= day]
    return max(known, key=lambda r: (r.period_end, r.months)) if known else None


def annualised(revenue: Revenue) -> Money:
    return Money(revenue.amount.amount * 12.0 / revenue.months, revenue.amount.currency)


@dataclass(frozen=True)
class Estimate:
    """A figure with its uncertainty: `low`-`high` where an input has a range, a `bound` where
    an input is one ("at most": the true figure is at most `high`), `approximate` where an
    input is derived or from a digest; `caveats` say which."""

    value: float
    low: float
    high: float
    bound: str = "exact"
    approximate: bool = False
    caveats: tuple[str, ...] = ()

    @property
    def is_range(self) -> bool:
        return self.high - self.low > 1e-9 * max(abs(self.value), 1.0)


def _uncertain(provenance_confidence: str) -> bool:
    return provenance_confidence in UNCERTAIN


def price_to_sales(cap: Money, revenue: Revenue, fx: FxQuote,
                   shares: SharesCount | None = None) -> Estimate:
    """Market cap (in the price's currency) converted to the revenue's currency with `fx`, over
    the revenue annualised to 12 months."""
    if fx.base != cap.currency or fx.quote != revenue.amount.currency:
        raise ValueError(f"FX {fx.base}/{fx.quote} cannot convert {cap.currency} to "
                         f"{revenue.amount.currency}")
    annual = annualised(revenue).amount
    caveats = []
    if fx.placeholder:
        shown = fx.inverse()  # as traders quote it: USD/HKD 7.75–7.85
        caveats.append(f"FX placeholder {shown.base}/{shown.quote} "
                       f"{shown.low:.4f}–{shown.high:.4f}")
    if revenue.bound != "exact":
        caveats.append(f"{revenue.period} revenue is {revenue.bound} the figure used")
    approximate = False
    for name, fact in (("share count", shares), (f"{revenue.period} revenue", revenue)):
        confidence = fact.provenance.confidence if fact and fact.provenance else ""
        if _uncertain(confidence):
            approximate = True
            caveats.append(f"{name} is {confidence}")
    return Estimate(cap.amount * fx.rate / annual, cap.amount * fx.low / annual,
                    cap.amount * fx.high / annual, FLIPPED.get(revenue.bound, "exact"),
                    approximate, tuple(caveats))


@dataclass(frozen=True)
class ValuationPoint:
    """One day of the valuation history, with where every input came from."""

    day: dt.date
    price: Price
    shares: SharesCount
    market_cap: Money  # in the chosen currency
    cap_fx: FxQuote  # price currency -> chosen currency
    basis: str
    revenue: Revenue | None = None
    revenue_fx: FxQuote | None = None  # price currency -> revenue currency
    ps: Estimate | None = None

    @property
    def market_cap_range(self) -> tuple[float, float]:
        local = self.price.amount * self.shares.shares
        return local * self.cap_fx.low, local * self.cap_fx.high


def valuation_on(day: dt.date, price: Price, counts: Sequence[SharesCount],
                 revenue: Sequence[Revenue], fx: FxTable, currency: str,
                 basis: str) -> ValuationPoint:
    """The valuation a trader could compute on `day` at `price`: MissingDataError when no share
    count (or FX rate for the market cap) was known; no P/S when no revenue of the basis was."""
    count = shares_on(counts, day)
    local = Money(price.amount * count.shares, price.currency)
    cap_fx = fx.quote(price.currency, currency, day)
    point = ValuationPoint(day, price, count, Money(local.amount * cap_fx.rate, currency),
                           cap_fx, basis)
    figure = revenue_on(revenue, day, basis)
    if figure is None:
        return point
    try:
        revenue_fx = fx.quote(price.currency, figure.amount.currency, day)
    except MissingDataError:
        return point
    return ValuationPoint(day, price, count, point.market_cap, cap_fx, basis, figure, revenue_fx,
                          price_to_sales(local, figure, revenue_fx, count))


@dataclass(frozen=True)
class BandPrice:
    """What a P/S band implies: the price (in the trading currency) and the market cap (in the
    chosen currency), lowest multiple at the lowest FX to highest multiple at the highest."""

    band: ValuationBand
    low: Money
    high: Money
    cap_low: Money
    cap_high: Money
    revenue: Revenue
    shares: SharesCount
    bound: str = "exact"  # "at least": the revenue is a lower bound, so are these prices


def band_prices(bands: Sequence[ValuationBand], counts: Sequence[SharesCount],
                revenue: Sequence[Revenue], fx: FxTable, price_currency: str, currency: str,
                basis: str, day: dt.date) -> list[BandPrice]:
    """Price and market cap each band implies on `day`, on the revenue of `basis` known then:
    P/S x annual revenue (converted) / shares in force."""
    figure = revenue_on(revenue, day, basis)
    if figure is None:
        raise MissingDataError(f"no {BASES[basis]} revenue published by {day.isoformat()}")
    count = shares_on(counts, day)
    annual = annualised(figure).amount
    to_price = fx.quote(figure.amount.currency, price_currency, day)
    to_cap = fx.quote(figure.amount.currency, currency, day)
    return [BandPrice(
        band,
        Money(band.ps_low * annual * to_price.low / count.shares, price_currency),
        Money(band.ps_high * annual * to_price.high / count.shares, price_currency),
        Money(band.ps_low * annual * to_cap.low, currency),
        Money(band.ps_high * annual * to_cap.high, currency),
        figure, count, figure.bound) for band in bands]


@dataclass(frozen=True)
class TargetCap:
    """The market cap an analyst target implies: target x the share count in force on the
    target's date, converted at that date's rate."""

    target: Target
    shares: SharesCount
    cap: Money
    fx: FxQuote


def target_caps(targets: Sequence[Target], counts: Sequence[SharesCount], fx: FxTable,
                currency: str) -> list[TargetCap]:
    """Newest target first; a target dated before any known share count is left out."""
    caps = []
    for target in sorted(targets, key=lambda t: t.date, reverse=True):
        try:
            count = shares_on(counts, target.date)
            quote = fx.quote(target.price.currency, currency, target.date)
        except MissingDataError:
            continue
        caps.append(TargetCap(target, count,
                              Money(target.price.amount * count.shares * quote.rate, currency),
                              quote))
    return caps
