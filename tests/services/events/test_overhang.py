"""Zhipu's controlling-shareholder lock-up (first free day 2027-01-08), its overhang checked by
hand from stated inputs, and the price path around its cornerstone expiry (2026-07-08)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from db.connection import transaction
from services.core.clock import FixedClock, daily_bar_ts
from services.events.overhang import OverhangService
from services.events.overhang_text import figure_rows
from services.market import stats, trading_days
from services.market.calendar import MarketClock
from services.watchlists.service import WatchlistService

CONTROLLING_SHARES = 180_000_000  # stated input: the trader records the locked shares
OUTSTANDING = 465_600_000  # bundled: after the July 2026 placing, as of 2026-07-31
LAST_CLOSE = 850.0


def _sessions(market: MarketClock, first: dt.date, last: dt.date) -> list[dt.date]:
    return [d for d in market.session_days() if first <= d <= last]


def seed_zhipu(conn: sqlite3.Connection) -> tuple[dict[dt.date, int], dict[dt.date, float]]:
    """Yahoo daily bars (volumes for the last month, closes around the July expiry) and the
    controlling holders' share count; returns the volumes and the closes written."""
    market = MarketClock()
    trading_days.ensure_stored(conn, market)
    recent = _sessions(market, dt.date(2026, 10, 20), dt.date(2026, 11, 20))  # 24 sessions
    volumes = {day: 1_000_000 + 50_000 * i for i, day in enumerate(recent)}
    around = _sessions(market, dt.date(2026, 6, 19), dt.date(2026, 7, 24))
    closes = {day: 2000.0 + 10 * i - (150 if day >= dt.date(2026, 7, 8) else 0)
              for i, day in enumerate(around)}
    rows = [("2513.HK", "1d", daily_bar_ts(day), None, None, None, LAST_CLOSE, volume,
             "yahoo", 0) for day, volume in volumes.items()]
    rows += [("2513.HK", "1d", daily_bar_ts(day), None, None, None, close, 5_000_000,
              "yahoo", 0) for day, close in closes.items()]
    with transaction(conn):
        stats.write_bars(conn, rows)
        conn.execute("UPDATE lockups SET shares = ? WHERE symbol = '2513.HK' AND "
                     "first_free_day = '2027-01-08'", [CONTROLLING_SHARES])
    return volumes, closes


@pytest.fixture
def zhipu(app_db: sqlite3.Connection) -> tuple[sqlite3.Connection, dict[dt.date, int],
                                               dict[dt.date, float]]:
    return (app_db, *seed_zhipu(app_db))


def test_controlling_lockup_overhang_by_hand(zhipu, clock: FixedClock) -> None:
    conn, volumes, _ = zhipu
    report = OverhangService(conn, clock, WatchlistService(conn, clock)).report("2513.HK")
    [cornerstone, controlling] = report.figures
    assert controlling.lockup.free_to_trade == dt.date(2027, 1, 8)
    assert controlling.days_left == 46  # from Monday 2026-11-23
    assert controlling.released == CONTROLLING_SHARES
    assert controlling.shares_outstanding is not None
    assert controlling.shares_outstanding.shares == OUTSTANDING
    # Free float: outstanding less everything still locked on 2027-01-07 — only this lock-up
    # (the cornerstones' 25,681,600 were free from 2026-07-08).
    assert controlling.free_float == OUTSTANDING - CONTROLLING_SHARES == 285_600_000
    assert not controlling.float_is_upper_bound
    assert controlling.pct_outstanding == pytest.approx(180 / 465.6)  # 38.66%
    assert controlling.pct_float == pytest.approx(180 / 285.6)  # 63.03%
    # Value at the last close (Yahoo, 2026-11-20): 180m x HK$850 = HK$153bn
    assert controlling.value is not None and controlling.price is not None
    assert (controlling.value.amount, controlling.value.currency) == (153_000_000_000, "HKD")
    assert controlling.price.source == "yahoo"
    # ADV over the newest 20 sessions (2026-10-23 .. 2026-11-20)
    last20 = sorted(volumes)[-20:]
    adv = sum(volumes[d] for d in last20) / 20
    assert controlling.adv is not None
    assert (controlling.adv.sessions, controlling.adv.first, controlling.adv.last) == (
        20, last20[0], dt.date(2026, 11, 20))
    assert controlling.adv.shares == pytest.approx(adv)
    assert controlling.adv_days == pytest.approx(CONTROLLING_SHARES / adv)
    assert controlling.missing() == []
    words = dict(figure_rows(controlling, "Asia/Hong_Kong"))
    assert words["Released / outstanding"] == "38.66%"
    assert words["Released / free float"] == "63.03%"
    assert words["Value at the last price"] == ("HK$153.0bn at HK$850.00 "
                                                "(Yahoo · delayed 15 min, 2026-11-20)")
    assert words["Free float before release"].startswith("285,600,000 ")

    # The cornerstones' past expiry counts the count in force the day before (445,843,090,
    # the placing came later) and the controlling holders' unknown-at-the-time lock-up.
    assert cornerstone.shares_outstanding is not None
    assert cornerstone.shares_outstanding.shares == 445_843_090
    assert cornerstone.free_float == 445_843_090 - 25_681_600 - CONTROLLING_SHARES


def test_unknown_share_counts_make_the_float_a_bound(app_db: sqlite3.Connection,
                                                     clock: FixedClock) -> None:
    report = OverhangService(app_db, clock, WatchlistService(app_db, clock)).report("2513.HK")
    controlling = report.figures[-1]
    assert controlling.released is None and controlling.pct_float is None
    assert controlling.float_is_upper_bound
    assert any("not recorded" in reason for reason in controlling.missing())


def test_price_path_around_the_cornerstone_expiry(zhipu, clock: FixedClock) -> None:
    conn, _, closes = zhipu
    report = OverhangService(conn, clock, WatchlistService(conn, clock)).report("2513.HK")
    [path] = report.paths
    days = sorted(closes)
    t = days.index(dt.date(2026, 7, 8))  # the cornerstones' first free trading day
    assert path.base_day == days[t - 1] == dt.date(2026, 7, 7)
    assert path.offsets == tuple(range(-10, 11))
    base = closes[days[t - 1]]
    assert path.rebased[10] == pytest.approx(100 * closes[days[t]] / base)
    assert path.rebased[9] == pytest.approx(100.0)
    assert path.rebased[0] == pytest.approx(100 * closes[days[t - 10]] / base)
    assert path.rebased[-1] == pytest.approx(100 * closes[days[t + 10]] / base)
    assert path.source == "Yahoo"
