"""How long 1-minute bars are kept: a year of them for 200 symbols is over a gigabyte, and the
charts and alerts only read the last few sessions. Older sessions are folded into daily bars
first, so a day's open, high, low, close and volume are never lost; the trader can keep every
minute instead.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from db import market_repo, meta_repo
from db.connection import transaction
from services.market import stats
from services.market.bars import daily_from_minutes

SESSIONS_KEY = "minute_bar_sessions"
PRUNED_KEY = "minute_bars_pruned_on"
DEFAULT_SESSIONS = 30  # Yahoo serves 1-minute bars for about 30 days anyway
KEEP_ALL = 0


@dataclass(frozen=True)
class Pruned:
    minutes_deleted: int
    days_folded: int


def sessions_kept(conn: sqlite3.Connection) -> int:
    """Sessions of 1-minute bars kept per symbol; KEEP_ALL keeps every one."""
    value = meta_repo.get_meta(conn, SESSIONS_KEY)
    return DEFAULT_SESSIONS if value is None else int(value)


def set_sessions_kept(conn: sqlite3.Connection, sessions: int) -> None:
    if sessions < 0:
        raise ValueError("Keep a whole number of sessions (0 keeps every 1-minute bar).")
    with transaction(conn):
        meta_repo.set_meta(conn, SESSIONS_KEY, str(sessions))


def prune(conn: sqlite3.Connection) -> Pruned:
    """Fold and delete every symbol's 1-minute bars older than its kept sessions, in one
    transaction. Off the GUI thread (the poll cycle, once a trading day, or a command)."""
    keep = sessions_kept(conn)
    deleted = folded = 0
    if keep == KEEP_ALL:
        return Pruned(0, 0)
    with transaction(conn):
        for symbol, tz in market_repo.symbol_zones(conn):
            days = market_repo.minute_days(conn, symbol)
            if len(days) <= keep:
                continue
            cutoff = days[keep - 1] - days[keep - 1] % 86400  # the oldest kept UTC day
            old = market_repo.minute_bars_before(conn, symbol, cutoff)
            have = market_repo.daily_bar_times(conn, symbol, 0, cutoff + 86400)
            source = old[0][6]  # a database's minutes come from one feed: Yahoo or DEMO
            missing = [(symbol, "1d", *day, source, 0)
                       for day in daily_from_minutes([bar[:6] for bar in old], tz)
                       if day[0] not in have]
            if missing:
                stats.write_bars(conn, missing)
            folded += len(missing)
            deleted += market_repo.delete_minutes_before(conn, symbol, cutoff)
    return Pruned(deleted, folded)


def prune_once_a_day(conn: sqlite3.Connection, today: str) -> Pruned | None:
    """Prune if it has not been done on trading day `today` (ISO date); None when it had."""
    if meta_repo.get_meta(conn, PRUNED_KEY) == today:
        return None
    pruned = prune(conn)
    with transaction(conn):
        meta_repo.set_meta(conn, PRUNED_KEY, today)
    return pruned
