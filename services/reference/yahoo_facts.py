"""Yahoo's fundamentals as domain values, and the rule that decides which figure is used.

Bundled and user-entered facts win where they exist: a symbol's share counts come from Yahoo
only when it has no bundled or user share count, its revenue only when it has no bundled or
user revenue, its target only when no analyst target is recorded. Every Yahoo figure says so
(source "Yahoo Finance", confidence "yahoo") with the day it was fetched; the as-of date (share
counts) and the period end (revenue) are Yahoo's. Revenue keeps Yahoo's financial currency
(often CNY for HKEX listings); conversions use the stored dated FX rates.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from db import yahoo_repo
from services.core.clock import HONG_KONG, local_date
from services.core.models import Fundamentals, Money, Provenance, Revenue, SharesCount, Target
from services.market.yahoo_fundamentals import TrendPeriod

SOURCE = "yahoo"
CONFIDENCE = "yahoo"
NOT_AVAILABLE = "not available from Yahoo"
MODULE_WORDS = {"defaultKeyStatistics": "share count", "revenue": "revenue",
                "financialData": "analyst targets",
                "calendarEvents": "results date", "recommendationTrend": "recommendations",
                "quoteType": "first trade date"}


@dataclass(frozen=True)
class Consensus:
    """Yahoo's analyst price-target summary on the day it was fetched."""

    mean: Money
    median: Money | None
    high: Money | None
    low: Money | None
    analysts: int | None
    fetched: dt.date

    def text(self) -> str:
        from services.core.formatting import money

        count = f", {self.analysts} analysts" if self.analysts else ""
        return f"{money(self.mean, 1)} (Yahoo mean{count}, {self.fetched.isoformat()})"


@dataclass(frozen=True)
class YahooSnapshot:
    """The latest answer Yahoo gave for a symbol, and how its refresh is going."""

    symbol: str
    fetched: dt.date | None  # Hong Kong day of the last successful fetch; None: never
    shares: int | None = None
    float_shares: int | None = None
    financial_currency: str = ""
    consensus: Consensus | None = None
    recommendation: str = ""
    recommendation_mean: float | None = None
    trend: tuple[TrendPeriod, ...] = ()
    next_results: dt.date | None = None
    next_results_estimate: bool = False
    first_trade: dt.date | None = None
    missing: tuple[str, ...] = ()
    last_error: str = ""  # the last refresh failed (the values above are older)

    def lacks(self, module: str) -> bool:
        return self.fetched is not None and module in self.missing

    def status(self) -> str:
        """One line: when fetched, what Yahoo lacks, a failed refresh."""
        if self.fetched is None:
            text = "not fetched from Yahoo yet"
        else:
            text = f"fetched from Yahoo on {self.fetched.isoformat()}"
            lacking = [MODULE_WORDS[m] for m in MODULE_WORDS if m in self.missing]
            if lacking:
                text += f"; {NOT_AVAILABLE}: {', '.join(lacking)}"
        if self.last_error:
            text += f"; the last refresh failed ({self.last_error}), older values kept"
        return text


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _money(amount: float | None, currency: str) -> Money | None:
    return Money(amount, currency) if amount and currency else None


def snapshots(conn: sqlite3.Connection, symbol: str | None = None) -> dict[str, YahooSnapshot]:
    """Every symbol Yahoo was asked about (or one), with its last answer."""
    stored = yahoo_repo.snapshots(conn, symbol)
    trends: dict[str, list[TrendPeriod]] = {}
    for r in yahoo_repo.rows(conn, "yahoo_recommendations", symbol):
        trends.setdefault(r["symbol"], []).append(
            TrendPeriod(r["period"], r["strong_buy"], r["buy"], r["hold"], r["sell"],
                  r["strong_sell"]))
    result = {}
    for name, state in yahoo_repo.feed_state(conn, symbol).items():
        error = f"{state['last_error_kind']}: {state['last_error']}" if state["last_error"] \
            else ""
        result[name] = YahooSnapshot(name, None, last_error=error)
    for name, r in stored.items():
        fetched = local_date(r["fetched_at"], HONG_KONG)
        currency = r["target_currency"]
        mean = _money(r["target_mean"], currency)
        consensus = None if mean is None else Consensus(
            mean, _money(r["target_median"], currency), _money(r["target_high"], currency),
            _money(r["target_low"], currency), r["analysts"], fetched)
        result[name] = YahooSnapshot(
            name, fetched, r["shares"], r["float_shares"], r["financial_currency"], consensus,
            r["recommendation_key"], r["recommendation_mean"],
            tuple(sorted(trends.get(name, ()), key=lambda t: t.period, reverse=True)),
            _day(r["next_results"]), bool(r["next_results_estimate"]), _day(r["first_trade"]),
            tuple(m for m in r["missing"].split(",") if m),
            result[name].last_error if name in result else "")
    return result


