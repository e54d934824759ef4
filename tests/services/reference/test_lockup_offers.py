"""Offers for a recent listing without lock-ups; confirming one records it as the trader's."""

from __future__ import annotations

import datetime as dt
import sqlite3

from db.connection import transaction
from services.reference import lockup_offers
from services.reference import store as reference_store

TODAY = dt.date(2026, 11, 23)


def _new_listing(conn: sqlite3.Connection, listed: str) -> None:
    with transaction(conn):
        conn.execute("INSERT INTO instruments (symbol, name, currency, exchange, listing_date, "
                     "confidence) VALUES ('2631.HK', 'New Co', 'HKD', 'HKEX', ?, 'press')",
                     [listed])


def test_a_recent_listing_without_lockups_is_offered_the_rule_derived_ones(
        app_db: sqlite3.Connection) -> None:
    _new_listing(app_db, "2026-08-31")
    offers = lockup_offers.offers(app_db, "2631.HK", TODAY)
    assert [(o.rule.key, o.first_free_day) for o in offers] == [
        ("controlling-6m", dt.date(2027, 2, 28)), ("controlling-12m", dt.date(2027, 8, 31)),
        ("cornerstone-6m", dt.date(2027, 2, 28))]
    assert offers[0].listing_source == "reference data (press)"

    lockup_offers.confirm(app_db, offers[1], shares=120_000_000)
    [lock] = reference_store.lockups(app_db, "2631.HK")
    assert lock.first_free_day == dt.date(2027, 8, 31)
    assert lock.locked_through == dt.date(2027, 8, 30) and lock.shares == 120_000_000
    assert lock.provenance is not None
    assert (lock.provenance.confidence, lock.provenance.origin) == ("rule-derived", "user")
    assert "not a filing" in lock.note
    # the other two are still offered; the confirmed one is not
    assert [o.rule.key for o in lockup_offers.offers(app_db, "2631.HK", TODAY)] == [
        "controlling-6m", "cornerstone-6m"]


def test_no_offer_with_a_recorded_lockup_an_old_listing_or_no_listing_date(
        app_db: sqlite3.Connection) -> None:
    assert lockup_offers.offers(app_db, "2513.HK", TODAY) == []  # bundled lock-ups recorded
    _new_listing(app_db, "2025-10-01")
    assert lockup_offers.offers(app_db, "2631.HK", TODAY) == []  # listed 14 months ago
    with transaction(app_db):
        app_db.execute("UPDATE instruments SET listing_date = NULL WHERE symbol = '2631.HK'")
    assert lockup_offers.listing_date(app_db, "2631.HK") is None
    assert lockup_offers.offers(app_db, "2631.HK", TODAY) == []
