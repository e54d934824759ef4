"""The poll cycle end to end: real yfinance, fake Yahoo on 127.0.0.1, a real SQLite file."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from db.connection import transaction
from services.core.clock import HONG_KONG, FixedClock, daily_bar_ts, epoch
from services.market.calendar import Phase
from services.market.feed_types import ErrorKind
from services.market.fetching import FETCH_WORKERS
from services.market.poller import UNKNOWN_SYMBOL, Poller
from services.watchlists.service import WatchlistService
from tests.conftest import hkt
from tests.fake_yahoo import FakeSymbol, FakeYahoo

SYMBOLS = ("0100.HK", "2513.HK")


def stored(conn: sqlite3.Connection, symbol: str, interval: str) -> list[tuple]:
    return [tuple(r) for r in conn.execute(
        "SELECT ts, open, high, low, close, volume FROM bars WHERE symbol = ? AND interval = ? "
        "AND source = 'yahoo' ORDER BY ts", [symbol, interval])]


def served_minutes(fake: FakeYahoo, symbol: str, clock: FixedClock) -> list[tuple]:
    """Minute bars of the last five sessions traded so far (the intraday backfill's range)."""
    now = clock.now().timestamp()
    visible = [b for b in fake.symbols[symbol].minute_bars if b[0] <= now]
    days = sorted({dt.datetime.fromtimestamp(b[0], HONG_KONG).date() for b in visible})[-5:]
    return [b for b in visible if dt.datetime.fromtimestamp(b[0], HONG_KONG).date() in days]


def minute_requests(fake: FakeYahoo) -> int:
    return sum(1 for r in fake.chart_requests() if r.query.get("interval") == "1m")


def test_backfill_then_incremental_polls_store_exactly_the_served_bars(
    poller: Poller, fake_yahoo: FakeYahoo, clock: FixedClock, app_db: sqlite3.Connection
) -> None:
    outcome = poller.poll()
    assert [r.symbol for r in outcome.succeeded] == list(SYMBOLS)
    assert outcome.phase == Phase.OPEN
    for symbol in SYMBOLS:
        assert stored(app_db, symbol, "1m") == served_minutes(fake_yahoo, symbol, clock)
    daily = stored(app_db, "2513.HK", "1d")
    assert [dt.datetime.fromtimestamp(b[0], HONG_KONG).date() for b in daily][-3:] == [
        dt.date(2026, 11, 19), dt.date(2026, 11, 20), dt.date(2026, 11, 23)]
    assert app_db.execute("SELECT COUNT(*) FROM bars WHERE source = 'reference'").fetchone()[0]

    before = minute_requests(fake_yahoo)
    for _ in range(3):  # overlapping incremental polls, one chart request a symbol each
        clock.advance(60)
        poller.poll()
    assert minute_requests(fake_yahoo) - before == 3 * len(SYMBOLS)
    for symbol in SYMBOLS:
        assert stored(app_db, symbol, "1m") == served_minutes(fake_yahoo, symbol, clock)
    duplicates = app_db.execute(
        "SELECT COUNT(*) - COUNT(DISTINCT symbol || interval || ts) FROM bars").fetchone()[0]
    assert duplicates == 0
    quote = app_db.execute("SELECT * FROM quotes WHERE symbol = '2513.HK'").fetchone()
    last = served_minutes(fake_yahoo, "2513.HK", clock)[-1]
    assert (quote["price"], quote["currency"], quote["source"]) == (last[4], "HKD", "yahoo")


def test_lunch_break_leaves_a_gap_and_partial_bars_are_replaced(
    poller: Poller, fake_yahoo: FakeYahoo, clock: FixedClock, app_db: sqlite3.Connection
) -> None:
    clock.set(hkt(2026, 11, 23, 11, 59, 30))
    minutes = fake_yahoo.symbols["2513.HK"].minute_bars
    index = next(i for i, b in enumerate(minutes) if b[0] == epoch(hkt(2026, 11, 23, 11, 59)))
    final = minutes[index]
    minutes[index] = (*final[:4], final[4] - 5.0, final[5] // 2)  # the minute so far
    poller.poll()
    row = app_db.execute("SELECT close, partial FROM bars WHERE symbol = '2513.HK' AND "
                         "interval = '1m' AND ts = ?", [final[0]]).fetchone()
    assert tuple(row) == (final[4] - 5.0, 1)
    today = app_db.execute("SELECT partial FROM bars WHERE symbol = '2513.HK' AND "
                           "interval = '1d' AND ts = ?", [epoch(hkt(2026, 11, 23, 9, 30))])
    assert today.fetchone()[0] == 1

    minutes[index] = final
    clock.set(hkt(2026, 11, 23, 12, 30))  # lunch
    outcome = poller.poll()
    assert outcome.phase == Phase.LUNCH
    row = app_db.execute("SELECT close, partial FROM bars WHERE symbol = '2513.HK' AND "
                         "interval = '1m' AND ts = ?", [final[0]]).fetchone()
    assert tuple(row) == (final[4], 0)
    gap = app_db.execute(
        "SELECT COUNT(*) FROM bars WHERE interval = '1m' AND ts >= ? AND ts < ?",
        [epoch(hkt(2026, 11, 23, 12, 0)), epoch(hkt(2026, 11, 23, 13, 0))]).fetchone()[0]
    assert gap == 0

    clock.set(hkt(2026, 11, 23, 16, 15))  # after the closing auction: official daily bar
    outcome = poller.poll()
    assert outcome.phase == Phase.CLOSED
    today = app_db.execute("SELECT partial, close FROM bars WHERE symbol = '2513.HK' AND "
                           "interval = '1d' AND ts = ?", [epoch(hkt(2026, 11, 23, 9, 30))])
    partial, close = today.fetchone()
    assert partial == 0
    assert close == served_minutes(fake_yahoo, "2513.HK", clock)[-1][4]


def test_half_day_and_holiday(poller: Poller, fake_yahoo: FakeYahoo, clock: FixedClock,
                              app_db: sqlite3.Connection) -> None:
    clock.set(hkt(2026, 2, 16, 12, 5))  # Lunar New Year's Eve: closes at 12:00
    outcome = poller.poll()
    assert outcome.phase == Phase.AFTER_CLOSE and len(outcome.succeeded) == 2
    last = app_db.execute("SELECT MAX(ts) FROM bars WHERE interval = '1m'").fetchone()[0]
    assert dt.datetime.fromtimestamp(last, HONG_KONG).time() == dt.time(11, 59)

    clock.set(hkt(2026, 2, 17, 10, 30))  # Lunar New Year: no session
    count = app_db.execute("SELECT COUNT(*) FROM bars").fetchone()[0]
    outcome = poller.poll()
    assert outcome.phase == Phase.CLOSED
    assert all(r.ok for r in outcome.results)
    assert app_db.execute("SELECT COUNT(*) FROM bars").fetchone()[0] == count
    assert not [r for r in fake_yahoo.chart_requests()[-2:] if r.query.get("interval") == "1m"]


@pytest.mark.parametrize(
    ("fault", "kind"),
    [("500", ErrorKind.TRANSPORT), ("slow", ErrorKind.TRANSPORT),
     ("malformed", ErrorKind.MALFORMED), ("reset", ErrorKind.TRANSPORT),
     ("html", ErrorKind.TRANSPORT)],
)
def test_each_fault_is_classified_backed_off_and_recovered_from(
    poller: Poller, fake_yahoo: FakeYahoo, clock: FixedClock, app_db: sqlite3.Connection,
    fault: str, kind: ErrorKind,
) -> None:
    poller.poll()
    good = app_db.execute("SELECT price, ts FROM quotes WHERE symbol = '2513.HK'").fetchone()
    fake_yahoo.fail(fault, symbol="2513.HK", delay=1.5)
    clock.advance(60)
    outcome = poller.poll()
    failed = {r.symbol: r for r in outcome.results}
    assert failed["2513.HK"].error_kind == kind and not failed["2513.HK"].ok
    assert failed["0100.HK"].ok  # one bad symbol does not stop the others
    health = app_db.execute("SELECT * FROM feed_health WHERE symbol = '2513.HK'").fetchone()
    assert health["consecutive_failures"] == 1 and health["last_error_kind"] == kind
    assert tuple(app_db.execute(
        "SELECT price, ts FROM quotes WHERE symbol = '2513.HK'").fetchone()) == tuple(good)

    requests = len(fake_yahoo.chart_requests("2513.HK"))
    clock.advance(10)  # inside the backoff (30 s +-20%): no request for that symbol
    assert poller.poll().results[1].skipped == "backing off"
    assert len(fake_yahoo.chart_requests("2513.HK")) == requests

    fake_yahoo.clear_faults()  # Yahoo recovers; so does the poller, without a restart
    clock.advance(60)
    outcome = poller.poll()
    assert all(r.ok for r in outcome.results)
    health = app_db.execute("SELECT * FROM feed_health WHERE symbol = '2513.HK'").fetchone()
    assert health["consecutive_failures"] == 0 and health["last_error"] == ""


def test_rate_limit_once_then_for_minutes_backs_off_globally(
    poller: Poller, fake_yahoo: FakeYahoo, clock: FixedClock
) -> None:
    poller.poll()
    fake_yahoo.fail("429")  # until cleared
    delays = []
    for _ in range(6):
        outcome = poller.poll(force=True)
        assert outcome.rate_limited_until is not None
        assert any(r.error_kind == ErrorKind.RATE_LIMIT for r in outcome.results)
        assert all(r.error_kind == ErrorKind.RATE_LIMIT or r.skipped == "rate limited"
                   for r in outcome.results)
        now = clock.now().timestamp()
        delays.append(outcome.rate_limited_until - now)
        requests = len(fake_yahoo.chart_requests())
        clock.advance(outcome.rate_limited_until - now - 1)
        assert poller.poll(force=True).results[0].skipped == "rate limited"
        assert len(fake_yahoo.chart_requests()) == requests  # honoured, even when forced
        clock.advance(1)
    expected = [60, 120, 240, 480, 900, 900]
    for delay, base in zip(delays, expected, strict=True):
        assert base * 0.8 - 1 <= delay <= base * 1.2
    fake_yahoo.clear_faults()
    assert all(r.ok for r in poller.poll().results)
    fake_yahoo.fail("429", times=4)  # once for each symbol (yfinance retries a >=400 once)
    assert poller.poll().rate_limited_until is not None
    clock.advance(80)
    outcome = poller.poll()
    assert all(r.ok for r in outcome.results) and outcome.rate_limited_until is None


def test_unknown_symbol_is_named_only_after_repeated_404s_while_others_succeed(
    poller: Poller, fake_yahoo: FakeYahoo, clock: FixedClock, app_db: sqlite3.Connection
) -> None:
    with transaction(app_db):
        app_db.execute("INSERT INTO instruments (symbol, name, currency) "
                       "VALUES ('9999.HK', 'Typo', 'HKD')")
        app_db.execute("INSERT INTO watchlist_items (watchlist_id, symbol) VALUES (1, '9999.HK')")
    kinds = []
    for _ in range(3):
        outcome = poller.poll(force=True)
        kinds.append({r.symbol: r for r in outcome.results}["9999.HK"].error_kind)
        assert len(outcome.succeeded) == 2
        clock.advance(60)
    assert kinds == [ErrorKind.NOT_FOUND, ErrorKind.NOT_FOUND, UNKNOWN_SYMBOL]

    fake_yahoo.fail("404")  # everything 404s: that is Yahoo's problem, not unknown symbols
    outcome = poller.poll(force=True)
    assert {r.error_kind for r in outcome.results} == {ErrorKind.NOT_FOUND}


def test_offline_everything_fails_and_nothing_is_lost(
    poller: Poller, fake_yahoo: FakeYahoo, clock: FixedClock, app_db: sqlite3.Connection
) -> None:
    poller.poll()
    bars = app_db.execute("SELECT COUNT(*) FROM bars").fetchone()[0]
    fake_yahoo.fail("reset")
    clock.advance(60)
    outcome = poller.poll()
    assert outcome.offline and not outcome.succeeded
    assert app_db.execute("SELECT COUNT(*) FROM bars").fetchone()[0] == bars
    fake_yahoo.clear_faults()
    clock.advance(15 * 60)
    assert not poller.poll().offline


def test_a_currency_other_than_the_instruments_is_an_error(
    poller: Poller, fake_yahoo: FakeYahoo, app_db: sqlite3.Connection
) -> None:
    fake_yahoo.symbols["0100.HK"].currency = "USD"
    outcome = poller.poll()
    result = {r.symbol: r for r in outcome.results}["0100.HK"]
    assert result.error_kind == ErrorKind.CURRENCY and "USD" in result.error
    assert not app_db.execute("SELECT COUNT(*) FROM bars WHERE symbol = '0100.HK' AND "
                              "source = 'yahoo'").fetchone()[0]


def many_symbols(app_db: sqlite3.Connection, fake_yahoo: FakeYahoo, count: int) -> list[str]:
    symbols = [f"{7000 + i}.HK" for i in range(count)]
    template = fake_yahoo.symbols["2513.HK"]
    with transaction(app_db):
        for symbol in symbols:
            app_db.execute("INSERT INTO instruments (symbol, name, currency) VALUES (?, ?, 'HKD')",
                           [symbol, symbol])
            app_db.execute("INSERT INTO watchlist_items (watchlist_id, symbol) VALUES (1, ?)",
                           [symbol])
            fake_yahoo.symbols[symbol] = FakeSymbol(symbol, "HKD", template.minute_bars)
    return symbols


def test_many_symbols_are_fetched_a_few_at_a_time_and_a_429_stops_them_all(
    poller: Poller, fake_yahoo: FakeYahoo, app_db: sqlite3.Connection, clock: FixedClock,
) -> None:
    symbols = many_symbols(app_db, fake_yahoo, 30)
    fake_yahoo.fail("slow", delay=0.2)  # every answer takes a while: requests overlap
    outcome = poller.poll()
    assert len(outcome.succeeded) == 32
    assert 1 < fake_yahoo.most_in_flight <= FETCH_WORKERS
    assert [r.symbol for r in outcome.results][-30:] == symbols  # the watchlist's order
    fake_yahoo.clear_faults()
    clock.advance(60)
    fake_yahoo.fail("429")
    before = len(fake_yahoo.chart_requests())
    outcome = poller.poll()
    asked = len(fake_yahoo.chart_requests()) - before
    assert outcome.rate_limited_until is not None
    assert asked <= 2 * FETCH_WORKERS  # those in flight (and yfinance's one retry), no more
    assert sum(r.skipped == "rate limited" for r in outcome.results) >= 32 - FETCH_WORKERS


def test_after_the_first_poll_the_change_is_against_the_previous_sessions_close(
    poller: Poller, fake_yahoo: FakeYahoo, clock: FixedClock, app_db: sqlite3.Connection
) -> None:
    """The backfill's 5-day minute request carries Yahoo's close before those five days; the
    change must use Friday's official close instead."""
    poller.poll()
    friday = [b for b in served_minutes(fake_yahoo, "2513.HK", clock)
              if dt.datetime.fromtimestamp(b[0], HONG_KONG).date() == dt.date(2026, 11, 20)]
    last = served_minutes(fake_yahoo, "2513.HK", clock)[-1][4]
    stored = app_db.execute("SELECT previous_close FROM quotes WHERE symbol = '2513.HK'")
    assert stored.fetchone()[0] == friday[-1][4]
    row = {r.symbol: r for r in WatchlistService(app_db, clock).rows("Main")}["2513.HK"]
    assert row.change == pytest.approx(last / friday[-1][4] - 1)
    window_start = [r for r in fake_yahoo.chart_requests("2513.HK")
                    if r.query.get("interval") == "1m"]
    assert window_start and window_start[0].query.get("range") == "5d"


def test_before_today_s_first_trade_yesterday_s_official_bar_is_kept(
    poller: Poller, fake_yahoo: FakeYahoo, clock: FixedClock, app_db: sqlite3.Connection
) -> None:
    """Yahoo's HKEX minutes run 15 minutes late: just after the open its one-day answer still
    holds yesterday's minutes, which must not rewrite yesterday's official daily bar."""
    clock.set(hkt(2026, 11, 20, 16, 30))
    poller.poll()
    friday = daily_bar_ts(dt.date(2026, 11, 20))
    query = ("SELECT open, high, low, close, volume, partial FROM bars WHERE symbol = "
             "'2513.HK' AND interval = '1d' AND ts = ?")
    official = tuple(app_db.execute(query, [friday]).fetchone())
    for spec in fake_yahoo.symbols.values():
        spec.minute_bars[:] = [b for b in spec.minute_bars
                               if dt.datetime.fromtimestamp(b[0], HONG_KONG).date()
                               < dt.date(2026, 11, 23)]
    clock.set(hkt(2026, 11, 23, 9, 40))
    assert len(poller.poll().succeeded) == 2
    assert tuple(app_db.execute(query, [friday]).fetchone()) == official
    assert official[-1] == 0
