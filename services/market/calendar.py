"""When the exchange trades, from exchange_calendars (XHKG for HKEX), and when to poll.

Sessions carry the lunch break and half days; holidays have no session. The poll schedule:
every `interval` seconds in continuous trading, once after the closing auction (HKEX closes by a
random time between 16:08 and 16:10, so 16:12), and every `closed_interval` otherwise (often
enough to notice a schedule change, rarely enough to leave Yahoo alone).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

HKEX_CALENDAR = "XHKG"
POLL_INTERVAL_S = 60
CLOSED_INTERVAL_S = 30 * 60
AFTER_CLOSE_DELAY = dt.timedelta(minutes=12)  # past the 16:08-16:10 random close


class Phase(StrEnum):
    OPEN = "open"
    LUNCH = "lunch break"
    AFTER_CLOSE = "closing auction"  # between the close and the post-close poll
    CLOSED = "closed"


@dataclass(frozen=True)
class Session:
    """One trading day, all times aware UTC."""

    day: dt.date
    open: dt.datetime
    close: dt.datetime
    break_start: dt.datetime | None = None
    break_end: dt.datetime | None = None

    def continuous_periods(self) -> list[tuple[dt.datetime, dt.datetime]]:
        """Continuous trading: open to close, without the lunch break."""
        if self.break_start and self.break_end:
            return [(self.open, self.break_start), (self.break_end, self.close)]
        return [(self.open, self.close)]

    @property
    def after_close_poll(self) -> dt.datetime:
        return self.close + AFTER_CLOSE_DELAY

    def phase(self, at: dt.datetime) -> Phase:
        if at < self.open:
            return Phase.CLOSED
        if self.break_start and self.break_end and self.break_start <= at < self.break_end:
            return Phase.LUNCH
        if at < self.close:
            return Phase.OPEN
        if at < self.after_close_poll:
            return Phase.AFTER_CLOSE
        return Phase.CLOSED


class MarketClock:
    """Sessions of one exchange calendar. The calendar is built on first use (pandas-heavy),
    so creating a MarketClock on the GUI thread costs nothing."""

    def __init__(self, calendar: str = HKEX_CALENDAR):
        self._name = calendar
        self._calendar: Any = None
        self._lock = threading.Lock()
        # A day's session never changes; asking the calendar costs about a millisecond of
        # pandas, and the scheduler, the status bar and every alert pass ask again and again.
        self._sessions: dict[dt.date, Session | None] = {}

    def _cal(self) -> Any:
        with self._lock:
            if self._calendar is None:
                import exchange_calendars

                self._calendar = exchange_calendars.get_calendar(self._name, start="2025-01-01")
            return self._calendar

    @property
    def loaded(self) -> bool:
        """Whether the calendar library is loaded (loading takes about a second of pandas:
        never on the GUI thread)."""
        return self._calendar is not None

    def load(self) -> None:
        self._cal()

    def session(self, day: dt.date) -> Session | None:
        if day not in self._sessions:
            self._sessions[day] = self._session(day)
        return self._sessions[day]

    def _session(self, day: dt.date) -> Session | None:
        import pandas as pd

        cal = self._cal()
        label = pd.Timestamp(day)
        if label > cal.last_session or label < cal.first_session or not cal.is_session(label):
            return None

        def aware(value: Any) -> dt.datetime | None:
            return None if pd.isna(value) else value.to_pydatetime().astimezone(dt.UTC)

        open_, close = aware(cal.session_open(label)), aware(cal.session_close(label))
        assert open_ is not None and close is not None
        return Session(day, open_, close, aware(cal.session_break_start(label)),
                       aware(cal.session_break_end(label)))

    @property
    def name(self) -> str:
        return self._name

    def session_days(self) -> list[dt.date]:
        """Every session the calendar knows (from 2025 to about a year ahead)."""
        cal = self._cal()
        return [ts.date() for ts in cal.sessions_in_range(cal.first_session, cal.last_session)]

    def closures(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, bool, str]]:
        """Weekdays without trading (half day False) and half days (True) between two dates,
        within the calendar's range, with the holiday's name where the calendar has one."""
        import pandas as pd

        cal = self._cal()
        lo = max(pd.Timestamp(start), cal.first_session)
        hi = min(pd.Timestamp(end), cal.last_session)
        if lo > hi:
            return []
        sessions = {ts.date() for ts in cal.sessions_in_range(lo, hi)}
        early = {ts.date() for ts in cal.early_closes if lo <= ts <= hi}
        named = cal.regular_holidays.holidays(lo, hi, return_name=True)
        names = {ts.date(): str(name) for ts, name in named.items()}
        days = (lo.date() + dt.timedelta(days=i) for i in range((hi - lo).days + 1))
        return [(day, day in early, names.get(day, "")) for day in days
                if (day.weekday() < 5 and day not in sessions) or day in early]

    def first_session_on_or_after(self, day: dt.date) -> dt.date | None:
        """The first trading day on or after `day`; None beyond the calendar's horizon."""
        for offset in range(30):
            candidate = day + dt.timedelta(days=offset)
            if self.session(candidate) is not None:
                return candidate
        return None

    def trading_seconds(self, start: dt.datetime, end: dt.datetime) -> float:
        """Continuous-trading time between two instants: nights, weekends, holidays and the
        lunch break do not count, so a price last traded before lunch is not 'old' at 13:05."""
        total = 0.0
        day = self.local_day(start)
        while start < end and day <= self.local_day(end):
            session = self.session(day)
            if session is not None:
                for lo, hi in session.continuous_periods():
                    total += max(0.0, (min(hi, end) - max(lo, start)).total_seconds())
            day += dt.timedelta(days=1)
        return total

    def covers(self, day: dt.date) -> bool:
        """Whether the calendar knows this day (it spans a limited range of years)."""
        import pandas as pd

        cal = self._cal()
        return bool(cal.first_session <= pd.Timestamp(day) <= cal.last_session)

    def local_day(self, at: dt.datetime) -> dt.date:
        return at.astimezone(self._cal().tz).date()

    def phase(self, at: dt.datetime) -> Phase:
        session = self.session(self.local_day(at))
        return Phase.CLOSED if session is None else session.phase(at)

    def next_session(self, at: dt.datetime, days: int = 14) -> Session | None:
        """The next session whose post-close poll is still ahead of `at`."""
        day = self.local_day(at)
        for offset in range(days):
            session = self.session(day + dt.timedelta(days=offset))
            if session is not None and session.after_close_poll > at:
                return session
        return None


def next_poll_at(clock: MarketClock, now: dt.datetime, last_poll: dt.datetime | None,
                 interval_s: int = POLL_INTERVAL_S,
                 closed_interval_s: int = CLOSED_INTERVAL_S) -> dt.datetime:
    """When the next regular poll is due, given when the last one ran.

    Two moments of a session get one poll each even between regular polls: the lunch break
    (the morning's last bars) and the settled close (the official closing price).
    """
    if last_poll is None:
        return now
    session = clock.session(clock.local_day(now))
    if session is not None:
        for checkpoint in (session.break_start, session.after_close_poll):
            if checkpoint is not None and last_poll < checkpoint <= now:
                return now
        phase = session.phase(now)
        if phase == Phase.OPEN:
            return max(now, last_poll + dt.timedelta(seconds=interval_s))
        if phase == Phase.LUNCH and session.break_end is not None:
            return session.break_end
        if phase == Phase.AFTER_CLOSE:
            return session.after_close_poll
    due = last_poll + dt.timedelta(seconds=closed_interval_s)
    upcoming = clock.next_session(now)
    if upcoming is not None and upcoming.open > now:
        due = min(due, upcoming.open)
    return max(now, due)
