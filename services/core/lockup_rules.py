"""The lock-ups HKEX's Listing Rules (and market practice) imply for a new listing.

A trader who adds a recent listing without any lock-up on record is offered these, labelled
for what they are: *rule-derived* (Main Board Listing Rule 10.07, controlling shareholders) or
*market practice* (the customary 6-month cornerstone undertaking). They are never a filing: the
trader confirms or edits each one before it counts.

Dates: a period of N months from the listing date ends on the same day of the month N months
later, which is the first free day (Zhipu listed 2026-01-08, its 12-month lock-up ran through
2027-01-07). Where that month has no such day (listed 31 August), the month's last day is used.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

RULE_DERIVED = "rule-derived"
MARKET_PRACTICE = "market practice"
RECENT_MONTHS = 12  # a listing this recent may still have lock-ups running


@dataclass(frozen=True)
class LockupRule:
    key: str
    holders: str
    months: int
    basis: str  # RULE_DERIVED or MARKET_PRACTICE
    source: str
    explanation: str


RULES = (
    LockupRule(
        "controlling-6m", "Controlling shareholders (no disposal)", 6, RULE_DERIVED,
        "HKEX Main Board Listing Rule 10.07(1)(a)",
        "Controlling shareholders may not dispose of any of their shares for 6 months from "
        "the listing date."),
    LockupRule(
        "controlling-12m", "Controlling shareholders (must stay controlling)", 12, RULE_DERIVED,
        "HKEX Main Board Listing Rule 10.07(1)(b)",
        "For the 6 months after that they may sell only while they remain controlling "
        "shareholders; from this day they may sell below control."),
    LockupRule(
        "cornerstone-6m", "Cornerstone investors", 6, MARKET_PRACTICE,
        "customary cornerstone investment agreement",
        "Cornerstone investors customarily agree not to sell for 6 months from listing; "
        "the prospectus states the actual term."),
)


@dataclass(frozen=True)
class SuggestedLockup:
    """A lock-up the rules imply, not yet confirmed by the trader."""

    symbol: str
    rule: LockupRule
    listing_date: dt.date
    listing_source: str  # where the listing date comes from

    @property
    def first_free_day(self) -> dt.date:
        return add_months(self.listing_date, self.rule.months)

    @property
    def locked_through(self) -> dt.date:
        return self.first_free_day - dt.timedelta(days=1)

    @property
    def key(self) -> str:
        return f"{self.symbol}:{self.rule.key}"

    @property
    def note(self) -> str:
        return (f"{self.rule.basis.capitalize()}, not a filing: {self.rule.explanation} "
                f"Listed {self.listing_date.isoformat()} ({self.listing_source}).")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later; the month's last day where it has no such
    day (2025-08-31 + 6 months = 2026-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_recent_listing(listing: dt.date, today: dt.date) -> bool:
    """Listed within the last RECENT_MONTHS months (today included, the future excluded)."""
    return add_months(listing, RECENT_MONTHS) > today >= listing


def suggested_lockups(symbol: str, listing: dt.date, source: str) -> list[SuggestedLockup]:
    return [SuggestedLockup(symbol, rule, listing, source) for rule in RULES]
