"""The table's figures for the bundled data, checked against hand arithmetic."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from db import market_repo
from db.connection import transaction
from services.core.clock import FixedClock, daily_bar_ts, epoch
from services.watchlists.service import WatchlistService
from tests.conftest import hkt


def rows_by_symbol(conn: sqlite3.Connection, clock: FixedClock) -> dict:
    return {row.symbol: row for row in WatchlistService(conn, clock).rows("Main")}


def test_bundled_watchlist_figures(app_db: sqlite3.Connection, clock: FixedClock) -> None:
    rows = rows_by_symbol(app_db, clock)
    zhipu, minimax = rows["2513.HK"], rows["0100.HK"]

    assert zhipu.last is not None and zhipu.last.amount == 819.0
    assert zhipu.last.source == "reference" and zhipu.last.confidence == "digest"
    assert zhipu.change is None  # no change between sparse reference points
    assert zhipu.drawdown == pytest.approx(819 / 2980 - 1)
    assert zhipu.latest_target is not None and zhipu.latest_target.price.amount == 1700
    assert zhipu.upside == pytest.approx(1700 / 819 - 1)
    assert zhipu.market_cap is not None
    assert zhipu.market_cap.amount == pytest.approx(819 * 465_600_000)
    assert zhipu.market_cap.currency == "HKD"
    # P/S on FY2025 RMB 724.33m with the bundled 1.08 HKD per RMB
    assert zhipu.price_to_sales == pytest.approx(819 * 465_600_000 / 1.08 / 724_330_000)
    assert zhipu.ps_basis == "FY2025"
    assert zhipu.next_lockup is not None
    assert zhipu.next_lockup.first_free_day == dt.date(2027, 1, 8)
    assert zhipu.lockup_days == 46

    assert minimax.last is not None and minimax.last.amount == 199.30
    assert minimax.drawdown == pytest.approx(199.30 / 1330 - 1)
    assert minimax.price_to_sales == pytest.approx(199.30 * 349_200_000 / 7.80 / 79_040_000)
    assert minimax.next_lockup is not None and not minimax.next_lockup.date_exact


def test_drawdown_facts_since_listing(app_db: sqlite3.Connection, clock: FixedClock) -> None:
    rows = rows_by_symbol(app_db, clock)
    minimax = rows["0100.HK"].drawdowns
    assert minimax is not None
    assert minimax.deepest == pytest.approx(199.30 / 1330 - 1)
    assert (minimax.peak, minimax.trough) == (dt.date(2026, 3, 18), dt.date(2026, 7, 23))
    assert minimax.from_52w_high == pytest.approx(199.30 / 1330 - 1)
    assert minimax.to_recover == pytest.approx(1330 / 199.30 - 1)  # +567.3 %
    zhipu = rows["2513.HK"].drawdowns
    assert zhipu is not None
    assert (zhipu.peak, zhipu.trough) == (dt.date(2026, 6, 22), dt.date(2026, 9, 10))
    assert zhipu.to_recover == pytest.approx(2980 / 819 - 1)


def test_past_lockups_show_as_past(app_db: sqlite3.Connection) -> None:
    rows = rows_by_symbol(app_db, FixedClock(hkt(2027, 3, 1, 12, 0)))
    assert rows["2513.HK"].lockup_days == -52


def test_live_quote_wins_over_older_bars_and_gives_a_change(
    app_db: sqlite3.Connection, clock: FixedClock
) -> None:
    ts = epoch(hkt(2026, 11, 23, 10, 0))
    with transaction(app_db):
        app_db.execute(
            "INSERT INTO quotes (symbol, price, currency, ts, previous_close, source, fetched_at) "
            "VALUES ('2513.HK', 900.0, 'HKD', ?, 850.0, 'yahoo', ?)",
            [ts, ts],
        )
    row = rows_by_symbol(app_db, clock)["2513.HK"]
    assert row.last is not None and (row.last.amount, row.last.source) == (900.0, "yahoo")
    assert not row.last.daily
    assert row.change == pytest.approx(900 / 850 - 1)


def test_consecutive_market_closes_give_a_change(
    app_db: sqlite3.Connection, clock: FixedClock
) -> None:
    bars = [("0100.HK", "1d", daily_bar_ts(dt.date(2026, 11, d)), None, None, None, c, 1000,
             "yahoo", 0) for d, c in ((19, 200.0), (20, 210.0))]
    with transaction(app_db):
        market_repo.upsert_bars(app_db, bars)
    row = rows_by_symbol(app_db, clock)["0100.HK"]
    assert row.last is not None and row.last.amount == 210.0
    assert row.change == pytest.approx(210 / 200 - 1)


def test_detail_lists_targets_lockups_and_band_prices(
    app_db: sqlite3.Connection, clock: FixedClock
) -> None:
    detail = WatchlistService(app_db, clock).detail("0100.HK")
    assert {t.broker for t in detail.targets} >= {"Goldman Sachs", "Citi", "UBS"}
    assert len(detail.lockups) == 3
    l2 = next(b for b in detail.band_prices if b.band.name.startswith("L2"))
    # 20x FY2025 US$79.04m at 7.80 HKD/USD over 349.2m shares
    assert l2.low.amount == pytest.approx(20 * 79_040_000 * 7.80 / 349_200_000)
    assert detail.today == dt.date(2026, 11, 23)
