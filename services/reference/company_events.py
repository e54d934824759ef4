"""The dated events in a company's reference facts: lock-up expiries, results dates and analyst
target changes. Below the alerts, so an alert rule can fire N days before any of them."""

from __future__ import annotations

import datetime as dt
import sqlite3

from db import calendar_repo, reference_repo
from services.core import formatting as fmt
from services.core.events import DatedEvent, EventKind
from services.core.models import Money
from services.core.tickers import is_hkex
from services.market.calendar import HKEX_CALENDAR
from services.reference import yahoo_facts


def _identity(table: str, row: sqlite3.Row) -> str:
    return row["fact_key"] or f"{table}:{row['id']}"


def _source(row: sqlite3.Row) -> str:
    confidence = row["confidence"]
    return f"{row['source']} ({confidence})" if row["source"] else confidence


def lockup_events(conn: sqlite3.Connection, symbol: str | None = None) -> list[DatedEvent]:
    """Each lock-up on the first trading day its shares are free (the stored exchange
    calendar names it; the first free day itself beyond the stored range)."""
    events = []
    for row in reference_repo.fact_rows(conn, "lockups", symbol):
        day = dt.date.fromisoformat(row["first_free_day"])
        if is_hkex(row["symbol"]):
            session = calendar_repo.first_trading_day(conn, HKEX_CALENDAR, day.isoformat())
            day = dt.date.fromisoformat(session) if session else day
        shares = f"{row['shares']:,} shares" if row["shares"] else "share count not recorded"
        events.append(DatedEvent(
            day, EventKind.LOCKUP, row["symbol"], f"Lock-up expiry: {row['holders']}",
            _source(row), _identity("lockups", row),
            f"{shares}; first free day {row['first_free_day']}", not row["date_exact"]))
    return events


def results_dates(conn: sqlite3.Connection, symbol: str | None = None) -> list[DatedEvent]:
    """Results announcements: the one source of results dates. The days revenue was published,
    where that day is known (not assumed), and Yahoo's next results date of each symbol."""
    by_day: dict[tuple[str, str], list[sqlite3.Row]] = {}
    for row in reference_repo.fact_rows(conn, "revenue", symbol):
        if row["kind"] != "arr" and row["published"] and row["published_basis"] == "known":
            by_day.setdefault((row["symbol"], row["published"]), []).append(row)
    events = [DatedEvent(dt.date.fromisoformat(day), EventKind.RESULTS, sym,
                         f"Results: {', '.join(r['period'] for r in rows)}",
                         _source(rows[0]), f"results:{sym}:{day}")
              for (sym, day), rows in sorted(by_day.items())]
    for date in yahoo_facts.results_dates(conn):
        if (symbol is None or date.symbol == symbol) and \
                (date.symbol, date.date.isoformat()) not in by_day:
            # one event per quarter: Yahoo moving the date within it moves the same event
            quarter = f"{date.date.year}Q{(date.date.month - 1) // 3 + 1}"
            events.append(DatedEvent(
                date.date, EventKind.RESULTS, date.symbol,
                "Next results" + (" (Yahoo's estimate)" if date.estimate else ""),
                f"Yahoo Finance, fetched {date.fetched.isoformat()}",
                f"results:{date.symbol}:yahoo:{quarter}"))
    return events


def target_changes(conn: sqlite3.Connection, symbol: str | None = None) -> list[DatedEvent]:
    """Each analyst target on its date, with the broker's previous target when there is one."""
    events, previous = [], {}
    for row in reference_repo.fact_rows(conn, "targets", symbol):
        price = fmt.money(Money(row["price"], row["currency"]), 0)
        before = previous.get((row["symbol"], row["broker"]))
        change = f"{before} → {price}" if before else f"{price} (first target)"
        rating = f", {row['rating']}" if row["rating"] else ""
        events.append(DatedEvent(
            dt.date.fromisoformat(row["date"]), EventKind.TARGET, row["symbol"],
            f"{row['broker']} target {change}{rating}", _source(row),
            _identity("targets", row),
            "; ".join(filter(None, ("date approximate" if row["date_approximate"] else "",
                                    row["note"])))))
        previous[(row["symbol"], row["broker"])] = price
    return events


def company_events(conn: sqlite3.Connection, symbol: str | None = None) -> list[DatedEvent]:
    return [*lockup_events(conn, symbol), *results_dates(conn, symbol),
            *target_changes(conn, symbol)]
