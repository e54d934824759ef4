"""The table's figures for the bundled data, checked against hand arithmetic."""

from __future__ import annotations

import datetime as dt
import sqlite3
import weakref
from pathlib import Path

import pytest

from db.connection import open_connection, transaction
from services.core import formatting as fmt
from services.core.clock import FixedClock, daily_bar_ts, epoch
from services.core.models import Money
from services.market import stats, trading_days
from services.market.calendar import MarketClock
from services.watchlists.columns import COLUMNS, Column
from services.watchlists.handover import RowPreparer
from services.watchlists.service import WatchlistService
from tests.conftest import hkt

MARKET = MarketClock()


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
        stats.write_bars(app_db, bars)
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
    # 20x FY2025 US$79.04m over 349.2m shares, across the HKMA band 7.75–7.85 (placeholder)
    assert l2.low.amount == pytest.approx(20 * 79_040_000 * 7.75 / 349_200_000)
    assert l2.high.amount == pytest.approx(30 * 79_040_000 * 7.85 / 349_200_000)
    assert detail.today == dt.date(2026, 11, 23)
    arr = WatchlistService(app_db, clock).detail("0100.HK", "arr", "USD")
    l2 = next(b for b in arr.band_prices if b.band.name.startswith("L2"))
    assert l2.bound == "at least" and l2.revenue.period == "ARR Feb 2026"
    assert l2.cap_low == Money(20 * 150_000_000, "USD")
    assert {f.topic for f in detail.key_facts} >= {"Price history", "Capital and dilution",
                                                   "Analyst views",
                                                   "The article's reading (opinion)"}
    assert any("1,238" in f.value for f in detail.key_facts)
    assert any("6.5bn" in f.value for f in detail.key_facts)


def quote(conn: sqlite3.Connection, symbol: str, price: float, at: dt.datetime,
          previous: float | None = None) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO quotes (symbol, price, currency, ts, previous_close, source, fetched_at)"
            " VALUES (?, ?, 'HKD', ?, ?, 'yahoo', ?) ON CONFLICT(symbol) DO UPDATE SET "
            "price = excluded.price, ts = excluded.ts", [symbol, price, epoch(at), previous,
                                                         epoch(at)])


@pytest.mark.parametrize(("now", "stale"), [
    (hkt(2026, 11, 23, 13, 5), None),  # after lunch: 1 + 5 trading minutes, only delayed
    (hkt(2026, 11, 23, 12, 30), None),  # lunch: nothing trades, nothing is stale
    (hkt(2026, 11, 23, 13, 24), None),  # 1 + 24 = 25 trading minutes: Yahoo's delay + 10
    (hkt(2026, 11, 23, 13, 30), 31),  # 1 + 30: the price stopped moving
])
def test_staleness_is_counted_in_trading_minutes_across_lunch(
    app_db: sqlite3.Connection, now: dt.datetime, stale: int | None
) -> None:
    quote(app_db, "2513.HK", 905.0, hkt(2026, 11, 23, 11, 59))
    rows = {r.symbol: r for r in WatchlistService(app_db, FixedClock(now)).rows("Main", MARKET)}
    assert rows["2513.HK"].stale_minutes == stale
    assert rows["0100.HK"].stale_minutes is None  # a reference price is never "stale live"


@pytest.mark.parametrize(("now", "stale"), [
    (hkt(2026, 11, 23, 9, 30), None),  # the open: the last trade was Friday's close
    (hkt(2026, 11, 23, 9, 45), None),  # 15 trading minutes: the delayed feed shows nothing yet
    (hkt(2026, 11, 23, 9, 56), 26),
])
def test_staleness_across_the_open(app_db: sqlite3.Connection, now: dt.datetime,
                                   stale: int | None) -> None:
    quote(app_db, "2513.HK", 905.0, hkt(2026, 11, 20, 16, 8))  # Friday's closing auction
    row = {r.symbol: r for r in WatchlistService(app_db, FixedClock(now)).rows(
        "Main", MARKET)}["2513.HK"]
    assert row.stale_minutes == stale
    assert row.last is not None and row.last.delay_min == 15
    assert COLUMNS[Column.SOURCE].text(row).startswith("Yahoo · delayed 15 min")
    if stale:
        assert COLUMNS[Column.SOURCE].text(row).endswith(f"STALE {stale} trading min")
        assert COLUMNS[Column.MARKET_CAP].text(row).endswith("(stale)")


