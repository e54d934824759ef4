"""The injectable clock and time conversions.

Storage is UTC epoch seconds; display is the instrument's exchange time (Asia/Hong_Kong for HKEX).
Everything that asks "what time is it" takes a Clock, so tests can stand at 10:15 HKT on a trading
day, at lunch, on a holiday or on a lock-up expiry.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol
from zoneinfo import ZoneInfo

HKEX_TZ = "Asia/Hong_Kong"
HONG_KONG = ZoneInfo(HKEX_TZ)
# Yahoo stamps an HKEX daily bar at the 09:30 open; reference points use the same stamp.
DAILY_BAR_LOCAL_TIME = dt.time(9, 30)


class Clock(Protocol):
    speed: float  # clock seconds per real second: 1 except in demo mode's fast-forward

    def now(self) -> dt.datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    speed = 1.0

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FastClock:
    """Runs `speed` times faster than real time from `start` (demo mode: a session in minutes)."""

    def __init__(self, start: dt.datetime, speed: float):
        self._start = start
        self._t0 = time.monotonic()
        self.speed = speed

    def now(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=(time.monotonic() - self._t0) * self.speed)


class FixedClock:
    """A clock that stands still until moved: for tests and for replaying the past."""

    speed = 1.0

    def __init__(self, at: dt.datetime):
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> dt.datetime:
        return self._at

    def advance(self, seconds: float) -> None:
        self._at += dt.timedelta(seconds=seconds)

    def set(self, at: dt.datetime) -> None:
        self._at = at


def epoch(at: dt.datetime) -> int:
    return int(at.timestamp())


def from_epoch(ts: int, tz: ZoneInfo | str = HONG_KONG) -> dt.datetime:
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return dt.datetime.fromtimestamp(ts, zone)


def daily_bar_ts(day: dt.date, tz: ZoneInfo | str = HONG_KONG) -> int:
    """Epoch of a daily bar for `day` as Yahoo stamps it (the 09:30 local open)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return epoch(dt.datetime.combine(day, DAILY_BAR_LOCAL_TIME, zone))


def local_date(ts: int, tz: ZoneInfo | str = HONG_KONG) -> dt.date:
    return from_epoch(ts, tz).date()


def midnight(day: dt.date, tz: ZoneInfo | str = HONG_KONG) -> int:
    """Epoch of the start of `day` on the exchange's clock: every bar before it is of an
    earlier trading day."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return epoch(dt.datetime.combine(day, dt.time(0), zone))


def trading_day(clock: Clock, tz: ZoneInfo | str = HONG_KONG) -> dt.date:
    """"Today" for a trader: the date on the exchange's clock (Hong Kong for HKEX), never
    the machine's or UTC's. At 01:00 HKT it is already tomorrow in Hong Kong, still today in
    UTC; portfolio dates, reference facts, rule expiries and export names all use this."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return clock.now().astimezone(zone).date()


def end_of_day(day: dt.date, tz: ZoneInfo | str = HONG_KONG) -> int:
    """The last second of `day` on the exchange's clock: a rule "expiring on" a day still
    watches that whole day."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return epoch(dt.datetime.combine(day, dt.time(23, 59, 59), zone))
