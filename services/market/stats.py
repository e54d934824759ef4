"""Peak, maximum drawdown, 52-week high and average volume of each symbol, kept as bars are
written (in the writer's transaction, on the writer's thread), so the window never reads a
symbol's whole history to show them.

The state is a fold over the daily bars in time order. It is stored as the fold of every bar
before the newest one plus the newest bar itself, because the newest bar is the one that keeps
changing (today's partial bar): replacing it costs one step, not a rescan. A change to an older
bar (a backfill, an import, a correction) rebuilds that symbol from its daily bars.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, replace

from db import market_repo, stats_repo

NAN = float("nan")


@dataclass(frozen=True)
class Fold:
    """Running figures after some bars: the highest price reached (high, else close) and the
    deepest fall of a close from the running peak, with when each happened."""

    peak: float = NAN
    peak_ts: int | None = None
    depth: float = NAN  # e.g. -0.85
    depth_peak_ts: int | None = None
    depth_trough_ts: int | None = None

    def add(self, ts: int, high: float | None, close: float | None) -> Fold:
        """The same rules as analytics.max_drawdown over the same bars, one bar at a time."""
        state = self
        mark = high if high is not None and not math.isnan(high) else close
        if mark is not None and not math.isnan(mark) and (math.isnan(state.peak)
                                                          or mark > state.peak):
            state = replace(state, peak=mark, peak_ts=ts)
        if close is not None and not math.isnan(close) and not math.isnan(state.peak):
            fall = close / state.peak - 1.0
            if math.isnan(state.depth) or fall < state.depth:
                state = replace(state, depth=fall, depth_peak_ts=state.peak_ts,
                                depth_trough_ts=ts)
        return state


@dataclass(frozen=True)
class SymbolStats:
    last_ts: int  # the newest daily bar the figures include
    figures: Fold
    high_52w: float | None  # over the year to the newest daily bar
    avg_volume_20: float | None


def _fold(bars: list[tuple[int, float | None, float | None]], start: Fold = Fold()) -> Fold:
    state = start
    for ts, high, close in bars:
        state = state.add(ts, high, close)
    return state


def _store(conn: sqlite3.Connection, symbol: str, prefix: Fold,
           last: tuple[int, float | None, float | None]) -> None:
    ts = last[0]
    stats_repo.save(conn, {
        "symbol": symbol, "last_ts": ts, "last_high": last[1], "last_close": last[2],
        "peak": _nullable(prefix.peak), "peak_ts": prefix.peak_ts,
        "depth": _nullable(prefix.depth), "depth_peak_ts": prefix.depth_peak_ts,
        "depth_trough_ts": prefix.depth_trough_ts,
        "high_52w": stats_repo.high_since(conn, symbol, ts - stats_repo.YEAR_S),
        "avg_volume_20": stats_repo.average_volume(conn, symbol),
        **stats_repo.closes(conn, symbol)})


def _nullable(value: float) -> float | None:
    return None if math.isnan(value) else value


def rebuild(conn: sqlite3.Connection, symbol: str) -> None:
    """From every daily bar of the symbol (inside the caller's transaction)."""
    bars = stats_repo.daily_marks(conn, symbol)
    if not bars:
        stats_repo.delete(conn, symbol)
        return
    _store(conn, symbol, _fold(bars[:-1]), bars[-1])


def refresh(conn: sqlite3.Connection, changed: Mapping[str, int]) -> None:
    """After daily bars were written: `changed` maps each symbol to the oldest daily bar time
    written. Inside the writer's transaction, so figures and bars commit together."""
    for symbol, oldest in changed.items():
        row = stats_repo.stats(conn, symbol)
        if row is None or oldest < row["last_ts"]:
            rebuild(conn, symbol)
            continue
        newer = stats_repo.daily_marks(conn, symbol, row["last_ts"])
        if not newer or newer[0][0] != row["last_ts"]:
            rebuild(conn, symbol)  # the newest bar went away: start again
            continue
        _store(conn, symbol, _fold(newer[:-1], _prefix(row)), newer[-1])


def write_bars(conn: sqlite3.Connection, rows: list[tuple],
               changed: list[tuple] | None = None) -> None:
    """Store bar rows (market_repo.BAR_COLUMNS order) and keep the figures in step with them,
    inside the caller's transaction: the way every market-data writer stores bars. `changed`:
    as market_repo.upsert_bars."""
    market_repo.upsert_bars(conn, rows, changed=changed)
    refresh(conn, oldest_daily(rows))


def oldest_daily(rows: list[tuple]) -> dict[str, int]:
    """For each symbol, the oldest daily bar among bar rows (symbol, interval, ts, ...): what
    the per-symbol figures must take into account."""
    oldest: dict[str, int] = {}
    for symbol, interval, ts, *_ in rows:
        if interval == "1d" and ts < oldest.get(symbol, ts + 1):
            oldest[symbol] = ts
    return oldest


def fill_missing(conn: sqlite3.Connection) -> int:
    """Stats for symbols that have daily bars but none yet (an upgraded database)."""
    missing = stats_repo.symbols_missing_stats(conn)
    for symbol in missing:
        rebuild(conn, symbol)
    return len(missing)


def _prefix(row: sqlite3.Row) -> Fold:
    return Fold(NAN if row["peak"] is None else row["peak"], row["peak_ts"],
                NAN if row["depth"] is None else row["depth"], row["depth_peak_ts"],
                row["depth_trough_ts"])


def from_row(row: sqlite3.Row) -> SymbolStats | None:
    """The figures of a row holding the stats columns (None where the symbol has none)."""
    return None if row["last_ts"] is None else _current(row)


def _current(row: sqlite3.Row) -> SymbolStats:
    figures = _prefix(row).add(row["last_ts"], row["last_high"], row["last_close"])
    return SymbolStats(row["last_ts"], figures, row["high_52w"], row["avg_volume_20"])


def load_one(conn: sqlite3.Connection, symbol: str) -> SymbolStats | None:
    row = stats_repo.stats(conn, symbol)
    return None if row is None else _current(row)
