"""Yahoo's fundamentals for one symbol, read from the raw answers of quoteSummary and the
fundamentals-timeseries endpoint (no yfinance here: the quote source fetches, this reads).

yfinance's own readers drop what a point-in-time valuation needs: each revenue point's currency,
the quoteType module's first trade date (overwritten when `.info` merges the v7 quote), and the
earnings date's day in the exchange's time zone (converted in the machine's). So the answers are
read here, from Yahoo's documents as they arrive.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

# What one refresh asks quoteSummary for, in one request.
MODULES = ("price", "summaryDetail", "defaultKeyStatistics", "financialData",
           "recommendationTrend", "calendarEvents", "quoteType")
REVENUE_TYPES = ("annualTotalRevenue", "quarterlyTotalRevenue")


class UnreadableAnswerError(ValueError):
    """Yahoo answered, but not in a shape these readers know."""


@dataclass(frozen=True)
class RevenuePoint:
    kind: str  # annual | quarterly
    period_end: dt.date
    amount: float
    currency: str


@dataclass(frozen=True)
class TrendPeriod:
    """Analysts' recommendations in one month ("0m": this month, "-1m": last month)."""

    period: str
    strong_buy: int
    buy: int
    hold: int
    sell: int
    strong_sell: int


@dataclass(frozen=True)
class YahooFundamentals:
    symbol: str
    name: str = ""  # the company's name as Yahoo shows it
    shares: int | None = None
    float_shares: int | None = None
    shares_history: tuple[tuple[dt.date, int], ...] = ()
    financial_currency: str = ""
    revenue: tuple[RevenuePoint, ...] = ()
    target_mean: float | None = None
    target_median: float | None = None
    target_high: float | None = None
    target_low: float | None = None
    target_currency: str = ""
    analysts: int | None = None
    recommendation_key: str = ""
    recommendation_mean: float | None = None
    trend: tuple[TrendPeriod, ...] = ()
    next_results: dt.date | None = None
    next_results_estimate: bool = False
    first_trade: dt.date | None = None
    missing: tuple[str, ...] = ()  # quoteSummary modules Yahoo did not send; "revenue": none


def _raw(value: Any) -> Any:
    """`formatted=false` gives plain values; some still come as {"raw": …, "fmt": …}."""
    return value.get("raw") if isinstance(value, dict) else value


def _number(value: Any) -> float | None:
    value = _raw(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value > 0 else None


def _count(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _day(ts: Any, tz: ZoneInfo) -> dt.date | None:
    number = _number(ts)
    return None if number is None else dt.datetime.fromtimestamp(number, tz).date()


def modules_of(document: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The modules of a quoteSummary answer ({} for Yahoo's "No fundamentals data found")."""
    if document is None:
        return {}
    try:
        results = document["quoteSummary"]["result"] or []
    except (KeyError, TypeError) as error:
        raise UnreadableAnswerError(f"no quoteSummary in the answer ({error})") from None
    if not results:
        return {}
    if not isinstance(results[0], dict):
        raise UnreadableAnswerError("quoteSummary result is not an object")
    return {k: v for k, v in results[0].items() if isinstance(v, dict)}


def series_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        result = document["timeseries"]["result"] or []
    except (KeyError, TypeError) as error:
        raise UnreadableAnswerError(f"no timeseries in the answer ({error})") from None
    return [entry for entry in result if isinstance(entry, dict)]


def read(symbol: str, summary: dict[str, Any] | None, shares: dict[str, Any],
         revenue: dict[str, Any], timezone: str) -> YahooFundamentals:
    """The three answers of one refresh as one value; `summary` None: Yahoo has no module."""
    modules = modules_of(summary)
    tz = ZoneInfo(modules.get("quoteType", {}).get("timeZoneFullName") or timezone)
    stats = modules.get("defaultKeyStatistics", {})
    money = modules.get("financialData", {})
    earnings = modules.get("calendarEvents", {}).get("earnings") or {}
    dates = [d for d in (_day(ts, tz) for ts in earnings.get("earningsDate") or []) if d]
    price = modules.get("price", {})
    sales = _revenue(revenue)
    return YahooFundamentals(
        symbol=symbol,
        name=str(price.get("longName") or price.get("shortName") or "")[:200],
        shares=_count(stats.get("sharesOutstanding")) or _count(
            stats.get("impliedSharesOutstanding")),
        float_shares=_count(stats.get("floatShares")),
        shares_history=_shares_history(shares, tz),
        financial_currency=str(money.get("financialCurrency") or ""),
        revenue=sales,
        target_mean=_number(money.get("targetMeanPrice")),
        target_median=_number(money.get("targetMedianPrice")),
        target_high=_number(money.get("targetHighPrice")),
        target_low=_number(money.get("targetLowPrice")),
        target_currency=str(price.get("currency") or
                            modules.get("summaryDetail", {}).get("currency") or ""),
        analysts=_count(money.get("numberOfAnalystOpinions")),
        recommendation_key=str(money.get("recommendationKey") or "").replace("none", ""),
        recommendation_mean=_number(money.get("recommendationMean")),
        trend=_trend(modules.get("recommendationTrend", {})),
        next_results=min(dates) if dates else None,
        next_results_estimate=bool(earnings.get("isEarningsDateEstimate")),
        first_trade=_day(modules.get("quoteType", {}).get("firstTradeDateEpochUtc"), tz),
        missing=tuple(m for m in MODULES if m not in modules) + (() if sales else ("revenue",)),
    )


def _shares_history(document: dict[str, Any], tz: ZoneInfo) -> tuple[tuple[dt.date, int], ...]:
    points: dict[dt.date, int] = {}
    for entry in series_of(document):
        stamps, counts = entry.get("timestamp") or [], entry.get("shares_out") or []
        for ts, count in zip(stamps, counts, strict=False):
            day, shares = _day(ts, tz), _count(count)
            if day is not None and shares is not None:
                points[day] = shares  # several a day: the last one
    return tuple(sorted(points.items()))


def _revenue(document: dict[str, Any]) -> tuple[RevenuePoint, ...]:
    points = []
    for entry in series_of(document):
        for name in REVENUE_TYPES:
            for point in entry.get(name) or []:
                if not isinstance(point, dict):
                    continue  # Yahoo leaves nulls for periods it has no figure for
                amount = _number(point.get("reportedValue"))
                currency = str(point.get("currencyCode") or "")
                try:
                    end = dt.date.fromisoformat(str(point.get("asOfDate")))
                except ValueError:
                    continue
                if amount is not None and len(currency) == 3:
                    kind = "annual" if name.startswith("annual") else "quarterly"
                    points.append(RevenuePoint(kind, end, amount, currency))
    return tuple(sorted(points, key=lambda p: (p.kind, p.period_end)))


def _trend(module: dict[str, Any]) -> tuple[TrendPeriod, ...]:
    periods = []
    for row in module.get("trend") or []:
        if not isinstance(row, dict) or not row.get("period"):
            continue
        counts = [_count(row.get(k)) or 0 for k in ("strongBuy", "buy", "hold", "sell",
                                                     "strongSell")]
        if any(counts):
            periods.append(TrendPeriod(str(row["period"]), *counts))
    return tuple(periods)
