"""Rule-derived lock-ups against Main Board rule 10.07 for given listing dates."""

from __future__ import annotations

import datetime as dt

import pytest

from services.core.lockup_rules import (
    MARKET_PRACTICE,
    RULE_DERIVED,
    add_months,
    is_recent_listing,
    suggested_lockups,
)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (dt.date(2026, 1, 8), 6, dt.date(2026, 7, 8)),
    (dt.date(2026, 1, 8), 12, dt.date(2027, 1, 8)),
    (dt.date(2025, 8, 31), 6, dt.date(2026, 2, 28)),  # no 31 February: the month's last day
    (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),  # a leap year
    (dt.date(2026, 3, 31), 6, dt.date(2026, 9, 30)),
    (dt.date(2025, 12, 15), 6, dt.date(2026, 6, 15)),  # across a year end
    (dt.date(2026, 7, 31), 6, dt.date(2027, 1, 31)),
])
def test_months_keep_the_day_of_the_month_or_end_the_month(day: dt.date, months: int,
                                                           expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_zhipus_listing_gives_its_filed_controlling_lockup_and_cornerstone_term() -> None:
    """Zhipu listed 2026-01-08; its filing locks the controlling holders through 2027-01-07."""
    offers = {o.rule.key: o for o in suggested_lockups("2513.HK", dt.date(2026, 1, 8),
                                                        "reference data (filing)")}
    # Rule 10.07(1)(a): no disposal for 6 months from the listing date.
    first = offers["controlling-6m"]
    assert (first.first_free_day, first.locked_through) == (dt.date(2026, 7, 8),
                                                            dt.date(2026, 7, 7))
    assert first.rule.basis == RULE_DERIVED and "10.07(1)(a)" in first.rule.source
    # Rule 10.07(1)(b): the next 6 months, no disposal that ends control.
    second = offers["controlling-12m"]
    assert (second.first_free_day, second.locked_through) == (dt.date(2027, 1, 8),
                                                              dt.date(2027, 1, 7))
    assert second.rule.basis == RULE_DERIVED and "10.07(1)(b)" in second.rule.source
    cornerstone = offers["cornerstone-6m"]
    assert cornerstone.first_free_day == dt.date(2026, 7, 8)
    assert cornerstone.rule.basis == MARKET_PRACTICE
    for offer in offers.values():
        assert "not a filing" in offer.note and "filing" not in offer.rule.basis


def test_a_month_end_listing() -> None:
    offers = {o.rule.key: o for o in suggested_lockups("9999.HK", dt.date(2025, 8, 29), "x")}
    assert offers["controlling-6m"].first_free_day == dt.date(2026, 2, 28)  # 29 Feb: no
    assert offers["controlling-6m"].locked_through == dt.date(2026, 2, 27)
    assert offers["controlling-12m"].first_free_day == dt.date(2026, 8, 29)


def test_recent_means_within_twelve_months() -> None:
    listed = dt.date(2026, 1, 8)
    assert is_recent_listing(listed, dt.date(2026, 1, 8))
    assert is_recent_listing(listed, dt.date(2027, 1, 7))
    assert not is_recent_listing(listed, dt.date(2027, 1, 8))
    assert not is_recent_listing(listed, dt.date(2026, 1, 7))  # not listed yet