def test_change_is_against_the_previous_sessions_official_close(
    app_db: sqlite3.Connection, clock: FixedClock
) -> None:
    trading_days.ensure_stored(app_db, MARKET)
    bars = [("2513.HK", "1d", daily_bar_ts(dt.date(2026, 11, d)), None, None, None, c, 1000,
             "yahoo", 0) for d, c in ((18, 780.0), (19, 800.0), (20, 820.0))]
    with transaction(app_db):
        stats.write_bars(app_db, bars)
    # Yahoo's previous close of a 5-day minute request is the close before those 5 days
    quote(app_db, "2513.HK", 816.0, hkt(2026, 11, 23, 10, 0), previous=752.0)
    row = rows_by_symbol(app_db, clock)["2513.HK"]
    assert row.change == pytest.approx(816 / 820 - 1)  # −0.5 %, not +8.5 %
    with transaction(app_db):  # the previous session's close missing: no change, no guess
        app_db.execute("DELETE FROM bars WHERE symbol = '2513.HK' AND ts = ?",
                       [daily_bar_ts(dt.date(2026, 11, 20))])
        stats.rebuild(app_db, "2513.HK")  # as every writer keeps the figures in step
    assert rows_by_symbol(app_db, clock)["2513.HK"].change is None


def test_lockups_count_down_to_the_first_free_trading_day(
    app_db: sqlite3.Connection, clock: FixedClock
) -> None:
    trading_days.ensure_stored(app_db, MARKET)
    rows = rows_by_symbol(app_db, clock)
    minimax = rows["0100.HK"]
    assert minimax.next_lockup is not None and not minimax.next_lockup.date_exact
    assert minimax.next_lockup.first_free_day == dt.date(2027, 1, 9)  # a Saturday
    assert minimax.next_lockup.first_trading_day == dt.date(2027, 1, 11)
    assert minimax.lockup_days == 49
    assert COLUMNS[Column.LOCKUP].text(minimax) == "≥ 2027-01-11 (in ≥ 49 d)"
    zhipu = rows["2513.HK"]  # exact: locked through 2027-01-07, free Friday 2027-01-08
    assert COLUMNS[Column.LOCKUP].text(zhipu) == "2027-01-08 (in 46 d)"
    cornerstones = next(lock for lock in WatchlistService(app_db, clock).lockups(
        zhipu.instrument) if lock.term_months == 6)
    assert fmt.lockup_day(cornerstones, dt.date(2026, 11, 23)) == "2026-07-08 (past (138 d ago))"


def test_figures_from_a_reference_price_say_so(app_db: sqlite3.Connection,
                                              clock: FixedClock) -> None:
    zhipu = rows_by_symbol(app_db, clock)["2513.HK"]
    assert zhipu.price_caveat == "reference price 2026-09-10"
    assert COLUMNS[Column.MARKET_CAP].text(zhipu) == "HK$381.3bn (ref.)"
    assert COLUMNS[Column.PS].text(zhipu) == "≈474.3–501.4x (ref.)"
    assert COLUMNS[Column.TARGET].text(zhipu) == "HK$1,700.00 Morgan Stanley (digest)"
    assert "reference price 2026-09-10" in COLUMNS[Column.PS].tooltip(zhipu)


def test_a_refresh_reads_again_only_after_a_commit(
        app_db: sqlite3.Connection, db_path: Path, clock: FixedClock) -> None:
    """The window asks on every tick; it must see each commit (the poller's connection or its
    own) and read nothing when nothing was committed."""
    service = WatchlistService(app_db, clock)
    statements: list[str] = []
    app_db.set_trace_callback(statements.append)
    first = service.rows("Main")
    assert statements
    statements.clear()
    assert service.rows("Main") is first
    assert [s for s in statements if "PRAGMA data_version" not in s] == []

    poller = open_connection(db_path)  # another connection commits a new quote
    try:
        quote(poller, "0100.HK", 210.0, hkt(2026, 11, 23, 10, 0))
    finally:
        poller.close()
    assert {r.symbol: r for r in service.rows("Main")}["0100.HK"].last.amount == 210.0
    quote(app_db, "0100.HK", 211.0, hkt(2026, 11, 23, 10, 1))  # and this one
    assert {r.symbol: r for r in service.rows("Main")}["0100.HK"].last.amount == 211.0
    app_db.set_trace_callback(None)


