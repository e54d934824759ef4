"""Dated events a trader plans around: lock-up expiries, results dates, target changes, alert
rule expiries, exchange holidays and half days. One value type for the calendar view, the
`events` command, the iCalendar export and the event alert rules."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum

MARKET = "HKEX"  # the "symbol" of an exchange-wide event


class EventKind(StrEnum):
    LOCKUP = "lock-up expiry"
    RESULTS = "results date"
    TARGET = "analyst target"
    RULE_EXPIRY = "alert rule expiry"
    HOLIDAY = "HKEX holiday"
    HALF_DAY = "HKEX half day"


@dataclass(frozen=True)
class DatedEvent:
    """One event on one day. `identity` names the fact behind it (not its date or the time of
    export), so an edited date moves the same event instead of adding another."""

    day: dt.date
    kind: EventKind
    symbol: str  # MARKET for exchange-wide events
    title: str
    source: str  # where the date comes from, e.g. "HKEX filing (filing)"
    identity: str
    detail: str = ""
    at_earliest: bool = False  # the date is only "on or after"

    @property
    def uid(self) -> str:
        """A stable iCalendar UID derived from the identity alone."""
        digest = hashlib.sha256(self.identity.encode("utf-8")).hexdigest()[:24]
        return f"{digest}@harbourwatch"

    def days_left(self, today: dt.date) -> int:
        return (self.day - today).days
