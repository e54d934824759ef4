"""Every dated event across the watchlists, in one list: the companies' lock-up expiries,
results dates and target changes, the alert rules' expiries, and HKEX holidays and half days."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from db import watchlist_repo
from services.alerts.service import AlertService
from services.core.clock import HKEX_TZ, Clock, local_date, trading_day
from services.core.events import MARKET, DatedEvent, EventKind
from services.core.tickers import is_hkex
from services.market.calendar import MarketClock
from services.reference import company_events

CALENDAR_SOURCE = "HKEX trading calendar (exchange_calendars XHKG)"


@dataclass(frozen=True)
class Horizon:
    """From `past` days before today to `ahead` days after it (None: no limit)."""

    ahead: int | None = 90
    past: int = 0

    def contains(self, day: dt.date, today: dt.date) -> bool:
        days = (day - today).days
        return -self.past <= days and (self.ahead is None or days <= self.ahead)


class EventsService:
    def __init__(self, conn: sqlite3.Connection, clock: Clock, market: MarketClock):
        self._conn = conn
        self._clock = clock
        self._market = market

    def today(self) -> dt.date:
        return trading_day(self._clock)

    @property
    def market(self) -> MarketClock:
        """The exchange calendar the holidays come from (load it off the GUI thread)."""
        return self._market

    def now(self) -> dt.datetime:
        return self._clock.now()

    def symbols(self) -> list[str]:
        """Every symbol on any watchlist, in list order."""
        seen: dict[str, None] = {}
        for wl in watchlist_repo.watchlists(self._conn):
            items = watchlist_repo.items(self._conn, wl["id"])
            seen.update((item["symbol"], None) for item in items)
        return list(seen)

    def events(self, horizon: Horizon = Horizon()) -> list[DatedEvent]:
        """Every event within the horizon, soonest first (exchange-wide events last on a day)."""
        today = self.today()
        symbols = set(self.symbols())
        found = [e for e in company_events.company_events(self._conn) if e.symbol in symbols]
        found += self._rule_expiries(symbols)
        if any(is_hkex(symbol) for symbol in symbols):
            found += self._closures(today, horizon)
        return sorted((e for e in found if horizon.contains(e.day, today)),
                      key=lambda e: (e.day, e.symbol == MARKET, e.symbol, e.kind, e.title))

    def _rule_expiries(self, symbols: Iterable[str]) -> list[DatedEvent]:
        wanted = set(symbols)
        events = []
        for rule, _ in AlertService(self._conn, self._clock, self._market).rules():
            if rule.expires_at is None or rule.symbol not in wanted:
                continue
            events.append(DatedEvent(
                local_date(rule.expires_at, HKEX_TZ), EventKind.RULE_EXPIRY,
                rule.symbol, f"Alert rule ends: {rule.describe()}",
                "your alert rules", f"alert-rule:{rule.id}:expiry",
                "enabled" if rule.enabled else "disabled"))
        return events

    def _closures(self, today: dt.date, horizon: Horizon) -> list[DatedEvent]:
        end = today + dt.timedelta(days=horizon.ahead if horizon.ahead is not None else 400)
        events = []
        for day, half, name in self._market.closures(today - dt.timedelta(days=horizon.past),
                                                     end):
            kind = EventKind.HALF_DAY if half else EventKind.HOLIDAY
            title = ("HKEX half day: morning session only, closes 12:00" if half
                     else f"HKEX closed: {name}" if name else "HKEX closed (holiday)")
            events.append(DatedEvent(day, kind, MARKET, title, CALENDAR_SOURCE,
                                     f"{kind.name.lower()}:{MARKET}:{day.isoformat()}"))
        return events
