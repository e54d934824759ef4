"""Bars a quote source should never have sent, dropped before they are stored.

Yahoo now and then answers with bars stamped in the future or long before the listing, with
zero or negative prices, a high below the low, minute bars at night or on a holiday, or the
same timestamp twice. Stored, such a bar would draw spikes, move drawdowns and fire alerts.
Each fetched answer is checked against its instrument (listing date, time zone) and, for HKEX
minute bars, against the exchange's sessions; the bad bars are dropped and counted by reason
(the feed's health says how many), the good ones stored. A repeated timestamp keeps the last
bar sent (the newer observation).
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import Counter
from dataclasses import replace

from services.core.clock import local_date
from services.core.tickers import is_hkex
from services.market.bars import Bar
from services.market.calendar import MarketClock, Session
from services.market.feed_types import Fetched

# A bar may start this far after `now` (clocks of Yahoo and this machine differ a little).
FUTURE_GRACE_S = 120
# Grey-market and listing-day quirks: bars up to a week before the listing date are kept.
LISTING_GRACE = dt.timedelta(days=7)
# Minute bars a little outside the session (opening and closing auctions) are real.
SESSION_SLACK = dt.timedelta(minutes=30)


def price_problem(bar: Bar) -> str | None:
    """Why the bar's prices cannot be real, or None."""
    _, open_, high, low, close, volume = bar
    if not (math.isfinite(close) and close > 0):
        return "a close that is not above zero"
    if any(math.isfinite(v) and v <= 0 for v in (open_, high, low)):
        return "a zero or negative price"
    if math.isfinite(high) and math.isfinite(low) and high < low:
        return "a high below the low"
    if volume < 0:
        return "a negative volume"
    return None


class BarCheck:
    """The checks of one poll: `now`, each symbol's listing date and the exchange's sessions.
    `clean` may be called from several fetch threads; counts are kept under a lock."""

    def __init__(self, listings: dict[str, str | None], now: int,
                 market: MarketClock | None = None):
        self._listings = listings
        self._now = now
        self._market = market
        self._sessions: dict[dt.date, Session | None] = {}
        self._dropped: dict[str, Counter[str]] = {}
        self._lock = threading.Lock()

    def clean(self, symbol: str, tz: str, fetched: Fetched) -> Fetched:
        """The answer with its bad bars dropped (and counted) and each timestamp once."""
        latest: dict[int, Bar] = {}
        for bar in fetched.bars:
            latest[bar[0]] = bar  # the last of a repeated timestamp wins
        kept: list[Bar] = []
        why: Counter[str] = Counter()
        listing = self._listing(symbol)
        sessions = fetched.interval == "1m" and is_hkex(symbol) and self._market is not None
        for ts, bar in sorted(latest.items()):
            problem = price_problem(bar)
            if problem is None and ts > self._now + FUTURE_GRACE_S:
                problem = "a time in the future"
            if problem is None and listing is not None and \
                    local_date(ts, tz) < listing - LISTING_GRACE:
                problem = "a date long before the listing"
            if problem is None and sessions and not self._in_session(ts):
                problem = "a time outside the trading session"
            if problem is None:
                kept.append(bar)
            else:
                why[problem] += 1
        if why:
            with self._lock:
                self._dropped.setdefault(symbol, Counter()).update(why)
        return fetched if len(kept) == len(fetched.bars) else replace(fetched, bars=tuple(kept))

    def dropped(self, symbol: str) -> tuple[int, str]:
        """(how many bars of `symbol` were dropped, why in words) so far in this poll."""
        with self._lock:
            why = self._dropped.get(symbol)
            if not why:
                return 0, ""
            total = sum(why.values())
            return total, ", ".join(f"{n} with {reason}" for reason, n in why.most_common())

    def _listing(self, symbol: str) -> dt.date | None:
        text = self._listings.get(symbol)
        try:
            return dt.date.fromisoformat(text) if text else None
        except ValueError:
            return None

    def _in_session(self, ts: int) -> bool:
        """Within a session's hours (with auction slack); bars of days the calendar does not
        cover are not judged."""
        assert self._market is not None
        at = dt.datetime.fromtimestamp(ts, dt.UTC)
        day = self._market.local_day(at)
        if not self._market.covers(day):
            return True
        if day not in self._sessions:
            self._sessions[day] = self._market.session(day)
        session = self._sessions[day]
        return session is not None and \
            session.open - SESSION_SLACK <= at <= session.close + SESSION_SLACK
