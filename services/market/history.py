"""Stored bars as numpy arrays: what charts and per-symbol figures read, without lists of dicts
(loading columns straight into arrays is about twice as fast)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from db import market_repo
from services.core.clock import local_date, midnight

SOURCE_CODES = market_repo.SOURCE_CODES


@dataclass(frozen=True)
class BarSeries:
    """Bars of one symbol and interval; prices NaN where a bar has none (reference points)."""

    symbol: str
    interval: str
    currency: str
    ts: np.ndarray  # float64 epoch seconds (pyqtgraph's x)
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    source: np.ndarray  # SOURCE_CODES

    def __len__(self) -> int:
        return int(self.ts.size)

    def of_source(self, name: str) -> np.ndarray:
        return self.source == SOURCE_CODES[name]

    @classmethod
    def from_rows(cls, symbol: str, interval: str, currency: str,
                  rows: Sequence[tuple]) -> BarSeries:
        matrix = np.array(rows, dtype=float).reshape(-1, 7)
        return cls(symbol, interval, currency, *(matrix[:, i].copy() for i in range(7)))


def load_bars(conn: sqlite3.Connection, symbol: str, currency: str, interval: str,
              start: int = 0, end: int = 2**62) -> BarSeries:
    rows = market_repo.bar_matrix(conn, symbol, interval, start, end)
    return BarSeries.from_rows(symbol, interval, currency, rows)


def peak_before(conn: sqlite3.Connection, symbol: str, ts: int, tz: str) -> float | None:
    """The highest price stored before `ts`, read in time bounded by days, not minutes."""
    return market_repo.peak_before(conn, symbol, ts, midnight(local_date(ts, tz), tz))
