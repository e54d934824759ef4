"""The fake Yahoo's fundamentals: quoteSummary modules and the fundamentals-timeseries endpoint,
in the shapes Yahoo answers with (`formatted=false`: plain numbers, epochs for dates).

A test removes a module from `modules` to play a symbol Yahoo lacks it for; a symbol without
fundamentals gets Yahoo's 404 "No fundamentals data found" from quoteSummary and type entries
without data from the time series, as Yahoo answers for a fresh listing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from services.core.clock import HONG_KONG, epoch


@dataclass
class FakeFundamentals:
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    shares: list[tuple[int, int]] = field(default_factory=list)  # (epoch, shares outstanding)
    # annualTotalRevenue / quarterlyTotalRevenue -> [(asOfDate, amount, currencyCode)]
    revenue: dict[str, list[tuple[str, float, str]]] = field(default_factory=dict)


def _hk_epoch(day: dt.date) -> int:
    return epoch(dt.datetime.combine(day, dt.time(0), HONG_KONG))


def hk_fundamentals(shares: int = 19_100_000_000, financial_currency: str = "CNY",
                    results_day: dt.date = dt.date(2027, 2, 19),
                    first_trade: dt.date = dt.date(2019, 11, 26),
                    target_mean: float = 185.2,
                    name: str = "Alibaba Group Holding Limited") -> FakeFundamentals:
    """A large HKEX listing reporting in renminbi, its fiscal year ending in March (as Alibaba,
    9988.HK): every module a trader's valuation needs."""
    return FakeFundamentals(
        modules={
            "price": {"maxAge": 1, "currency": "HKD", "currencySymbol": "HK$",
                      "exchange": "HKG", "exchangeName": "HKSE", "quoteType": "EQUITY",
                      "symbol": "", "longName": name, "shortName": name[:20],
                      "regularMarketPrice": 150.0, "marketCap": shares * 150.0},
            "summaryDetail": {"maxAge": 1, "currency": "HKD", "marketCap": shares * 150.0,
                              "fiftyTwoWeekHigh": 190.0, "fiftyTwoWeekLow": 80.0},
            "defaultKeyStatistics": {"maxAge": 1, "sharesOutstanding": shares,
                                     "floatShares": int(shares * 0.92),
                                     "impliedSharesOutstanding": shares,
                                     "lastFiscalYearEnd": _hk_epoch(dt.date(2026, 3, 31)),
                                     "mostRecentQuarter": _hk_epoch(dt.date(2026, 9, 30))},
            "financialData": {"maxAge": 86400, "currentPrice": 150.0,
                              "targetHighPrice": 240.0, "targetLowPrice": 120.0,
                              "targetMeanPrice": target_mean, "targetMedianPrice": 182.0,
                              "recommendationMean": 1.6, "recommendationKey": "buy",
                              "numberOfAnalystOpinions": 38, "totalRevenue": 1.0e12,
                              "financialCurrency": financial_currency},
            "recommendationTrend": {"maxAge": 86400, "trend": [
                {"period": "0m", "strongBuy": 12, "buy": 20, "hold": 5, "sell": 1,
                 "strongSell": 0},
                {"period": "-1m", "strongBuy": 11, "buy": 20, "hold": 6, "sell": 1,
                 "strongSell": 0}]},
            "calendarEvents": {"maxAge": 1, "earnings": {
                "earningsDate": [_hk_epoch(results_day) + 8 * 3600],
                "earningsCallDate": [], "isEarningsDateEstimate": True,
                "earningsAverage": 2.1, "revenueAverage": 2.5e11}},
            "quoteType": {"exchange": "HKG", "quoteType": "EQUITY", "symbol": "",
                          "firstTradeDateEpochUtc": _hk_epoch(first_trade) + 9 * 3600 + 1800,
                          "timeZoneFullName": "Asia/Hong_Kong",
                          "timeZoneShortName": "HKT", "gmtOffSetMilliseconds": 28_800_000},
        },
        shares=[(_hk_epoch(dt.date(2025, 6, 30)), shares + 200_000_000),
                (_hk_epoch(dt.date(2025, 12, 31)), shares + 80_000_000),
                (_hk_epoch(dt.date(2026, 6, 30)), shares)],
        revenue={
            "annualTotalRevenue": [("2024-03-31", 941_168_000_000.0, financial_currency),
                                   ("2025-03-31", 996_347_000_000.0, financial_currency),
                                   ("2026-03-31", 1_020_500_000_000.0, financial_currency)],
            "quarterlyTotalRevenue": [("2026-06-30", 247_652_000_000.0, financial_currency),
                                      ("2026-09-30", 251_100_000_000.0, financial_currency)],
        },
    )


def quote_summary(symbol: str, facts: FakeFundamentals | None,
                  modules: str) -> tuple[int, dict[str, Any]]:
    """v10/finance/quoteSummary/{symbol}?modules=a,b: the modules Yahoo has; a 404 when it has
    none of them."""
    wanted = [m for m in modules.split(",") if m]
    have = {m: {**facts.modules[m], **({"symbol": symbol} if "symbol" in facts.modules[m]
                                       else {})}
            for m in wanted if facts is not None and m in facts.modules}
    if not have:
        return 404, {"quoteSummary": {"result": None, "error": {
            "code": "Not Found",
            "description": f"No fundamentals data found for any of the summaryTypes={modules}"}}}
    return 200, {"quoteSummary": {"result": [have], "error": None}}


def timeseries(symbol: str, facts: FakeFundamentals | None, types: str,
               now: int) -> tuple[int, dict[str, Any]]:
    """ws/fundamentals-timeseries/v1/finance/timeseries/{symbol}: with `type=` one entry a type
    (data points with asOfDate, periodType, currencyCode, reportedValue); without it, the share
    count series yfinance's get_shares_full reads (`shares_out` beside `timestamp`)."""
    if not types:
        entry: dict[str, Any] = {"meta": {"symbol": [symbol], "type": ["shares_out"]}}
        points = [p for p in (facts.shares if facts else []) if p[0] <= now]
        if points:
            entry["timestamp"] = [p[0] for p in points]
            entry["shares_out"] = [p[1] for p in points]
        return 200, {"timeseries": {"result": [entry], "error": None}}
    result = []
    for name in types.split(","):
        entry = {"meta": {"symbol": [symbol], "type": [name]}}
        points = facts.revenue.get(name, []) if facts else []
        if points:
            months = "12M" if name.startswith("annual") else "3M"
            entry["timestamp"] = [  # UTC midnight of the period end, as Yahoo stamps them
                epoch(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(0), dt.UTC))
                for day, _, _ in points]
            entry[name] = [{"dataId": 20100, "asOfDate": day, "periodType": months,
                            "currencyCode": currency,
                            "reportedValue": {"raw": amount, "fmt": f"{amount / 1e9:.2f}B"}}
                           for day, amount, currency in points]
        result.append(entry)
    return 200, {"timeseries": {"result": result, "error": None}}
