"""The live minutes an alert pass has not finished with, kept between passes, so that the poll
before a pass can say what it changed instead of the pass reading every symbol's new minutes
back from SQLite.

After each pass every book row keeps its bars after `done` (the minute still trading) and, when
its last read went through the kept values, the context of its day: local midnight to midnight,
the time of its daily bar, its session, the previous close and the highest daily price before
the day. The poll's changed rows (`BarsWritten`) then give each row's new minutes exactly, on
two conditions checked first: the connection's change count moved by the poll's own writes
alone, and no other connection committed since the last pass (`PRAGMA data_version`). When
anything is in doubt — a condition fails, a backfill, a minute already evaluated changed, a
daily bar other than the day's own changed, a row's bars are of another day or it has no
context — every row is read from SQLite, which also sets the context again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from db.market_repo import LIVE_SOURCES
from services.market.feed_types import BarsWritten


@dataclass(frozen=True)
class Handed:
    """A pass's bars from memory: every row's, by row then time."""

    row: np.ndarray
    bars: np.ndarray  # per bar: ts, high, low, close, partial (as floats; NULL prices NaN)


class LiveTail:
    """Lives with the Observations of one rule book."""

    def __init__(self) -> None:
        self.reset([])

    def reset(self, symbols: Sequence[str]) -> None:
        n = len(symbols)
        self._rows = {symbol: i for i, symbol in enumerate(symbols)}
        self.day = np.full(n, -1, dtype=np.int64)  # the context's day (ordinal), -1 none
        self._span = np.zeros((n, 3), dtype=np.int64)  # midnight, next midnight, daily bar
        # open, end (with the closing auction), lunch break start and end (0 none)
        self.session = np.zeros((n, 4))
        self.prev, self.daily = np.full(n, np.nan), np.full(n, np.nan)
        self._kept: list[tuple] = []  # (row, ts, high, low, close, partial)
        self._seen: tuple[sqlite3.Connection, int, int] | None = None

    def know(self, rows: np.ndarray, day: np.ndarray, span: np.ndarray, session: np.ndarray,
             prev: np.ndarray, daily: np.ndarray) -> None:
        """After every row was read: the context of those the kept values answered."""
        self.day[:] = -1
        self.day[rows], self._span[rows], self.session[rows] = day, span, session
        self.prev[rows], self.daily[rows] = prev, daily

    def keep(self, conn: sqlite3.Connection, data_version: int, row: np.ndarray,
             ts: np.ndarray, high: np.ndarray, low: np.ndarray, close: np.ndarray) -> None:
        """After the pass has committed: its bars after each row's `done` (all partial: `done`
        is the newest complete one) and where the connection stood."""
        self._kept = list(zip(row.tolist(), ts.tolist(), high.tolist(), low.tolist(),
                              close.tolist(), [1] * row.size, strict=True))
        self._seen = (conn, conn.total_changes, data_version)

    def take(self, conn: sqlite3.Connection, written: BarsWritten | None, data_version: int,
             since: np.ndarray, through: np.ndarray, known: np.ndarray) -> Handed | None:
        """Every row's bars after `since`, if the poll's changes answer them all; else None
        (read them). `through`: each row's kept day high covers its minutes up to there;
        `known`: the rows with an instrument (no other row is ever read)."""
        if written is None or self._seen is None:
            return None
        seen, changes, version = self._seen
        if (seen is not conn or version != data_version or written.changes_before != changes
                or conn.total_changes != written.changes_after):
            return None
        rows = self._rows
        if any(symbol in rows for symbol in written.whole):
            return None
        bars = list(self._kept)
        after, bar_ts, ours = since.tolist(), self._span[:, 2].tolist(), known.tolist()
        for symbol, interval, ts, high, low, close, source, partial in written.rows:
            i = rows.get(symbol)
            if i is None or not ours[i]:
                continue
            if interval == "1m":
                if ts <= after[i] or source not in LIVE_SOURCES:
                    return None  # an evaluated minute corrected, or a live minute replaced
                bars.append((i, ts, high, low, close, partial))
            elif interval == "1d" and ts != bar_ts[i]:
                return None  # the day's previous close or peak may have moved
        try:
            data = np.fromiter(chain.from_iterable(bars), float, 6 * len(bars))
        except TypeError:  # a NULL price: NaN
            data = np.array(bars, dtype=float)
        data = data.reshape(-1, 6)
        key = data[:, 0] * 2.0**32 + data[:, 1]  # (row, ts), exact in a float
        order = np.argsort(key, kind="stable")  # a kept minute the poll rewrote: it comes last
        key, data = key[order], data[order]
        newest = np.ones(key.size, dtype=bool)
        np.not_equal(key[1:], key[:-1], out=newest[:-1])
        data = data[newest]
        row, ts = data[:, 0].astype(np.int64), data[:, 1]
        ready = (self.day >= 0) & (through == since)
        if not (ready[row] & (ts >= self._span[row, 0]) & (ts < self._span[row, 1])).all():
            return None  # no context, or bars of another day
        return Handed(row, data[:, 1:])
