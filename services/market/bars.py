"""Small bar arithmetic shared by the poller, the demo feed and the tests' fake Yahoo."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from services.core.clock import HKEX_TZ, daily_bar_ts, local_date

Bar = tuple[int, float, float, float, float, int]  # ts, open, high, low, close, volume


def daily_from_minutes(minute_bars: Sequence[Bar], tz: str = HKEX_TZ) -> list[Bar]:
    """One daily bar a local date (stamped at the 09:30 open, as Yahoo does) from its minutes."""
    days: dict[dt.date, list[Bar]] = {}
    for bar in minute_bars:
        days.setdefault(local_date(bar[0], tz), []).append(bar)
    return [
        (daily_bar_ts(day, tz), _known(bars[0][1], bars[0][4]),
         max(_known(b[2], b[4]) for b in bars), min(_known(b[3], b[4]) for b in bars),
         bars[-1][4], sum(b[5] or 0 for b in bars))
        for day, bars in sorted(days.items())
    ]


def _known(value: float | None, close: float) -> float:
    """A bar's open, high or low, or its close where the feed left it out (stored as NULL)."""
    return close if value is None or math.isnan(value) else value
