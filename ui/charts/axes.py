"""Axes the price chart needs beyond pyqtgraph's: a time axis for bars drawn by index (so the
lunch break and nights take no room) and a price axis that stays readable on a log scale."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyqtgraph as pg

from services.core.clock import from_epoch
from ui.charts.theme import UTC_OFFSET_HK

MINUTE_STEPS = (1, 5, 15, 30, 60, 120)
TICK_PX = 70  # at least this far apart, so the labels never run together
MANTISSA_SETS = ((1,), (1, 2, 5), (1, 1.5, 2, 3, 5, 7), (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9))


class SessionAxis(pg.DateAxisItem):
    """Real time (a DateAxisItem) until `set_bars` gives bar times: then x is the bar's index and
    the ticks fall on round minutes of the exchange's clock, a session's first bar labelled with
    its date."""

    def __init__(self, orientation: str = "bottom"):
        super().__init__(orientation, utcOffset=UTC_OFFSET_HK)
        self.ts: np.ndarray | None = None
        self._minutes = np.empty(0, dtype=np.int64)
        self._starts: list[int] = []  # each session's first bar, in order
        self._start_set: set[int] = set()
        self._tz = "Asia/Hong_Kong"

    def set_bars(self, ts: np.ndarray | None, tz: str = "Asia/Hong_Kong") -> None:
        """Index mode for `ts` (bar times, epoch seconds); None: real time again."""
        self.ts, self._tz = ts, tz
        if ts is not None and ts.size:
            zone_offset = from_epoch(int(ts[0]), tz).utcoffset() or dt.timedelta(0)
            offset = int(zone_offset.total_seconds())  # HKEX: no daylight saving
            local = ts.astype(np.int64) + offset
            self._minutes = (local // 60) % 1440
            days = local // 86400
            self._starts = [0, *(np.flatnonzero(np.diff(days)) + 1).tolist()]
            self._start_set = set(self._starts)
        self.picture = None
        self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N803
        if self.ts is None:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = max(int(np.ceil(minVal)), 0), min(int(np.floor(maxVal)), self.ts.size - 1)
        if hi < lo:
            return []
        room = max(int(size / TICK_PX), 2)
        starts = [i for i in self._starts if lo <= i <= hi]
        if len(starts) > room:  # many sessions in view: every n-th session's date
            starts = starts[::-(-len(starts) // room)]
        minor: list[int] = []
        spacing = float(hi - lo + 1)
        if hi - lo <= room * MINUTE_STEPS[-1]:  # else only dates fit
            for step in MINUTE_STEPS:
                picked = lo + np.flatnonzero(self._minutes[lo:hi + 1] % step == 0)
                if picked.size + len(starts) <= room:
                    minor = [int(i) for i in picked if int(i) not in self._start_set]
                    spacing = float(step)  # about a bar a minute
                    break
        # keep a minor tick only where it does not crowd a session's first bar
        gap = (hi - lo + 1) / room
        minor = [i for i in minor if all(abs(i - s) >= gap * 0.8 for s in starts)]
        return [(float(hi - lo + 1), [float(i) for i in starts]),
                (spacing, [float(i) for i in minor])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if self.ts is None:
            return super().tickStrings(values, scale, spacing)
        labels = []
        for value in values:
            i = round(value)
            if not 0 <= i < self.ts.size:
                labels.append("")
                continue
            when = from_epoch(int(self.ts[i]), self._tz)
            labels.append(when.strftime("%d %b" if i in self._start_set else "%H:%M"))
        return labels


def nice_price_ticks(lo: float, hi: float, room: int) -> list[float]:
    """Round prices between lo and hi, at most `room`, the roundest set that fills the room
    (1-2-5 before 1-1.5-2-3-5-7 before every mantissa); plain steps on a narrow range."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo <= 0 or hi <= lo:
        return []
    decades = range(int(np.floor(np.log10(lo))) - 1, int(np.ceil(np.log10(hi))) + 1)
    chosen: list[float] = []
    for mantissas in MANTISSA_SETS:
        inside = sorted(m * 10.0 ** k for k in decades for m in mantissas
                        if lo <= m * 10.0 ** k <= hi)
        if len(inside) > room:
            break
        chosen = inside
    if len(chosen) >= 3:
        return chosen
    step = 10.0 ** np.floor(np.log10((hi - lo) / 4))  # a narrow range: plain round steps
    for factor in (1, 2, 2.5, 5, 10):
        if (hi - lo) / (step * factor) <= max(room, 3):
            step *= factor
            break
    return [float(v) for v in np.arange(np.ceil(lo / step) * step, hi + step * 1e-9, step)]


class PriceAxis(pg.AxisItem):
    """On a log scale, ticks at round prices labelled as prices (never 10^x)."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N803
        if not self.logMode or not -300 < minVal < maxVal < 300:
            return super().tickValues(minVal, maxVal, size)
        ticks = nice_price_ticks(10.0 ** minVal, 10.0 ** maxVal, max(int(size / 28), 2))
        return [(1.0, [float(np.log10(v)) for v in ticks])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        return [price_label(10.0 ** v) for v in values]


def price_label(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value >= 1 else f"{value:.3g}"
