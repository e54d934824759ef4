"""The per-symbol figures kept as bars are written equal a full scan of the history, whatever
order the bars come in and however often they are corrected."""

from __future__ import annotations

import math
import random
import sqlite3

import numpy as np
import pytest

from db import market_repo
from db.connection import transaction
from services.core import analytics
from services.market import history, stats
from services.market.stats import SymbolStats

SYMBOL = "2513.HK"
DAY = 86400
BASE = 1_767_000_000


def full_scan(conn: sqlite3.Connection) -> tuple[float, int, float, int, int, float]:
    bars = history.load_bars(conn, SYMBOL, "HKD", "1d")
    marks = analytics.reached(bars.high, bars.close)
    peak = int(np.nanargmax(marks))
    worst = analytics.max_drawdown(bars.high, bars.close)
    assert worst is not None
    year = bars.ts >= bars.ts[-1] - 365 * DAY
    return (float(marks[peak]), int(bars.ts[peak]), worst.depth,
            int(bars.ts[worst.peak_index]), int(bars.ts[worst.trough_index]),
            float(np.nanmax(marks[year])))


def kept(figures: SymbolStats | None) -> tuple[float, int, float, int, int, float]:
    assert figures is not None and figures.high_52w is not None
    f = figures.figures
    assert f.peak_ts is not None and f.depth_peak_ts is not None
    assert f.depth_trough_ts is not None
    return (f.peak, f.peak_ts, f.depth, f.depth_peak_ts, f.depth_trough_ts, figures.high_52w)


def write(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    with transaction(conn):
        market_repo.upsert_bars(conn, rows)
        stats.refresh(conn, stats.oldest_daily(rows))


def bar(day: int, rng: random.Random) -> tuple:
    close = round(rng.uniform(50, 150), 2)
    high = None if rng.random() < 0.1 else round(close * rng.uniform(1.0, 1.1), 2)
    return (SYMBOL, "1d", BASE + day * DAY, close, high, close, close, 100, "yahoo", 0)


@pytest.mark.parametrize("seed", range(6))
def test_kept_figures_equal_a_full_scan_after_random_writes(app_db: sqlite3.Connection,
                                                            seed: int) -> None:
    rng = random.Random(seed)
    days = list(range(500))
    write(app_db, [bar(d, rng) for d in days[:50]])  # a first backfill
    newest = 49
    for _ in range(60):
        move = rng.random()
        if move < 0.5:  # the next session, or today's partial bar corrected
            newest += rng.random() < 0.6
            rows = [bar(newest, rng)]
        elif move < 0.8:  # an older bar corrected or filled in (out of order)
            rows = [bar(rng.randrange(0, newest + 1), rng) for _ in range(rng.randint(1, 3))]
        else:  # a batch reaching into the past and the future at once
            newest += rng.randint(1, 5)
            rows = [bar(d, rng) for d in rng.sample(range(0, newest + 1), 4)] + \
                [bar(newest, rng)]
        write(app_db, rows)
        expected, got = full_scan(app_db), kept(stats.load_one(app_db, SYMBOL))
        assert got[1:2] + got[3:5] == expected[1:2] + expected[3:5]
        assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in
                   zip(got[::2] + got[5:], expected[::2] + expected[5:], strict=True))


def test_a_database_from_before_the_stats_table_gets_them_at_start(
        app_db: sqlite3.Connection) -> None:
    rng = random.Random(1)
    with transaction(app_db):
        market_repo.upsert_bars(app_db, [bar(d, rng) for d in range(30)])  # no refresh
        app_db.execute("DELETE FROM symbol_stats")
    assert stats.fill_missing(app_db) >= 1
    assert kept(stats.load_one(app_db, SYMBOL)) == pytest.approx(full_scan(app_db))
