"""Reading Yahoo's fundamentals documents: formatted and plain values, nulls, odd entries."""

from __future__ import annotations

import datetime as dt

import pytest

from services.market.yahoo_fundamentals import UnreadableAnswerError, read


def test_formatted_values_nulls_and_bad_points_are_read_or_skipped() -> None:
    summary = {"quoteSummary": {"result": [{
        "defaultKeyStatistics": {"sharesOutstanding": {"raw": 1_000_000, "fmt": "1M"},
                                 "floatShares": None},
        "financialData": {"targetMeanPrice": {"raw": 12.5, "fmt": "12.50"},
                          "targetLowPrice": -1, "numberOfAnalystOpinions": True,
                          "financialCurrency": "CNY", "recommendationKey": "none"},
        "price": {"currency": "HKD"},
        "calendarEvents": {"earnings": {"earningsDate": [1_800_000_000, 1_790_000_000]}},
    }], "error": None}}
    revenue = {"timeseries": {"result": [
        {"meta": {"type": ["annualTotalRevenue"]}, "annualTotalRevenue": [
            None, {"asOfDate": "2025-12-31", "currencyCode": "CNY",
                   "reportedValue": {"raw": 5e9}},
            {"asOfDate": "not a date", "currencyCode": "CNY", "reportedValue": {"raw": 1}},
            {"asOfDate": "2024-12-31", "currencyCode": "", "reportedValue": {"raw": 4e9}}]},
        "garbage"], "error": None}}
    shares = {"timeseries": {"result": [{"timestamp": [1_700_000_000, 1_700_000_100],
                                         "shares_out": [900, 950]}]}}
    facts = read("X.HK", summary, shares, revenue, "Asia/Hong_Kong")
    assert facts.shares == 1_000_000 and facts.float_shares is None
    assert facts.target_mean == 12.5 and facts.target_low is None and facts.analysts is None
    assert facts.recommendation_key == "" and facts.target_currency == "HKD"
    assert facts.next_results == dt.datetime.fromtimestamp(
        1_790_000_000, dt.timezone(dt.timedelta(hours=8))).date()  # the earliest, HK day
    assert [(p.period_end, p.amount, p.currency) for p in facts.revenue] == [
        (dt.date(2025, 12, 31), 5e9, "CNY")]
    assert facts.shares_history == ((dt.date(2023, 11, 15), 950),)  # the day's last count
    assert set(facts.missing) == {"summaryDetail", "recommendationTrend", "quoteType"}


def test_an_answer_of_another_shape_is_unreadable() -> None:
    with pytest.raises(UnreadableAnswerError):
        read("X.HK", {"chart": {}}, {}, {}, "Asia/Hong_Kong")
    with pytest.raises(UnreadableAnswerError):
        read("X.HK", None, {"finance": {"error": "x"}}, {}, "Asia/Hong_Kong")
