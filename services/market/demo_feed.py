"""Demo mode's simulated market: a random walk from the last stored price, on a fast clock.

Only behind the explicit --demo switch, in its own database; every bar it makes has source
'demo', so nothing it produces can pass for a Yahoo price.
"""

from __future__ import annotations

import datetime as dt
import random

from services.core.clock import HKEX_TZ, Clock, FastClock, epoch, local_date
from services.market.bars import Bar, daily_from_minutes
from services.market.calendar import MarketClock, Phase
from services.market.feed_types import Fetched, QuoteMeta

DEMO_SPEED = 30.0  # a 5.5-hour HKEX session passes in 11 minutes
KEEP_SESSIONS = 5  # the minutes held in memory: what a '5d' request returns


def demo_clock(market: MarketClock, real_now: dt.datetime,
               resume_ts: int | None = None) -> FastClock:
    """A fast clock half an hour into the latest session up to today (so there is a morning
    to backfill), running DEMO_SPEED times faster than real time. `resume_ts`, the newest
    stored DEMO minute: when it lies in that session the clock goes on just after it, so a
    restart continues the day instead of rewinding and simulating its minutes again."""
    day = market.local_day(real_now)
    for _ in range(14):
        session = market.session(day)
        if session is not None:
            start = session.open + dt.timedelta(minutes=30)
            if resume_ts is not None and session.open.timestamp() <= resume_ts \
                    < session.close.timestamp() + 3600:
                start = max(start, dt.datetime.fromtimestamp(resume_ts + 60, dt.UTC))
            return FastClock(start, DEMO_SPEED)
        day -= dt.timedelta(days=1)
    raise RuntimeError("no HKEX session in the last two weeks")


class DemoQuoteSource:
    name = "demo"

    def __init__(self, clock: Clock, market: MarketClock, start_prices: dict[str, float],
                 seed: int = 2026, stored: dict[str, list[Bar]] | None = None):
        """`stored`: the session's DEMO minutes already in the database, per symbol; the walk
        goes on from the last of them, and today's daily bar keeps them."""
        self._clock = clock
        self._market = market
        self._start = start_prices
        self._seed = seed
        self._minutes: dict[str, list[Bar]] = {s: list(b) for s, b in (stored or {}).items()}
        # next minute to simulate, epoch
        self._cursor: dict[str, int] = {s: b[-1][0] + 60 for s, b in self._minutes.items() if b}
        # minutes simulated so far (seeds the walk; memory keeps only the latest sessions)
        self._made: dict[str, int] = {s: len(b) for s, b in self._minutes.items()}

    def fetch(self, symbol: str, interval: str, period: str, currency: str | None) -> Fetched:
        """Same contract as YahooQuoteSource.fetch, from the simulation. Worker thread only."""
        bars = self._advance(symbol)
        tz = HKEX_TZ
        days = sorted({local_date(b[0], tz) for b in bars})
        if len(days) > KEEP_SESSIONS:  # older minutes are in the database: memory stays flat
            days = days[-KEEP_SESSIONS:]
            del bars[:next(i for i, b in enumerate(bars) if local_date(b[0], tz) >= days[0])]
        keep = set(days[-1:] if period == "1d" else days)
        chosen = [b for b in bars if local_date(b[0], tz) in keep]
        if interval == "1d":
            chosen = daily_from_minutes(chosen, tz)
        start = self._start.get(symbol, 100.0)
        last = bars[-1] if bars else (epoch(self._clock.now()), start, start, start, start, 0)
        previous = [b for b in daily_from_minutes(bars, tz)
                    if local_date(b[0], tz) < local_date(last[0], tz)]
        meta = QuoteMeta(symbol, currency or "HKD", last[4], last[0] + 59,
                         previous[-1][4] if previous else start, tz, "DEMO")
        return Fetched(symbol, interval, tuple(chosen), meta)

    def _advance(self, symbol: str) -> list[Bar]:
        """Simulate every trading minute from where the walk stopped up to the clock's now."""
        bars = self._minutes.setdefault(symbol, [])
        made = self._made.get(symbol, 0)
        rng = random.Random(f"{self._seed}:{symbol}:{made}")
        now = epoch(self._clock.now())
        minute = self._cursor.get(symbol, now - now % 60 - 2 * 3600)
        price = bars[-1][4] if bars else self._start.get(symbol, 100.0)
        held = len(bars)
        while minute + 60 <= now:
            at = dt.datetime.fromtimestamp(minute, dt.UTC)
            if self._market.phase(at) == Phase.OPEN:
                open_ = price
                price = max(0.01, round(price * (1 + rng.gauss(0.0, 0.0025)), 2))
                high = round(max(open_, price) * (1 + abs(rng.gauss(0, 0.001))), 2)
                low = round(min(open_, price) * (1 - abs(rng.gauss(0, 0.001))), 2)
                bars.append((minute, open_, high, low, price, rng.randint(1, 80) * 100))
            minute += 60
        self._cursor[symbol] = minute
        self._made[symbol] = made + len(bars) - held
        return bars
