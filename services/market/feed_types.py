"""What a quote source hands the poller and how it fails, and what a poll tells the readers on
its connection: values shared by the Yahoo source, the demo feed, the poller and the alert
pass, without importing yfinance."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class ErrorKind(StrEnum):
    RATE_LIMIT = "rate limit"
    NOT_FOUND = "not found"
    TRANSPORT = "cannot reach Yahoo"
    MALFORMED = "malformed data"
    CURRENCY = "currency mismatch"


class FeedError(Exception):
    def __init__(self, kind: ErrorKind, symbol: str, detail: str):
        super().__init__(f"{symbol}: {kind}: {detail}")
        self.kind = kind
        self.symbol = symbol
        self.detail = detail


@dataclass(frozen=True)
class QuoteMeta:
    """The chart response's metadata: the latest trade and the market it trades on."""

    symbol: str
    currency: str
    price: float
    ts: int  # regularMarketTime, UTC epoch seconds
    previous_close: float | None
    timezone: str
    exchange: str


@dataclass(frozen=True)
class Fetched:
    """Bars as (ts, open, high, low, close, volume) tuples plus the metadata of the response."""

    symbol: str
    interval: str
    bars: tuple[tuple[int, float, float, float, float, int], ...]
    meta: QuoteMeta


# Checks a symbol a trader adds (one small request); raises FeedError.
Verify = Callable[[str], QuoteMeta]


@dataclass(frozen=True)
class BarsWritten:
    """What one poll changed in `bars`, for a reader on the poll's connection that would
    otherwise read it back (the alert pass): the rows its upserts actually changed
    (market_repo.CHANGED_COLUMNS), the symbols stored whole (backfills, read back instead), and
    the connection's change count before its first write and after its last, so the reader
    can tell that nothing else was written on that connection in between."""

    changes_before: int
    changes_after: int
    rows: tuple[tuple, ...] = ()
    whole: frozenset[str] = frozenset()


# Called inside the poll's write transaction with its connection, to write something of the
# caller's in the same commit; returns what to call once that transaction has committed.
AlsoWrite = Callable[[sqlite3.Connection], Callable[[], None]]
