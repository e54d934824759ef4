"""Old 1-minute bars go, their days stay: retention folds a session into a daily bar before it
deletes its minutes, keeps what the trader chose, and keeps everything on request."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

from cli.main import context, dispatch
from cli.parser import parse_args
from db import market_repo
from db.connection import transaction
from services.market import retention, stats
from services.market.bars import daily_from_minutes
from tests.fake_yahoo import random_walk_minutes

SYMBOL = "0100.HK"


def sessions(count: int) -> list[tuple[dt.date, bool]]:
    days, day = [], dt.date(2026, 9, 1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append((day, False))
        day += dt.timedelta(days=1)
    return days


def store_minutes(conn: sqlite3.Connection, count: int) -> list[tuple]:
    minutes = random_walk_minutes(sessions(count), 200.0, seed=3)
    daily = daily_from_minutes(minutes)
    rows = [(SYMBOL, "1m", *bar, "yahoo", 0) for bar in minutes]
    rows += [(SYMBOL, "1d", *bar, "yahoo", 0) for bar in daily[::2]]  # every other day known
    with transaction(conn):
        stats.write_bars(conn, rows)
    return daily


def counts(conn: sqlite3.Connection) -> tuple[int, int]:
    return tuple(conn.execute(
        f"SELECT COUNT(DISTINCT ts / 86400) FROM bars WHERE symbol = ? AND interval = '{i}'",
        [SYMBOL]).fetchone()[0] for i in ("1m", "1d"))  # type: ignore[return-value]


def test_old_sessions_are_folded_into_daily_bars_then_deleted(app_db: sqlite3.Connection) -> None:
    daily = store_minutes(app_db, 40)
    reference_days = counts(app_db)[1] - 20  # the bundled reference points are daily too
    assert retention.sessions_kept(app_db) == retention.DEFAULT_SESSIONS == 30
    pruned = retention.prune(app_db)
    assert pruned.days_folded == 5  # of the 10 oldest sessions, 5 had no daily bar
    assert pruned.minutes_deleted == 10 * 330
    assert counts(app_db) == (30, reference_days + 20 + 5)
    stored = {row[0]: tuple(row[1:]) for row in app_db.execute(
        "SELECT ts, open, high, low, close, volume FROM bars WHERE symbol = ? AND "
        "interval = '1d' AND source = 'yahoo'", [SYMBOL])}
    for bar in daily[:10]:  # every pruned day is there with its true figures
        assert stored[bar[0]] == bar[1:]
    assert retention.prune(app_db) == retention.Pruned(0, 0)  # nothing more to do


def test_keep_all_keeps_every_minute_and_the_command_sets_it(app_db: sqlite3.Connection,
                                                             db_path: Path) -> None:
    store_minutes(app_db, 12)
    retention.set_sessions_kept(app_db, retention.KEEP_ALL)
    assert retention.prune(app_db) == retention.Pruned(0, 0)
    out, err = io.StringIO(), io.StringIO()
    args = parse_args(["--db", str(db_path), "retention", "--sessions", "5"])
    assert dispatch(args, context(args, out, err)) == 0, err.getvalue()
    assert "newest 5 sessions" in out.getvalue() and "days folded into daily bars" in out.getvalue()
    assert counts(app_db)[0] == 5
    args = parse_args(["--db", str(db_path), "retention", "--sessions", "0"])
    assert dispatch(args, context(args, out, err)) == 2 and "from 1 to 10000" in err.getvalue()


def test_minutes_without_open_high_or_low_fold_on_their_close(app_db: sqlite3.Connection) -> None:
    """Yahoo sometimes leaves a minute's open, high or low out (stored as NULL)."""
    minutes = random_walk_minutes(sessions(32), 200.0, seed=4)
    rows = [(SYMBOL, "1m", ts, None if i % 7 == 0 else o, None if i % 5 == 0 else h,
             None if i % 3 == 0 else lo, c, v, "yahoo", 0)
            for i, (ts, o, h, lo, c, v) in enumerate(minutes)]
    with transaction(app_db):
        market_repo.upsert_bars(app_db, rows)
    pruned = retention.prune(app_db)
    assert pruned.days_folded == 2 and pruned.minutes_deleted == 2 * 330
