"""Offering the rule-derived lock-ups for a recent HKEX listing, and confirming them.

An offer is made for a symbol listed on HKEX within the last 12 months whose lock-ups the
trader has not recorded. A confirmed offer becomes one of the trader's own lock-up facts, its
confidence saying `rule-derived` or `market practice` (never `filing`), and is edited like any
other fact in the reference data.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from db import facts_repo
from db.connection import transaction
from services.core.lockup_rules import (
    MARKET_PRACTICE,
    RULE_DERIVED,
    SuggestedLockup,
    is_recent_listing,
    suggested_lockups,
)
from services.core.tickers import is_hkex
from services.reference import store as reference_store

OFFERED_CONFIDENCE = frozenset({RULE_DERIVED, MARKET_PRACTICE})


@dataclass(frozen=True)
class ListingDate:
    day: dt.date
    source: str  # e.g. "reference data (filing)"


def listing_date(conn: sqlite3.Connection, symbol: str) -> ListingDate | None:
    """When the symbol first traded: the one place the listing date is read from (the
    instrument's recorded listing date today; a feed's first-trade date can be added here)."""
    instrument = reference_store.instruments(conn).get(symbol)
    if instrument is None or instrument.listing_date is None:
        return None
    confidence = instrument.provenance.confidence if instrument.provenance else ""
    return ListingDate(instrument.listing_date,
                       f"reference data ({confidence})" if confidence else "reference data")


def offers(conn: sqlite3.Connection, symbol: str, today: dt.date) -> list[SuggestedLockup]:
    """The rule-derived lock-ups still to confirm: none once the trader (or the bundled data)
    recorded any lock-up other than a confirmed offer, and none already confirmed."""
    listing = listing_date(conn, symbol)
    if listing is None or not is_hkex(symbol) or not is_recent_listing(listing.day, today):
        return []
    recorded = reference_store.lockups(conn, symbol)
    if any(lock.provenance is None or lock.provenance.confidence not in OFFERED_CONFIDENCE
           for lock in recorded):
        return []
    taken = {(lock.holders, lock.first_free_day) for lock in recorded}
    return [offer for offer in suggested_lockups(symbol, listing.day, listing.source)
            if (offer.rule.holders, offer.first_free_day) not in taken]


def confirm(conn: sqlite3.Connection, offer: SuggestedLockup, shares: int | None = None) -> int:
    """Record an offer as the trader's lock-up (shares when known); returns its id."""
    with transaction(conn):
        return facts_repo.add_fact(conn, "lockups", {
            "symbol": offer.symbol, "holders": offer.rule.holders, "shares": shares,
            "term_months": offer.rule.months,
            "locked_through": offer.locked_through.isoformat(),
            "first_free_day": offer.first_free_day.isoformat(), "date_exact": 1,
            "note": offer.note, "source": f"{offer.rule.source}; confirmed by you",
            "confidence": offer.rule.basis})
