"""The events calendar: what it gathers, its horizon, and its iCalendar file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from icalendar import Calendar

from db.connection import transaction
from services.alerts.rules import AlertRule, RuleKind
from services.alerts.service import AlertService
from services.core.clock import FixedClock, end_of_day
from services.core.events import EventKind
from services.events.agenda import EventsService, Horizon
from services.events.ics import write_ics
from services.market import trading_days
from services.market.calendar import MarketClock


def _service(conn: sqlite3.Connection, clock: FixedClock) -> EventsService:
    market = MarketClock()
    trading_days.ensure_stored(conn, market)
    return EventsService(conn, clock, market)


def test_every_kind_within_the_horizon_with_days_left(app_db: sqlite3.Connection,
                                                      clock: FixedClock) -> None:
    AlertService(app_db, clock, MarketClock()).add_rule(AlertRule(
        "0100.HK", RuleKind.PRICE_ABOVE, 500,
        expires_at=end_of_day(dt.date(2026, 12, 31), "Asia/Hong_Kong")))
    service = _service(app_db, clock)
    today = service.today()
    events = service.events(Horizon(ahead=60, past=300))
    kinds = {e.kind for e in events}
    assert kinds == set(EventKind)
    by_title = {(e.day, e.kind): e for e in events}
    zhipu = by_title[(dt.date(2027, 1, 8), EventKind.LOCKUP)]
    assert zhipu.symbol == "2513.HK" and zhipu.days_left(today) == 46
    assert "HKEX filing" in zhipu.source
    results = by_title[(dt.date(2026, 3, 2), EventKind.RESULTS)]
    assert results.symbol == "0100.HK" and results.title == "Results: FY2025"
    assert by_title[(dt.date(2026, 12, 24), EventKind.HALF_DAY)].symbol == "HKEX"
    assert by_title[(dt.date(2026, 12, 25), EventKind.HOLIDAY)].title == "HKEX closed: Christmas"
    assert by_title[(dt.date(2026, 10, 19), EventKind.HOLIDAY)].title == "HKEX closed (holiday)"
    assert (dt.date(2026, 12, 31), EventKind.RULE_EXPIRY) in by_title
    target = by_title[(dt.date(2026, 7, 14), EventKind.TARGET)]
    assert target.title == "J.P. Morgan target HK$2,000 → HK$2,400, Overweight"
    assert [e.day for e in events] == sorted(e.day for e in events)
    # the default horizon: the next 90 days only
    upcoming = service.events()
    assert upcoming and all(0 <= e.days_left(today) <= 90 for e in upcoming)
    assert dt.date(2026, 2, 9) not in {e.day for e in upcoming}


def test_ics_is_valid_all_day_and_keeps_uids_when_exported_again(
        app_db: sqlite3.Connection, clock: FixedClock, tmp_path: Path) -> None:
    service = _service(app_db, clock)
    events = service.events(Horizon(ahead=365, past=365))
    path = tmp_path / "calendar" / "events.ics"
    write_ics(path, events, clock.now())
    first = Calendar.from_ical(path.read_bytes())
    entries = first.walk("VEVENT")
    assert len(entries) == len(events) > 30
    assert first["PRODID"] and str(first["VERSION"]) == "2.0"
    for entry in entries:
        assert entry["DTSTART"].params.get("VALUE") == "DATE"
        start, end = entry.decoded("DTSTART"), entry.decoded("DTEND")
        assert type(start) is dt.date and end - start == dt.timedelta(days=1)
        assert "Source: " in str(entry["DESCRIPTION"]) and entry["DTSTAMP"]
    zhipu = next(e for e in entries if "Controlling" in str(e["SUMMARY"]))
    assert zhipu.decoded("DTSTART") == dt.date(2027, 1, 8)
    assert "Source: HKEX filing (filing)" in str(zhipu["DESCRIPTION"])
    uids = [str(e["UID"]) for e in entries]
    assert len(set(uids)) == len(uids)

    # later, with the controlling holders' date corrected: same UIDs, the event moved
    clock.advance(3 * 24 * 3600)
    with transaction(app_db):
        app_db.execute("UPDATE lockups SET first_free_day = '2027-01-11' "
                       "WHERE first_free_day = '2027-01-08'")
    write_ics(path, service.events(Horizon(ahead=365, past=368)), clock.now())
    again = {str(e["UID"]): e for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")}
    assert set(uids) <= set(again)
    assert again[str(zhipu["UID"])].decoded("DTSTART") == dt.date(2027, 1, 11)
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_yahoos_next_results_date_joins_the_calendar_and_keeps_its_uid_when_moved(
        app_db: sqlite3.Connection, clock: FixedClock) -> None:
    """Yahoo's next results date is an event with Yahoo as its source; Yahoo moving the date
    within the quarter moves the same event (same UID), so a calendar app updates it."""
    from db import yahoo_repo
    from services.core.clock import epoch

    def yahoo_says(day: str, estimate: int) -> None:
        snapshot = dict.fromkeys(yahoo_repo.SNAPSHOT_COLUMNS)
        snapshot.update(fetched_at=epoch(clock.now()), name="MiniMax", financial_currency="",
                        target_currency="", recommendation_key="", next_results=day,
                        next_results_estimate=estimate, missing="")
        with transaction(app_db):
            yahoo_repo.save(app_db, "0100.HK", snapshot, [], [], [])

    yahoo_says("2027-03-16", 1)
    results = [e for e in _service(app_db, clock).events(Horizon(ahead=180))
               if e.kind == EventKind.RESULTS]
    assert [(e.symbol, e.day, e.title) for e in results] == [
        ("0100.HK", dt.date(2027, 3, 16), "Next results (Yahoo's estimate)")]
    assert results[0].source == "Yahoo Finance, fetched 2026-11-23"
    yahoo_says("2027-03-23", 0)
    moved = [e for e in _service(app_db, clock).events(Horizon(ahead=180))
             if e.kind == EventKind.RESULTS]
    assert [(e.day, e.title) for e in moved] == [(dt.date(2027, 3, 23), "Next results")]
    assert moved[0].uid == results[0].uid
