"""What the rules look at after a poll: each watched symbol's new live minutes with what the
metrics need (previous close, the peak before them, shares and the P/S factor), for every
symbol at once.

After a poll on the same connection they come from what the poll changed and what was kept
(`LiveTail`), without a read. Otherwise one statement reads every symbol's new minutes, one
more each symbol's previous close and kept figures (symbol_stats); the rest is numpy over the
stacked bars. Kept across polls: session bounds per day, shares and the P/S factor per (symbol,
day) until a reference fact changes, and each symbol's highest minute of the day so far.

That day high is checked on every poll against today's daily bar, which the poller writes from
the day's minutes: the kept high and the new bars must make exactly its high. A minute corrected
since it was seen changes the day's high (then the check fails) or lies below the new bars' top
(then the kept high is read again whenever the new bars reach it, unless the first of them is
their highest: every running peak the rules see includes it anyway). A symbol the kept values
cannot answer exactly (no kept figures, new bars on several days, a failed check) is read alone
(`path`, the reference), which starts its day high again.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

import numpy as np

from db import alert_repo
from services.alerts import one_symbol
from services.alerts.engine import Batch, Path
from services.alerts.live_tail import Handed, LiveTail
from services.core.clock import daily_bar_ts, local_date, midnight
from services.core.fx import FxTable
from services.core.models import Fundamentals, Instrument
from services.market.calendar import AFTER_CLOSE_DELAY, MarketClock
from services.market.feed_types import BarsWritten

EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_NO_SESSION = (0.0, 0.0, 0.0, 0.0)


class Observations:
    """Builds each poll's Batch; lives as long as the evaluator, reset with its rule book."""

    def __init__(self, market: MarketClock):
        self._market = market
        self._tail = LiveTail()
        self._sessions: dict[int, tuple[float, float, float, float]] = {}
        self._days: dict[int, tuple[int, int, int]] = {}  # zone * 10**7 + day: its times
        self._zones: list[str] = []  # the instruments' time zones, by index in `_zone`
        self.reset([])

    def reset(self, symbols: Sequence[str]) -> None:
        """A new rule book (rows moved): forget what was kept by row."""
        n = len(symbols)
        self._tail.reset(symbols)
        self._hk = np.array([s.endswith(".HK") for s in symbols], dtype=bool)
        # per row: the day its shares and P/S factor are of
        self._values_day = np.full(n, -1, dtype=np.int64)
        self._values_version = -1  # and the row's time zone, read again with the facts
        self._zone = np.zeros(n, dtype=np.int64)
        self._known = np.zeros(n, dtype=bool)  # has an instrument (else never read)
        self._shares, self._factor = np.full(n, np.nan), np.full(n, np.nan)
        # per book row: the day (its local midnight) and the newest minute `day_high` covers
        self._day_start = np.full(n, -1, dtype=np.int64)
        self._through = np.full(n, -1, dtype=np.int64)
        self._day_high = np.full(n, np.nan)
        # the last batch's bars after each row's `done` (and the data_version it was read at)
        self._pending: tuple = (0, *(np.empty(0),) * 5)

    def batch(self, conn: sqlite3.Connection, symbols: Sequence[str], since: np.ndarray,
              instruments: Mapping[str, Instrument], funds: Mapping[str, Fundamentals],
              fx: FxTable, reference_version: int, written: BarsWritten | None = None,
              data_version: int = 0) -> Batch:
        """Every symbol's live minutes after `since` (its row's), as a Batch over `symbols`.
        `written`: what the poll just before changed on `conn` (LiveTail), `data_version` the
        connection's PRAGMA data_version now."""
        if reference_version != self._values_version:
            self._values_day[:] = -1
            self._values_version = reference_version
            names = [instruments[s].timezone if s in instruments else "" for s in symbols]
            self._zones = sorted(set(names))
            self._days.clear()
            self._zone = np.array([self._zones.index(z) for z in names], dtype=np.int64)
            self._known = np.array([s in instruments for s in symbols], dtype=bool)
            written = None  # zones, sessions or listings may have changed: read everything
        handed = self._tail.take(conn, written, data_version, since, self._through,
                                 self._known)
        if handed is not None:
            return self._recall(handed, symbols, instruments, funds, fx, data_version)
        n = len(symbols)
        columns, peak, done = self._read(conn, symbols, since, instruments, funds, fx)
        row, ts, high, low, close = columns[:5]
        later = ts > done[row]
        self._pending = (data_version, row[later], ts[later], high[later], low[later],
                         close[later])
        return Batch.from_columns(n, *columns, peak, done)

    def committed(self, conn: sqlite3.Connection) -> None:
        """The pass has written what it had to: keep its live tail for the next one."""
        self._tail.keep(conn, *self._pending)

    def _recall(self, handed: Handed, symbols: Sequence[str],
                instruments: Mapping[str, Instrument], funds: Mapping[str, Fundamentals],
                fx: FxTable, data_version: int) -> Batch:
        """The Batch of a pass whose bars the poll's changes answered, built as the engine
        keeps it, (symbols x bars), each row's context a constant of its row."""
        n, tail, row = len(symbols), self._tail, handed.row
        counts = np.bincount(row, minlength=n)
        held = counts > 0
        width = int(counts.max(initial=0))
        grid = np.empty((n, width, 5))  # per cell: ts, high, low, close, partial
        grid.fill(np.nan)
        grid[:, :, 0] = 0  # padding: ts 0, prices NaN
        grid[row, np.arange(row.size) - (np.cumsum(counts) - counts)[row]] = handed.bars
        ts = grid[:, :, 0].astype(np.int64)
        high, low, close = grid[:, :, 1], grid[:, :, 2], grid[:, :, 3]
        day = np.where(held, tail.day, 0)
        new_day = (held & (self._values_day != day)).nonzero()[0]
        self._value_days(new_day, day[new_day], symbols, instruments, funds, fx)
        opens, ends, lunch, after_lunch = tail.session.T[:, :, None]
        valid = (np.isfinite(grid[:, :, 1:4]).all(axis=2) & (low > 0)
                 & (~self._hk[:, None] | ((ts >= opens) & (ts < ends)
                                          & ~((ts >= lunch) & (ts < after_lunch)))))
        peak = np.where(held, np.fmax(tail.daily, self._day_high), np.nan)
        newest = np.where(grid[:, :, 4] == 1, -1, ts).max(axis=1, initial=0)
        done = np.where(held, np.where(newest > 0, newest, ts[:, 0] - 1 if width else 0), 0)
        final = np.where(ts <= done[:, None], np.where(np.isnan(high), close, high), np.nan)
        rows = held.nonzero()[0]
        self._extend_day_high(rows, np.fmax.reduce(final, axis=1, initial=np.nan)[rows], done)
        later = ts > done[:, None]
        self._pending = (data_version, np.nonzero(later)[0], ts[later], high[later],
                         low[later], close[later])
        cell = ts > 0

        def per_row(values: np.ndarray, padding: float) -> np.ndarray:
            return np.where(cell, values[:, None], padding)

        return Batch.padded(ts, high, low, close, valid, per_row(day, 0).astype(np.int64),
                            per_row(tail.prev, np.nan), per_row(self._shares, np.nan),
                            per_row(self._factor, np.nan), peak, done)

    def _read(self, conn: sqlite3.Connection, symbols: Sequence[str], since: np.ndarray,
              instruments: Mapping[str, Instrument], funds: Mapping[str, Fundamentals],
              fx: FxTable) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """The Batch columns, peaks and progress of every row, read from SQLite; what the kept
        values answered becomes the live tail's context."""
        n = len(symbols)
        rows = alert_repo.new_minute_bars(conn, [
            (i, symbols[i], int(since[i])) for i in np.flatnonzero(self._known).tolist()])
        data = np.array(rows, dtype=float).reshape(-1, 6)  # NULL prices become NaN
        row, ts = data[:, 0].astype(np.int64), data[:, 1].astype(np.int64)
        high, low, close, partial = data[:, 2], data[:, 3], data[:, 4], data[:, 5] != 0
        counts = np.bincount(row, minlength=n)
        held = np.flatnonzero(counts)
        first = (np.cumsum(counts) - counts)[held]
        day = self._local_days(ts, self._zone[row])
        mark = np.where(np.isnan(high), close, high)
        complete = np.where(partial, -1, ts)
        done = np.zeros(n, dtype=np.int64)
        if held.size:
            newest = np.maximum.reduceat(complete, first)
            done[held] = np.where(newest >= 0, newest, ts[first] - 1)
        spans = self._spans(self._zone[held], day[first])
        fast = self._fast(conn, symbols, since, held, first, spans, day, high, mark)
        answered = fast[1][held]
        known, days = held[answered], day[first][answered]
        self._tail.know(known, days, spans[answered],
                        np.array([self._session(d) for d in days.tolist()]).reshape(-1, 4),
                        fast[0][known], fast[2][known])

        take = np.repeat(answered, counts[held])
        columns = self._columns(symbols, instruments, funds, fx, fast[0], row[take], ts[take],
                                high[take], low[take], close[take], day[take])
        peak = np.where(fast[1], np.fmax(fast[2], self._day_high), np.nan)
        for k in np.flatnonzero(~answered):
            i = int(held[k])
            symbol, ins = symbols[i], instruments[symbols[i]]
            path = self.path(conn, symbol, ins, int(since[i]), funds.get(symbol, Fundamentals(
                (), ())), fx)
            self._restart_day_high(conn, i, symbol, path, spans[k], int(since[i]))
            peak[i] = path.peak_before
            columns = [np.concatenate([have, more]) for have, more in zip(columns, (
                np.full(len(path), i), path.ts, path.high, path.low, path.close, path.valid,
                [dt.date.fromisoformat(d).toordinal() for d in path.days], path.prev_close,
                path.shares, path.ps_factor), strict=True)]
        if not answered.all():  # rows read alone came last: by row, bars kept in order
            order = np.argsort(columns[0], kind="stable")
            columns = [c[order] for c in columns]
        if held.size:
            final = np.where(ts <= np.repeat(done[held], counts[held]), mark, np.nan)
            self._extend_day_high(held, np.fmax.reduceat(final, first), done)
        return columns, peak, done

    def _fast(self, conn: sqlite3.Connection, symbols: Sequence[str], since: np.ndarray,
              held: np.ndarray, first: np.ndarray, spans: np.ndarray, day: np.ndarray,
              high: np.ndarray, mark: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row: the previous close, whether the kept values answer it exactly, and the
        highest daily price before its bars' day."""
        n = len(symbols)
        prev, fast, daily = np.full(n, np.nan), np.zeros(n, dtype=bool), np.full(n, np.nan)
        if not held.size:
            return prev, fast, daily
        last = np.append(first[1:], day.size) - 1
        one_day = day[first] == day[last]
        ask = held[one_day]
        context = np.array(alert_repo.day_context(conn, [
            (i, symbols[i], start) for i, start in zip(
                ask.tolist(), spans[one_day, 0].tolist(), strict=True)]),
            dtype=float).reshape(-1, 7)
        _, prev_close, last_ts, last_high, last_close, peak, prefix_ts = context.T
        start, end, bar_ts = spans[one_day].T
        day_mark = np.where(np.isnan(last_high), last_close, last_high)
        seen = np.fmax(self._day_high[ask], np.fmax.reduceat(mark, first)[one_day])
        # today's daily bar is the newest, every other one is of an earlier day, the day
        # high kept runs to where these bars start, and with them it makes the day's high
        ok = ((last_ts == bar_ts) & (last_ts >= start) & (last_ts < end)
              & ~(prefix_ts >= start) & (self._day_start[ask] == start)
              & (self._through[ask] == since[ask]) & (seen == day_mark))
        prev[ask], fast[ask], daily[ask] = prev_close, ok, peak
        # New bars that reach the kept day high could hide an earlier minute corrected up to
        # them; the rules cannot tell when the first new bar is the highest (every running peak
        # includes it), otherwise those rows read their day high again.
        top = np.fmax.reduceat(mark, first)
        again = held[fast[held] & ~(top < self._day_high[held]) & ~(high[first] >= top)]
        if again.size:
            found = alert_repo.minute_peaks(conn, [
                (i, symbols[i], int(self._day_start[i]), int(since[i])) for i in again.tolist()])
            self._day_high[again] = np.array([top for _, top in found], dtype=float)
        return prev, fast, daily

    def _columns(self, symbols: Sequence[str], instruments: Mapping[str, Instrument],
                 funds: Mapping[str, Fundamentals], fx: FxTable, prev: np.ndarray,
                 row: np.ndarray, ts: np.ndarray, high: np.ndarray, low: np.ndarray,
                 close: np.ndarray, day: np.ndarray) -> list[np.ndarray]:
        """The Batch columns of the rows answered from kept values (one day each)."""
        starts = np.flatnonzero(np.diff(row, prepend=-1))
        new_day = starts[self._values_day[row[starts]] != day[starts]]
        self._value_days(row[new_day], day[new_day], symbols, instruments, funds, fx)
        shares, factor, hk = self._shares[row], self._factor[row], self._hk[row]
        valid = (np.isfinite(high) & np.isfinite(low) & np.isfinite(close) & (low > 0)
                 & (~hk | self._in_sessions(ts, day)))
        return [row, ts, high, low, close, valid, day, prev[row], shares, factor]

    def _value_days(self, rows: np.ndarray, days: np.ndarray, symbols: Sequence[str],
                    instruments: Mapping[str, Instrument], funds: Mapping[str, Fundamentals],
                    fx: FxTable) -> None:
        """Each row's shares and P/S factor on a new day of its bars, kept for that day."""
        for i, day in zip(rows.tolist(), days.tolist(), strict=True):
            symbol = symbols[i]
            self._values_day[i] = day
            self._shares[i], self._factor[i] = one_symbol.shares_and_ps_factor(
                instruments[symbol].currency, dt.date.fromordinal(day),
                funds.get(symbol, Fundamentals((), ())), fx)

    def _in_sessions(self, ts: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Inside continuous trading or the closing auction of the bar's day (HKEX)."""
        if not day.size or day[0] == day[-1] == day.min():  # one day: no grouping needed
            days, at = day[:1], np.zeros(day.size, dtype=np.int64)
        else:
            days, at = np.unique(day, return_inverse=True)
        bounds = np.array([self._session(int(d)) for d in days]).reshape(-1, 4)[at].T
        opens, ends, break_start, break_end = bounds
        return (ts >= opens) & (ts < ends) & ~((ts >= break_start) & (ts < break_end))

    def _session(self, ordinal: int) -> tuple[float, float, float, float]:
        if ordinal not in self._sessions:
            session = self._market.session(dt.date.fromordinal(ordinal))
            self._sessions[ordinal] = _NO_SESSION if session is None else (
                session.open.timestamp(), (session.close + AFTER_CLOSE_DELAY).timestamp(),
                *((session.break_start.timestamp(), session.break_end.timestamp())
                  if session.break_start and session.break_end else (0.0, 0.0)))
        return self._sessions[ordinal]

    def _local_days(self, ts: np.ndarray, zone: np.ndarray) -> np.ndarray:
        """Each bar's exchange-local date (its zone by index in `_zones`) as an ordinal."""
        day = np.zeros(ts.size, dtype=np.int64)
        for code in range(len(self._zones)):
            mine = slice(None) if len(self._zones) == 1 else zone == code
            times = ts[mine]
            if not times.size:  # (a symbol without an instrument has no zone and no bars)
                continue
            tz = ZoneInfo(self._zones[code])
            first, last = int(times.min()), int(times.max())
            offsets = {dt.datetime.fromtimestamp(t, tz).utcoffset() for t in (first, last)}
            # the same UTC offset at both ends of less than a month (offsets change months
            # apart): one offset for all, plain arithmetic
            if len(offsets) == 1 and last - first < 28 * 86400:
                shift = int(offsets.pop().total_seconds())  # type: ignore[union-attr]
                day[mine] = (times + shift) // 86400 + EPOCH_ORDINAL
            else:
                day[mine] = [local_date(int(t), tz).toordinal() for t in times]
        return day

    def _spans(self, zone: np.ndarray, ordinal: np.ndarray) -> np.ndarray:
        """(local midnight, next midnight, daily bar time) of each (zone, day)."""
        key = zone * 10_000_000 + ordinal
        if key.size and key[0] == key.min() == key.max():  # one zone, one day: no grouping
            keys, at = key[:1], np.zeros(key.size, dtype=np.int64)
        else:
            keys, at = np.unique(key, return_inverse=True)
        for key in keys.tolist():
            if key not in self._days:
                name, date = self._zones[key // 10_000_000], dt.date.fromordinal(
                    key % 10_000_000)
                self._days[key] = (midnight(date, name),
                                   midnight(date + dt.timedelta(days=1), name),
                                   daily_bar_ts(date, name))
        return np.array([self._days[key] for key in keys.tolist()],
                        dtype=np.int64).reshape(-1, 3)[at]

    def _restart_day_high(self, conn: sqlite3.Connection, i: int, symbol: str, path: Path,
                          span: np.ndarray, since: int) -> None:
        """The day high of a row read alone, from its minutes up to where its new bars start
        (only when they are all of one day: the next poll's starts there)."""
        self._day_start[i] = -1
        if len(path) and path.days[0] == path.days[-1]:
            [(_, top)] = alert_repo.minute_peaks(conn, [(i, symbol, int(span[0]), since)])
            self._day_start[i], self._through[i] = span[0], since
            self._day_high[i] = np.nan if top is None else top

    def _extend_day_high(self, rows: np.ndarray, top: np.ndarray, done: np.ndarray) -> None:
        """Fold the highest of this poll's final bars of each row (`top`) into its day high;
        the partial one is read again next time."""
        kept = self._day_start[rows] >= 0
        rows = rows[kept]
        self._day_high[rows] = np.fmax(self._day_high[rows], top[kept])
        self._through[rows] = done[rows]

    def path(self, conn: sqlite3.Connection, symbol: str, ins: Instrument, after: int,
             funds: Fundamentals, fx: FxTable) -> Path:
        """One symbol read alone (`one_symbol.path`): where the kept values cannot answer."""
        return one_symbol.path(conn, self._market, symbol, ins, after, funds, fx)