def test_a_new_fact_from_another_connection_reaches_the_kept_rows(
        app_db: sqlite3.Connection, db_path: Path, clock: FixedClock) -> None:
    """The service keeps the reference facts it built while none changes; a target added by
    another connection (the command line) is in the next refresh."""
    from db import facts_repo

    service = WatchlistService(app_db, clock)
    before = {r.symbol: r for r in service.rows("Main")}["0100.HK"].latest_target
    assert before is not None and before.price.amount == 900
    other = open_connection(db_path)
    try:
        with transaction(other):
            facts_repo.add_fact(other, "targets", {
                "symbol": "0100.HK", "broker": "Test Broker", "date": "2026-11-22",
                "price": 1234.0, "currency": "HKD", "rating": "Buy", "source": "test",
                "confidence": "user"})
    finally:
        other.close()
    after = {r.symbol: r for r in service.rows("Main")}["0100.HK"].latest_target
    assert after is not None and after.price.amount == 1234.0


def test_rows_the_poll_worker_built_are_adopted_only_while_current(
        app_db: sqlite3.Connection, db_path: Path, clock: FixedClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker builds the rows after its commit and the window adopts them: its refresh
    then builds none. A row whose stored state moved on since is built again, never shown
    stale."""
    window = WatchlistService(app_db, clock)
    window.rows("Main")
    worker_conn = open_connection(db_path)
    try:
        quote(worker_conn, "0100.HK", 210.0, hkt(2026, 11, 23, 10, 0))
        quote(worker_conn, "2513.HK", 150.0, hkt(2026, 11, 23, 10, 0))
        window.adopt(WatchlistService(worker_conn, clock).prepared_rows())
        built: list[str] = []
        original = window._row
        monkeypatch.setattr(window, "_row", lambda ins, *rest: built.append(ins.symbol)
                            or original(ins, *rest))
        rows = {r.symbol: r for r in window.rows("Main")}
        assert built == [] and rows["0100.HK"].last.amount == 210.0

        window.adopt(WatchlistService(worker_conn, clock).prepared_rows())
        quote(worker_conn, "0100.HK", 211.0, hkt(2026, 11, 23, 10, 1))  # after the worker
        rows = {r.symbol: r for r in window.rows("Main")}
        assert built == ["0100.HK"] and rows["0100.HK"].last.amount == 211.0
    finally:
        worker_conn.close()
    fresh = {r.symbol: r for r in WatchlistService(app_db, clock).rows("Main")}
    assert rows == fresh


def test_a_refresh_keeps_the_row_objects_of_unchanged_symbols(
        app_db: sqlite3.Connection, clock: FixedClock) -> None:
    """The table redraws only rows that are new objects: a commit that moved one price gives
    one new row, a note included."""
    from db import watchlist_repo

    with transaction(app_db):
        watchlist_repo.set_note(app_db, 1, "2513.HK", "watch the lock-up")
    service = WatchlistService(app_db, clock)
    before = {r.symbol: r for r in service.rows("Main")}
    quote(app_db, "0100.HK", 210.0, hkt(2026, 11, 23, 10, 0))
    after = {r.symbol: r for r in service.rows("Main")}
    assert after["2513.HK"] is before["2513.HK"] and after["2513.HK"].note == "watch the lock-up"
    assert after["0100.HK"] is not before["0100.HK"]
    detail = service.detail("2513.HK", watchlist="Main")
    assert detail.row is after["2513.HK"]


def test_adopted_rows_need_one_sum_while_no_price_changed(
        app_db: sqlite3.Connection, db_path: Path, clock: FixedClock) -> None:
    """While the sum of the price rows' change counters is the one the worker's rows were
    built at, the window reads that sum (and the lists' items counter), never a price row; a
    symbol the worker's rows lack sends it back to reading them."""
    window = WatchlistService(app_db, clock)
    worker_conn = open_connection(db_path)
    try:
        with transaction(worker_conn):  # known, in no list yet
            worker_conn.execute("INSERT INTO instruments (symbol, name, currency) "
                                "VALUES ('9999.HK', 'Not handed over', 'HKD')")
            worker_conn.execute("INSERT INTO watchlists (name) VALUES ('Second')")
        quote(worker_conn, "0100.HK", 210.0, hkt(2026, 11, 23, 10, 0))
        window.adopt(RowPreparer(clock).prepare(worker_conn))
        statements: list[str] = []
        app_db.set_trace_callback(statements.append)
        rows = {r.symbol: r for r in window.rows("Main")}
        assert rows["0100.HK"].last.amount == 210.0
        assert not [s for s in statements if "quotes" in s or "price_versions v" in s]
        statements.clear()
        app_db.set_trace_callback(None)

        with transaction(worker_conn):  # no price, no fact changes: the sum stays
            worker_conn.execute("INSERT INTO watchlist_items (watchlist_id, symbol) "
                                "SELECT id, '9999.HK' FROM watchlists WHERE name = 'Second'")
        assert [(r.symbol, r.instrument.name) for r in window.rows("Second")] == [
            ("9999.HK", "Not handed over")]
    finally:
        worker_conn.close()


def test_after_a_poll_the_list_items_are_read_only_when_a_list_changed(
        app_db: sqlite3.Connection, db_path: Path, clock: FixedClock) -> None:
    """A poll changes prices, not lists: the refresh after it, and the details it shows, keep
    the list's items. A note, an order, a removal or an addition from another connection (the
    command line) is still in the next refresh, with the worker's rows adopted."""
    from db import watchlist_repo

    window = WatchlistService(app_db, clock)
    window.rows("Main")
    other = open_connection(db_path)
    statements: list[str] = []
    app_db.set_trace_callback(statements.append)
    try:
        def after_poll(price: float, minute: int) -> list[tuple[str, str, float | None]]:
            quote(other, "0100.HK", price, hkt(2026, 11, 23, 10, minute))
            window.adopt(RowPreparer(clock).prepare(other))
            statements.clear()
            return [(r.symbol, r.note, r.last.amount if r.last else None)
                    for r in window.rows("Main")]

        after_poll(210.0, 0)
        shown = after_poll(211.0, 1)
        assert window.detail("0100.HK", watchlist="Main").row.note == ""
        assert not [s for s in statements if "FROM watchlist_items " in s]
        assert [symbol for symbol, _, _ in shown] == ["2513.HK", "0100.HK"]

        with transaction(other):
            watchlist_repo.set_note(other, 1, "0100.HK", "results in March")
        assert after_poll(212.0, 2)[1] == ("0100.HK", "results in March", 212.0)
        assert window.detail("0100.HK", watchlist="Main").row.note == "results in March"
        with transaction(other):
            watchlist_repo.set_order(other, 1, ["0100.HK", "2513.HK"])
        assert [symbol for symbol, _, _ in after_poll(213.0, 3)] == ["0100.HK", "2513.HK"]
        with transaction(other):
            watchlist_repo.remove_item(other, 1, "2513.HK")
        assert after_poll(214.0, 4) == [("0100.HK", "results in March", 214.0)]
        with transaction(other):
            watchlist_repo.add_item(other, 1, "2513.HK", "back")
        assert [(s, n) for s, n, _ in after_poll(215.0, 5)] == [("0100.HK", "results in March"),
                                                               ("2513.HK", "back")]
    finally:
        app_db.set_trace_callback(None)
        other.close()


def test_the_worker_reads_the_facts_again_only_when_one_changed(
        app_db: sqlite3.Connection, db_path: Path, clock: FixedClock) -> None:
    """The poll worker builds the rows after every poll; a poll changes prices, not facts,
    so it reads the reference facts once, then again after a fact changed."""
    from db import facts_repo

    worker_conn = open_connection(db_path)
    statements: list[str] = []
    worker_conn.set_trace_callback(statements.append)
    try:
        preparer = RowPreparer(clock)

        def facts_read(price: float, minute: int) -> int:
            statements.clear()
            quote(worker_conn, "0100.HK", price, hkt(2026, 11, 23, 10, minute))
            prepared = preparer.prepare(worker_conn)
            assert prepared.rows["0100.HK"][1].last.amount == price
            return sum("FROM targets" in s for s in statements)

        assert [facts_read(210.0 + m, m) for m in range(3)] == [1, 0, 0]
        with transaction(worker_conn):
            facts_repo.add_fact(worker_conn, "targets", {
                "symbol": "0100.HK", "broker": "Test Broker", "date": "2026-11-22",
                "price": 1234.0, "currency": "HKD", "rating": "Buy", "source": "test",
                "confidence": "user"})
        assert facts_read(220.0, 5) == 1
        assert preparer.prepare(worker_conn).rows["0100.HK"][1].latest_target.price.amount \
            == 1234.0
    finally:
        worker_conn.close()


def test_the_worker_frees_the_rows_it_handed_over_itself(
        app_db: sqlite3.Connection, db_path: Path, clock: FixedClock) -> None:
    """The rows of one poll stay referenced by the worker until the poll after next, when
    the window holds newer ones: they are freed there, not on the GUI thread."""
    worker_conn = open_connection(db_path)
    try:
        preparer = RowPreparer(clock)
        first = weakref.ref(preparer.prepare(worker_conn).rows["0100.HK"][1])
        quote(worker_conn, "0100.HK", 210.0, hkt(2026, 11, 23, 10, 0))
        preparer.prepare(worker_conn)
        assert first() is not None  # the window may still show it
        quote(worker_conn, "0100.HK", 211.0, hkt(2026, 11, 23, 10, 1))
        preparer.prepare(worker_conn)
        assert first() is None
    finally:
        worker_conn.close()