def _provenance(fetched_at: int) -> Provenance:
    day = local_date(fetched_at, HONG_KONG).isoformat()
    return Provenance(f"Yahoo Finance, fetched {day}", CONFIDENCE, SOURCE)


def fundamentals(conn: sqlite3.Connection, symbol: str | None = None
                 ) -> dict[str, Fundamentals]:
    """Yahoo's share counts and revenue as the valuation reads facts. A share count counts
    from its as-of date; revenue from HKEX's reporting deadline after its period (Yahoo gives
    no publication date), labelled as assumed."""
    shares: dict[str, list[SharesCount]] = {}
    for r in yahoo_repo.rows(conn, "yahoo_shares", symbol):
        shares.setdefault(r["symbol"], []).append(SharesCount(
            r["symbol"], dt.date.fromisoformat(r["as_of"]), r["shares"], "Yahoo share count",
            _provenance(r["fetched_at"])))
    for name, snap in yahoo_repo.snapshots(conn, symbol).items():
        fetched = local_date(snap["fetched_at"], HONG_KONG)
        history = shares.get(name, [])
        latest = max(history, key=lambda c: c.as_of).shares if history else None
        if snap["shares"] and snap["shares"] != latest:  # a newer count than the history's
            shares.setdefault(name, []).append(SharesCount(
                name, fetched, snap["shares"], "Yahoo's current share count",
                _provenance(snap["fetched_at"]), fetched, True))
    revenue: dict[str, list[Revenue]] = {}
    for r in yahoo_repo.rows(conn, "yahoo_revenue", symbol):
        end = dt.date.fromisoformat(r["period_end"])
        annual = r["kind"] == "annual"
        period = f"FY{end.year}" if annual else f"Q to {end.isoformat()}"
        revenue.setdefault(r["symbol"], []).append(Revenue(
            r["symbol"], period, "annual" if annual else "interim", end, 12 if annual else 3,
            Money(r["amount"], r["currency"]), "Yahoo total revenue",
            _provenance(r["fetched_at"])))
    return {s: Fundamentals(tuple(sorted(shares.get(s, ()), key=lambda c: c.as_of)),
                            tuple(revenue.get(s, ())))
            for s in shares.keys() | revenue.keys()}


def merged(own: dict[str, Fundamentals], yahoo: dict[str, Fundamentals]
           ) -> dict[str, Fundamentals]:
    """Bundled and user facts first; Yahoo's fill a symbol's share counts or revenue only
    where it has none of its own."""
    result = dict(own)
    for symbol, theirs in yahoo.items():
        mine = own.get(symbol, Fundamentals((), ()))
        result[symbol] = Fundamentals(mine.shares or theirs.shares,
                                      mine.revenue or theirs.revenue)
    return result


def consensus_target(snapshot: YahooSnapshot | None) -> Target | None:
    """Yahoo's mean target as a target line, for a symbol with no recorded analyst target."""
    if snapshot is None or snapshot.consensus is None:
        return None
    c = snapshot.consensus
    count = f" of {c.analysts}" if c.analysts else ""
    return Target(snapshot.symbol, "Yahoo consensus", c.fetched, c.mean,
                  snapshot.recommendation, False, f"mean target{count} analysts",
                  Provenance(f"Yahoo Finance, fetched {c.fetched.isoformat()}", CONFIDENCE,
                             SOURCE))


@dataclass(frozen=True)
class ResultsDate:
    symbol: str
    date: dt.date
    source: str  # "yahoo"
    fetched: dt.date  # the day Yahoo gave it
    estimate: bool  # Yahoo marks the date as its estimate, not the company's announcement


def results_dates(conn: sqlite3.Connection) -> list[ResultsDate]:
    """The next results date of every symbol Yahoo gave one for, soonest first."""
    dates = [ResultsDate(s.symbol, s.next_results, SOURCE, s.fetched, s.next_results_estimate)
             for s in snapshots(conn).values() if s.next_results and s.fetched]
    return sorted(dates, key=lambda d: (d.date, d.symbol))
